"""``/healthz`` and ``/metrics``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint

from registry.errors import problem
from registry.extensions import db
from registry.observability import metrics_view

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    """200 when the database answers."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return problem(503, "Service Unavailable", "the database does not answer")
    return {"status": "ok"}


bp.add_url_rule("/metrics", "metrics", metrics_view)
