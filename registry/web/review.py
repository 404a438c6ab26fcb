"""The review desk: sign in with an uploader or admin token (kept as a signed session
cookie, re-checked on every request so that a revoked token ends its sessions), then the
queue of certificates the parser was unsure of or could not read, oldest first.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from registry.errors import Unauthorized
from registry.extensions import db
from registry.services import review, tokens
from registry.web import csrf, forms

bp = Blueprint("review", __name__, url_prefix="/review")
SESSION_KEY = "reviewer_token_id"


@bp.before_request
def _check_csrf() -> None:
    csrf.protect()


def _reviewer() -> Any:
    token = review.reviewer(db.session, session.get(SESSION_KEY))
    if token is None:
        session.pop(SESSION_KEY, None)
    return token


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = forms.LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            token = tokens.authenticate(db.session, form.token.data)
        except Unauthorized:
            token = None
        if token is None or token.role not in review.REVIEWER_ROLES:
            error = "That token is unknown, revoked, or may not review certificates."
        else:
            session.clear()  # a new session: no fixation
            session[SESSION_KEY] = token.id
            target = request.args.get("next") or ""
            return redirect(target if target.startswith("/review") else url_for("review.queue"))
    status = 401 if error else 422 if form.errors else 200
    return render_template("review/login.html", form=form, error=error), status


@bp.post("/logout")
def logout() -> Any:
    forms.LogoutForm()  # the CSRF token was checked by before_request
    session.clear()
    return redirect(url_for("web.home"))


@bp.get("/")
def queue() -> Any:
    token = _reviewer()
    if token is None:
        return redirect(url_for("review.login", next=request.path))
    number = min(max(request.args.get("page", type=int) or 1, 1), forms.MAX_PAGE)
    page = review.queue(db.session, page=number, per_page=50)
    pages = max(1, -(-page.total // page.per_page))
    return render_template("review/queue.html", page=page, pages=pages, reviewer=token,
                           logout=forms.LogoutForm())
