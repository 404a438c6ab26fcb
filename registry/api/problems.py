"""``/problems/<slug>``: what each problem ``type`` of an error answer means.

Every problem answer's ``type`` is an absolute URI of this route, so a client or a
person who follows it reads what went wrong and what to do (JSON, or a small page for
browsers).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from markupsafe import escape

from registry.errors import PROBLEMS, NotFound

bp = Blueprint("problems", __name__)


@bp.get("/problems/<slug>")
def problem_type(slug: str) -> Any:
    if slug not in PROBLEMS:
        raise NotFound(f"no problem type {slug!r}")
    meaning, what_to_do = PROBLEMS[slug]
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        return (f"<!doctype html><html lang=en><meta charset=utf-8><title>{escape(slug)}</title>"
                f"<main><h1>{escape(meaning)}</h1><p>{escape(what_to_do)}</p>"
                f"<p>Problem type <code>{escape(slug)}</code> of the Kratom COA Registry API "
                f"(<a href=\"/api/docs\">API documentation</a>).</p></main></html>")
    return {"type": slug, "title": meaning, "detail": what_to_do}
