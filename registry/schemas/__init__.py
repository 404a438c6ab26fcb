"""marshmallow schemas: the wire contract, separate from the models."""
