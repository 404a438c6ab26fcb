"""The JSON API under ``/api/v1``: blueprints, auth, OpenAPI document and docs.

Views only parse input (marshmallow, through flask-smorest), call a service and render.
"""

from __future__ import annotations

import http
from pathlib import Path
from typing import Any

import marshmallow as ma
import swagger_ui_bundle
from flask import Flask, Response, send_from_directory
from flask_smorest import Api as _Api
from flask_smorest.spec.plugins import unicodeconverter2paramschema
from werkzeug.exceptions import HTTPException
from werkzeug.routing import UnicodeConverter

from registry.api import problems
from registry.schemas.common import NO_CONTROL_CHARACTERS, ProblemSchema, RequestArgs
from registry.schemas.profiles import StoredProfileSchema

API_PREFIX = "/api/v1"


class Api(_Api):
    """flask-smorest, answering errors as problem+json like the rest of the registry, and
    documenting them so: every error response is an ``application/problem+json`` Problem."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return problems.handle_http_exception(error)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {problems.PROBLEM_MIMETYPE: {"schema": "Problem"}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            self.DEFAULT_ERROR_RESPONSE_NAME,
            {
                "description": "an error, as an RFC 9457 problem document (`type` links to what it means)",
                "content": {problems.PROBLEM_MIMETYPE: {"schema": "Problem"}},
            },
            lazy=True,
        )


api = Api()


def _input_text_pattern(converter: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """A text field of a query string or form: the characters the request guard takes."""
    if (
        isinstance(field, ma.fields.String)
        and isinstance(field.root, RequestArgs)
        and "pattern" not in field.metadata
    ):
        return {"pattern": NO_CONTROL_CHARACTERS}
    return {}


def _text_segment(converter: UnicodeConverter) -> dict[str, Any]:
    """A text path segment: Flask's bounds, and the characters the request guard takes."""
    return {**unicodeconverter2paramschema(converter), "pattern": NO_CONTROL_CHARACTERS}


def init_app(app: Flask) -> None:
    from registry.api import (
        analytes,
        batches,
        certificates,
        feeds,
        health,
        profiles,
        results,
        subscriptions,
        vendors,
    )

    app.config.update(
        API_TITLE="Kratom COA Registry",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        # Swagger UI's validator badge would send the document to an outside host.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
    )
    api.init_app(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
        },
    )
    api.ma_plugin.converter.add_attribute_function(_input_text_pattern)
    api.register_converter(UnicodeConverter, _text_segment)
    # The document has called a stored profile version ``Profile`` since v1; the class is
    # named apart from the loader's ``ProfileSchema`` (registered before the routes use it).
    api.spec.components.schema("Profile", schema=StoredProfileSchema)
    for module in (certificates, batches, results, vendors, profiles, analytes, subscriptions):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
    # Not a route's body, but part of the contract: what a webhook POSTs.
    api.spec.components.schema("WebhookPayload", schema=subscriptions.WebhookPayloadSchema)
    if "Problem" not in api.spec.components.schemas:
        api.spec.components.schema("Problem", schema=ProblemSchema)
    app.register_blueprint(health.bp)
    app.register_blueprint(feeds.bp)
    assets = Path(swagger_ui_bundle.swagger_ui_path)
    app.add_url_rule(
        "/api/docs/assets/<path:filename>",
        "swagger_assets",
        lambda filename: send_from_directory(assets, filename),
    )
