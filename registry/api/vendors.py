"""``/api/v1/vendors``: who sells, how many batches, how many fail."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app, url_for
from flask.views import MethodView

from registry.api.smorest import Blueprint
from registry.extensions import db
from registry.schemas.vendors import VendorArgs, VendorPageSchema, VendorSchema
from registry.services import vendors

blp = Blueprint("vendors", __name__, description="Vendors with batch and failure counts")


def _with_url(item: dict[str, Any]) -> dict[str, Any]:
    item["url"] = url_for("vendors.VendorBySlug", slug=item["slug"])
    return item


@blp.route("/vendors")
class Vendors(MethodView):
    @blp.arguments(VendorArgs, location="query", unknown=ma.RAISE)
    @blp.response(200, VendorPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Vendors, by name; ``q`` matches any spelling."""
        page = vendors.list_vendors(
            db.session,
            q=args.get("q"),
            profile=args.get("profile") or current_app.config["DEFAULT_PROFILE"],
            page=args["page"],
            per_page=args["per_page"],
        )
        return {
            "items": [_with_url(i) for i in page.items],
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }


@blp.route("/vendors/<slug>")
class VendorBySlug(MethodView):
    @blp.response(200, VendorSchema)
    def get(self, slug: str) -> Any:
        """One vendor with its spellings and counts."""
        return _with_url(
            vendors.get_vendor(db.session, slug, profile=current_app.config["DEFAULT_PROFILE"])
        )
