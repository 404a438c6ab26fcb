"""``/api/v1/results``: the results of the batches a search finds, one row per result,
with its limit and verdict under a profile (JSON, CSV or JSON Lines)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from registry.api import export
from registry.api.batches import filters_of
from registry.api.smorest import Blueprint, export_content
from registry.extensions import db
from registry.schemas.results import ResultRowPageSchema, ResultSearchArgs
from registry.services import exports, search

blp = Blueprint(
    "results",
    __name__,
    description="Results of the batches a search finds, with limits and verdicts",
)


@blp.route("/results")
class Results(MethodView):
    @blp.arguments(ResultSearchArgs(), location="query", unknown=ma.RAISE)
    @blp.response(
        200,
        ResultRowPageSchema,
        description="the results of a page of batches; with "
        "`format=csv` or `format=jsonl`, of every match",
    )
    @blp.doc(responses={200: {"content": export_content(exports.COLUMNS, "ResultRow")}})
    def get(self, args: dict[str, Any]) -> Any:
        """The results of the batches the filters find (those of ``GET /api/v1/batches``),
        in the batch search's order: one row per result each batch is judged on, with its
        batch, vendor, lot, lab, test date, value, unit, qualifier, and its limit and
        verdict under ``profile`` (the default profile when none or ``any`` is asked).
        ``page`` and ``per_page`` count batches."""
        filters, profile = filters_of(args)
        judged_by = exports.judge_profile(
            db.session, args.get("profile"), current_app.config["DEFAULT_PROFILE"]
        )
        if args["format"] != "json":
            batches = search.iter_batches(db.session, filters, profile=profile)
            rows = exports.result_rows(db.session, batches, profile=judged_by)
            return export.response(rows, exports.COLUMNS, args["format"], "results")
        page = search.search_batches(
            db.session, filters, profile=profile, page=args["page"], per_page=args["per_page"]
        )
        return {
            "items": list(exports.result_rows(db.session, page.items, profile=judged_by)),
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
        }
