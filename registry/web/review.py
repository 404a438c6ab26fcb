"""The review desk: sign in with an uploader or admin token (kept as a signed session
cookie, re-checked on every request so that a revoked token ends its sessions), then the
queue of certificates the parser was unsure of or could not read, oldest first; and
one certificate's page images beside its parsed fields, where a reviewer confirms it or
corrects its vendor, product and lot, the product's form and intake, a date or a
result, adds a missed result or deletes a wrong one
(``services.corrections``: audit log, batch re-judged in the same transaction).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

import parsers
from registry import unit_of_work
from registry.errors import NotFound, RegistryError, Unauthorized, Unprocessable
from registry.extensions import db
from registry.services import analytes, audit, corrections, review, tokens
from registry.services import certificates as certificate_store
from registry.storage import get_storage
from registry.tasks import parsing
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
    return render_template(
        "review/queue.html", page=page, pages=pages, reviewer=token, logout=forms.LogoutForm()
    )


# ---------------------------------------------------------------------------------------
# One certificate: the page image beside the parsed fields, and the corrections


def _signed_in() -> Any:
    token = _reviewer()
    if token is None:
        raise Unauthorized("sign in at /review/login first")
    return token


@bp.get("/certificates/<int:certificate_id>")
def certificate(certificate_id: int) -> Any:
    token = _reviewer()
    if token is None:
        return redirect(url_for("review.login", next=request.path))
    cert = certificate_store.get(db.session, certificate_id)
    results = sorted(cert.results, key=lambda r: (r.category, analytes.name_of(r.analyte)))
    forms_by_result = {}
    for r in results:
        f = forms.ResultForm(formdata=None, prefix=f"r{r.id}")
        f.value.data, f.unit.data, f.qualifier.data = r.value, r.unit, r.qualifier
        forms_by_result[r.id] = f
    dates = forms.DatesForm(formdata=None, obj=cert)
    batch = cert.batch
    names = forms.BatchForm(
        formdata=None,
        data={
            "vendor": batch.vendor.name if batch else "",
            "lot": batch.lot if batch else "",
            "product": batch.product.name if batch and batch.product else "",
        },
    )
    product = batch.product if batch else None
    facts = forms.ProductForm(
        formdata=None,
        data={
            "form": (product.form if product else None) or "unknown",
            "serving_g": product.serving_g if product else None,
            "servings_per_day": product.servings_per_day if product else None,
        },
    )
    document = cert.document or {}
    read = {
        "vendor": document.get("vendor"),
        "product": document.get("product"),
        "lot": document.get("batch"),
    }
    return render_template(
        "review/certificate.html",
        cert=cert,
        results=results,
        reviewer=token,
        names=names,
        facts=facts,
        product=product,
        read=read,
        result_forms=forms_by_result,
        dates=dates,
        add=forms.AddResultForm(formdata=None),
        plain=forms.LogoutForm(),
        history=corrections.history(db.session, cert.id),
        done=request.args.get("done"),
        logout=forms.LogoutForm(),
    )


@bp.get("/certificates/<int:certificate_id>/pages/<int:number>.png")
def page_image(certificate_id: int, number: int) -> Any:
    _signed_in()
    cert = certificate_store.get(db.session, certificate_id)
    data = get_storage().open(cert.sha256)
    db.session.rollback()  # end the read before the child draws the page
    # An untrusted PDF is drawn in the parser's resource-limited child, never in here.
    try:
        png = parsers.render_page_isolated(
            data, number, certificate_store.limits_from_config(current_app.config)
        )
    except parsers.ParseError as error:
        raise NotFound(
            f"page {number} of certificate {certificate_id} cannot be drawn: {error.message}"
        ) from None
    if png is None:
        raise NotFound(f"certificate {certificate_id} has no page {number}")
    resp = Response(png, mimetype="image/png")
    resp.cache_control.private = True  # a certificate's bytes never change (stored by hash)
    resp.cache_control.max_age = 3600
    return resp


def _apply(certificate_id: int, change: Any, done: str) -> Any:
    token = _signed_in()
    actor = audit.actor_of(token)
    unit_of_work.commit(db.session, lambda: change(actor))
    return redirect(url_for("review.certificate", certificate_id=certificate_id, done=done))


def _invalid(form: Any) -> Unprocessable:
    """The form's problems in words (the error page shows the detail), and per field."""
    words = "; ".join(
        f"{getattr(form, name).label.text if hasattr(form, name) else name}: {' '.join(errs)}"
        for name, errs in form.errors.items()
    )
    return Unprocessable(f"the correction could not be used ({words})", errors=form.errors)


