"""The JSON API under ``/api/v1``: blueprints, auth, OpenAPI document and docs.

Views only parse input (marshmallow, through flask-smorest), call a service and render.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Flask, send_from_directory
from flask_smorest import Api as _Api

from registry.api import problems

API_PREFIX = "/api/v1"


class Api(_Api):
    """flask-smorest, answering errors as problem+json like the rest of the registry."""

    def handle_http_exception(self, error):  # type: ignore[no-untyped-def]
        return problems.handle_http_exception(error)


api = Api()


def init_app(app: Flask) -> None:
    from registry.api import (
        analytes,
        batches,
        certificates,
        feeds,
        health,
        profiles,
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
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}})
    for module in (certificates, batches, vendors, profiles, analytes, subscriptions):
        api.register_blueprint(module.blp, url_prefix=API_PREFIX)
    # Not a route's body, but part of the contract: what a webhook POSTs.
    api.spec.components.schema("WebhookPayload", schema=subscriptions.WebhookPayloadSchema)
    app.register_blueprint(health.bp)
    app.register_blueprint(feeds.bp)
    assets = Path(swagger_ui_bundle.swagger_ui_path)
    app.add_url_rule("/api/docs/assets/<path:filename>", "swagger_assets",
                     lambda filename: send_from_directory(assets, filename))
