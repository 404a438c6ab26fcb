"""flask-smorest, fitted to the registry: a ``multipart`` argument location, so that an
upload's file and form fields are one ``multipart/form-data`` request body in the
OpenAPI document (two locations, ``form`` and ``files``, would document the fields as
``in: formData``, which OpenAPI 3 does not have)."""

from __future__ import annotations

from typing import Any

import flask
import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

MULTIPART = "multipart"


class Parser(FlaskParser):
    """webargs' Flask parser with the ``multipart`` location: form fields and files together."""

    __location_map__ = {**FlaskParser.__location_map__, MULTIPART: "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: ma.Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose arguments may come from ``location="multipart"``."""

    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        MULTIPART: "multipart/form-data",
    }


def export_content(columns: tuple[str, ...], item_schema: str) -> dict[str, Any]:
    """The OpenAPI ``content`` of an export: CSV with a header row of ``columns``, or JSON
    Lines, one ``item_schema`` object a line."""
    header = ",".join(columns)
    return {
        "text/csv": {
            "schema": {
                "type": "string",
                "description": f"a header row, then one row per item: {header}",
            },
            "example": header + "\n",
        },
        "application/x-ndjson": {
            "schema": {
                "type": "string",
                "description": f"one JSON object a line, each a {item_schema}",
            }
        },
    }