@bp.post("/certificates/<int:certificate_id>/results/<int:result_id>")
def correct_result(certificate_id: int, result_id: int) -> Any:
    _signed_in()
    form = forms.ResultForm(prefix=f"r{result_id}")
    if not form.validate():
        raise _invalid(form)
    return _apply(
        certificate_id,
        lambda actor: corrections.correct_result(
            db.session,
            certificate_id,
            result_id,
            value=form.value.data,
            unit=form.unit.data or None,
            qualifier=form.qualifier.data,
            actor=actor,
            request_id=g.get("request_id"),
        ),
        "corrected",
    )


@bp.post("/certificates/<int:certificate_id>/results/<int:result_id>/delete")
def delete_result(certificate_id: int, result_id: int) -> Any:
    _signed_in()
    return _apply(
        certificate_id,
        lambda actor: corrections.delete_result(
            db.session, certificate_id, result_id, actor=actor, request_id=g.get("request_id")
        ),
        "deleted",
    )


@bp.post("/certificates/<int:certificate_id>/results")
def add_result(certificate_id: int) -> Any:
    _signed_in()
    form = forms.AddResultForm()
    if not form.validate():
        raise _invalid(form)
    code = analytes.resolve_or_refuse(form.analyte.data)
    return _apply(
        certificate_id,
        lambda actor: corrections.add_result(
            db.session,
            certificate_id,
            analyte=code,
            value=form.value.data,
            unit=form.unit.data or None,
            qualifier=form.qualifier.data,
            page=form.page.data,
            actor=actor,
            request_id=g.get("request_id"),
        ),
        "added",
    )


@bp.post("/certificates/<int:certificate_id>/dates")
def correct_dates(certificate_id: int) -> Any:
    _signed_in()
    form = forms.DatesForm()
    if not form.validate():
        raise _invalid(form)
    return _apply(
        certificate_id,
        lambda actor: corrections.correct_dates(
            db.session,
            certificate_id,
            received=form.received.data,
            tested=form.tested.data,
            reported=form.reported.data,
            actor=actor,
            request_id=g.get("request_id"),
        ),
        "dates",
    )


@bp.post("/certificates/<int:certificate_id>/batch")
def correct_batch(certificate_id: int) -> Any:
    _signed_in()
    form = forms.BatchForm()
    if not form.validate():
        raise _invalid(form)
    return _apply(
        certificate_id,
        lambda actor: corrections.correct_batch(
            db.session,
            certificate_id,
            vendor=form.vendor.data,
            product=form.product.data or None,
            lot=form.lot.data,
            actor=actor,
            request_id=g.get("request_id"),
        ),
        "batch",
    )


@bp.post("/certificates/<int:certificate_id>/product")
def correct_product(certificate_id: int) -> Any:
    _signed_in()
    form = forms.ProductForm()
    if not form.validate():
        raise _invalid(form)
    return _apply(
        certificate_id,
        lambda actor: corrections.correct_product(
            db.session,
            certificate_id,
            form=form.form.data,
            serving_g=form.serving_g.data,
            servings_per_day=form.servings_per_day.data,
            actor=actor,
            request_id=g.get("request_id"),
        ),
        "product",
    )


@bp.post("/certificates/<int:certificate_id>/confirm")
def confirm(certificate_id: int) -> Any:
    _signed_in()
    return _apply(
        certificate_id,
        lambda actor: corrections.confirm(
            db.session, certificate_id, actor=actor, request_id=g.get("request_id")
        ),
        "confirmed",
    )


# ---------------------------------------------------------------------------------------
# Upload: the API's path (same checks, limits and parse sandbox), one file at a time


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Any:
    token = _reviewer()
    if token is None:
        return redirect(url_for("review.login", next=request.path))
    form = forms.UploadForm()
    outcomes: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        else:
            token_id, actor = token.id, audit.actor_of(token)
            outcomes = [
                _upload_one(f, token_id, actor) for f in request.files.getlist(form.files.name)
            ]
    return render_template(
        "review/upload.html", form=form, outcomes=outcomes, reviewer=token
    ), status


def _upload_one(storage_file: Any, token_id: int, actor: str) -> dict[str, Any]:
    """Take one file in as the API does (its own unit of work, so that one bad file
    leaves the others recorded); what happened, in words."""
    name = storage_file.filename or "upload.pdf"
    upload = certificate_store.Upload(data=storage_file.read(), filename=name)
    try:
        cert, created = parsing.upload(
            upload, uploader_id=token_id, actor=actor, request_id=g.get("request_id")
        )
        current_app.extensions["registry.metrics"].uploads.labels(
            cert.status.value if created else "duplicate"
        ).inc()
        return {"name": name, "certificate": cert, "created": created}
    except RegistryError as error:
        db.session.rollback()
        return {"name": name, "error": str(error)}
