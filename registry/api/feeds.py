"""The Atom feed of failures (``/feeds/failures.atom``). The pages alert mails link to
(confirmation, one-click unsubscribe) are ``registry.web.alerts``."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, request

from registry.extensions import db
from registry.services import feed, subscriptions
from registry.services.subscriptions import FILTERS

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/failures.atom")
def failures_atom() -> Response:
    """Atom 1.0: the newest 100 failures matching the query's filters."""
    cfg = current_app.config
    raw = {k: v for k, v in request.args.items() if k in FILTERS}
    filters = subscriptions.normalize_filters(db.session, raw, cfg["DEFAULT_PROFILE"])
    events = feed.entries(db.session, filters, cfg["DEFAULT_PROFILE"])
    body = feed.atom(
        db.session, events, base_url=cfg["BASE_URL"], self_url=request.url, filters=filters
    )
    resp = Response(body, mimetype="application/atom+xml")
    resp.set_etag(hashlib.sha256(body).hexdigest()[:32])
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.make_conditional(request)
    return resp
