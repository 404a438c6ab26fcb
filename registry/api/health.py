"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint

from registry.api.problems import problem
from registry.extensions import db
from registry.observability import metrics_view
from registry.services import profiles

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    """200 when the database answers; ``degraded`` when no threshold profile is in force
    (then no batch gets a verdict)."""
    try:
        in_force = [p.code for p in profiles.list_current(db.session)]
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return problem(
            503,
            "Service Unavailable",
            "the database does not answer, or is not migrated (run `flask --app wsgi db upgrade`)",
        )
    if not in_force:
        return {
            "status": "degraded",
            "profiles": [],
            "detail": "no threshold profile is in force, so no batch is judged: "
            "run `flask --app wsgi db upgrade` (or `profiles load`)",
        }
    return {"status": "ok", "profiles": in_force}


bp.add_url_rule("/metrics", "metrics", metrics_view)
