"""``/api/v1/batches``: search (JSON, CSV or JSON Lines) and one batch in full."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Response, current_app, url_for
from flask.views import MethodView

from registry.api import export
from registry.api.smorest import Blueprint, export_content
from registry.extensions import db
from registry.schemas.batches import BatchPageSchema, BatchSchema, BatchSearchArgs
from registry.services import batches, search

blp = Blueprint("batches", __name__, description="Batches (lots) and their verdicts")

EXPORT_FIELDS = (
    "id",
    "vendor",
    "vendor_slug",
    "product",
    "lot",
    "status",
    "profile",
    "tested",
    "worst_status",
    "failing_profiles",
    "url",
)


def _renderer() -> Any:
    """Turn search items into the documented ``BatchItemSchema`` shape, without a
    marshmallow dump or a ``url_for`` per item (a search answers many of them)."""
    base = url_for("batches.BatchById", batch_id=0, _external=False)[:-1]

    def render(item: dict[str, Any]) -> dict[str, Any]:
        tested = item["tested"]
        item["tested"] = tested.isoformat() if tested is not None else None
        item["url"] = f"{base}{item['id']}"
        return item

    return render


def filters_of(args: dict[str, Any]) -> tuple[search.BatchFilters, str]:
    """The search's filters, checked (an unknown analyte or profile is a 422) before
    anything is answered, exports included."""
    profile = args.get("profile") or current_app.config["DEFAULT_PROFILE"]
    fields = {k: v for k, v in args.items() if k in search.BatchFilters.__dataclass_fields__}
    return search.validate_filters(
        db.session, search.BatchFilters(**fields), args.get("profile")
    ), profile


@blp.route("/batches")
class Batches(MethodView):
    # An instance, not the class: webargs would build (deep-copy) a schema per request.
    @blp.arguments(BatchSearchArgs(), location="query", unknown=ma.RAISE)
    @blp.response(
        200,
        BatchPageSchema,
        description="a page of batches; with `format=csv` or "
        "`format=jsonl`, every match as CSV or JSON Lines",
    )
    @blp.doc(responses={200: {"content": export_content(EXPORT_FIELDS, "BatchItem")}})
    def get(self, args: dict[str, Any]) -> Any:
        """Search batches. ``format=csv`` or ``format=jsonl`` streams every match instead of a page.

        ``total`` is exact up to 1,000 matches (``total_exact``); every page carries a
        ``next_cursor`` for the next one (``cursor``), and ``page`` reaches 10,000 batches deep."""
        filters, profile = filters_of(args)
        if args["format"] != "json":
            return _export(filters, profile, args["format"])
        page = search.search_batches(
            db.session,
            filters,
            profile=profile,
            page=args["page"],
            per_page=args["per_page"],
            cursor=args.get("cursor"),
        )
        render = _renderer()
        body = {
            "items": [render(i) for i in page.items],
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "total_exact": page.total_exact,
            "next_cursor": page.next_cursor,
        }
        # Already in BatchPageSchema's shape: serialised here, not dumped again.
        return current_app.response_class(
            json.dumps(body, separators=(",", ":")) + "\n", mimetype="application/json"
        )


def _export(filters: search.BatchFilters, profile: str, fmt: str) -> Response:
    render = _renderer()
    rows = (render(item) for item in search.iter_batches(db.session, filters, profile=profile))
    return export.response(rows, EXPORT_FIELDS, fmt, "batches")


@blp.route("/batches/<int:batch_id>")
class BatchById(MethodView):
    @blp.response(200, BatchSchema)
    def get(self, batch_id: int) -> Any:
        """A batch: its certificates, latest results and verdict under each profile."""
        detail = batches.detail(db.session, batch_id, profile=current_app.config["DEFAULT_PROFILE"])
        detail["certificates"] = [
            {
                "url": url_for("certificates.CertificateById", certificate_id=c.id),
                "pdf_url": url_for("certificates.CertificatePdf", certificate_id=c.id),
                **{
                    k: getattr(c, k)
                    for k in (
                        "id",
                        "sha256",
                        "status",
                        "tested",
                        "reported",
                        "report_number",
                        "lab",
                    )
                },
            }
            for c in detail["certificates"]
        ]
        return detail
