"""Pages outside the JSON API that alerts link to: the Atom feed of failures, the
email confirmation link and the one-click unsubscribe link (RFC 8058)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, current_app, render_template_string, request

from registry import unit_of_work
from registry.extensions import db
from registry.models import SubscriptionStatus
from registry.services import feed, subscriptions
from registry.services.subscriptions import FILTERS

bp = Blueprint("feeds", __name__)

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>{{ text }}</p>
{% if form %}<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>{% endif %}</body></html>"""


def _page(title: str, text: str, *, form: bool = False, status: int = 200) -> Response:
    return Response(render_template_string(_PAGE, title=title, text=text, form=form),
                    status=status, mimetype="text/html")


@bp.get("/feeds/failures.atom")
def failures_atom() -> Response:
    """Atom 1.0: the newest 100 failures matching the query's filters."""
    cfg = current_app.config
    raw = {k: v for k, v in request.args.items() if k in FILTERS}
    filters = subscriptions.normalize_filters(db.session, raw, cfg["DEFAULT_PROFILE"])
    events = feed.entries(db.session, filters, cfg["DEFAULT_PROFILE"])
    body = feed.atom(db.session, events, base_url=cfg["BASE_URL"], self_url=request.url,
                     filters=filters)
    resp = Response(body, mimetype="application/atom+xml")
    resp.set_etag(hashlib.sha256(body).hexdigest()[:32])
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.make_conditional(request)
    return resp


@bp.get("/alerts/confirm/<token>")
def confirm(token: str) -> Response:
    """The double opt-in link: activates the email subscription it names."""
    def work() -> Any:
        sub = subscriptions.from_link(db.session, current_app.config["SECRET_KEY"], "confirm",
                                      token)
        return None if sub is None else (subscriptions.confirm(sub), sub.status)

    found = unit_of_work.commit(db.session, work)
    if found is None:
        return _page("Not found", "This subscription no longer exists.", status=404)
    if found[1] is SubscriptionStatus.DISABLED:
        return _page("Disabled", "This subscription was disabled.", status=409)
    return _page("Confirmed", "Failure alerts will be sent to this address.")


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Response:
    """GET shows a button (link scanners must not unsubscribe anyone); POST, as a mail
    client's one-click ``List-Unsubscribe=One-Click`` does, unsubscribes."""
    secret = current_app.config["SECRET_KEY"]
    if request.method == "GET":
        sub = subscriptions.from_link(db.session, secret, "unsubscribe", token)
        if sub is None:
            return _page("Unsubscribed", "This address gets no more alerts from this subscription.")
        return _page("Unsubscribe", f"Stop failure alerts to {sub.email}?", form=True)

    def work() -> None:
        sub = subscriptions.from_link(db.session, secret, "unsubscribe", token)
        if sub is not None:
            subscriptions.delete(db.session, sub)

    unit_of_work.commit(db.session, work)
    return _page("Unsubscribed", "This address gets no more alerts from this subscription.")
