"""The pages an alert mail links to: the double opt-in confirmation and the one-click
unsubscribe, in the site's look.

The signed link is the credential (``services.subscriptions.link_token``), so these
routes take no CSRF token: a mail client's RFC 8058 one-click unsubscribe is a bare
``POST`` of ``List-Unsubscribe=One-Click`` to the link. A ``GET`` of the unsubscribe
link only shows a button (link scanners that fetch every URL of a mail must not
unsubscribe anyone). A forged or altered link is a 400, an expired confirmation link
asks to sign up again; both as pages for browsers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from registry import unit_of_work
from registry.errors import NotFound
from registry.extensions import db
from registry.models import Subscription, SubscriptionStatus
from registry.services import catalog, subscriptions
from registry.tasks.alerts import UNSUBSCRIBE_PATH

bp = Blueprint("alerts", __name__)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def wanted(sub: Subscription) -> str:
    """What a subscription asks for, in words."""
    filters = dict(sub.filters or {})
    vendor = filters.get("vendor")
    if vendor:
        try:
            vendor = catalog.vendor_by_slug(db.session, vendor).name
        except NotFound:
            pass
    parts = [
        f"of {vendor}" if vendor else "",
        f"of the product {filters['product']}" if filters.get("product") else "",
        f"lot {filters['lot']}" if filters.get("lot") else "",
    ]
    what = " ".join(p for p in parts if p)
    return f"failing batches {what}".strip() if what else "every failing batch"


@bp.get("/alerts/confirm/<token>")
def confirm(token: str) -> Any:
    """The double opt-in link: activates the email subscription it names."""

    def work() -> tuple[Subscription, bool] | None:
        sub = subscriptions.from_link(db.session, _secret(), "confirm", token)
        return None if sub is None else (sub, subscriptions.confirm(sub))

    found = unit_of_work.commit(db.session, work)
    if found is None:
        return render_template("alerts_link.html", state="gone"), 404
    sub, _ = found
    if sub.status is SubscriptionStatus.DISABLED:
        return render_template("alerts_link.html", state="disabled", sub=sub), 409
    leave = UNSUBSCRIBE_PATH + subscriptions.link_token(_secret(), "unsubscribe", sub.id, sub.email)
    return render_template(
        "alerts_link.html", state="confirmed", sub=sub, wanted=wanted(sub), unsubscribe_url=leave
    )


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    """GET shows a button; POST (the button, or a mail client's one-click) unsubscribes."""
    if request.method == "GET":
        sub = subscriptions.from_link(db.session, _secret(), "unsubscribe", token)
        if sub is None:
            return render_template("alerts_link.html", state="unsubscribed")
        return render_template("alerts_link.html", state="ask", sub=sub, wanted=wanted(sub))

    def work() -> None:
        sub = subscriptions.from_link(db.session, _secret(), "unsubscribe", token)
        if sub is not None:
            subscriptions.delete(db.session, sub)

    unit_of_work.commit(db.session, work)
    return render_template("alerts_link.html", state="unsubscribed")
