"""The pages' views: parse the request, call a service, render a template."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import segno
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from registry.errors import NotFound, Unprocessable
from registry.extensions import db
from registry.services import (
    analytes,
    batches,
    catalog,
    corrections,
    overview,
    profiles,
    search,
    vendors,
)
from registry.web import csrf, forms, present, subscriptions

bp = Blueprint("web", __name__)

LATEST_FAILING = 10


@bp.before_request
def _check_csrf() -> None:
    """Every form posted to a page carries the session's CSRF token."""
    csrf.protect()


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        unit=present.unit_text, number=present.number, analyte=analytes.name_of
    )
    app.jinja_env.globals.update(
        status_words=present.STATUS_WORDS,
        status_icons=present.STATUS_ICONS,
        verified_words=present.VERIFIED_WORDS,
        badge=present.badge,
        correction_lines=present.correction_lines,
    )


def _default_profile() -> str:
    return str(current_app.config["DEFAULT_PROFILE"])


def _profile_rows() -> dict[str, Any]:
    """Current profiles by code (name, jurisdiction, definition), for words and limits."""
    return {
        p.code: {
            "code": p.code,
            "name": p.name,
            "jurisdiction": p.jurisdiction,
            "version": p.version,
            "definition": p.definition,
        }
        for p in profiles.list_current(db.session)
    }


# ---------------------------------------------------------------------------------------
# Home and search


@bp.get("/")
def home() -> str:
    return render_template(
        "home.html",
        counts=overview.counts(db.session),
        latest=overview.latest_failing(db.session, LATEST_FAILING),
        default_profile=_default_profile(),
    )


@bp.get("/search")
def search_page() -> Any:
    form = forms.SearchForm(request.args)
    form.set_profiles(profiles.current_names(db.session), _default_profile())
    if not form.validate():
        return _search_render(form, None, {name: errs for name, errs in form.errors.items()}, 422)
    profile = form.profile.data or _default_profile()
    base = search.BatchFilters(
        status=form.status.data or None,
        analyte=form.analyte.data or None,
        lab=form.lab.data or None,
        tested_after=form.tested_after.data,
        tested_before=form.tested_before.data,
    )
    try:
        base = search.validate_filters(db.session, base, form.profile.data or None)
    except Unprocessable as error:
        return _search_render(form, None, error.errors or {"q": [str(error)]}, 422)
    try:
        filters, page = overview.box_search(
            db.session,
            form.q.data,
            base,
            profile=profile,
            page=form.page.data or 1,
            per_page=form.per_page.data,
            oldest=form.sort.data == "oldest",
        )
    except Unprocessable as error:  # a page deeper than search.PAGE_CAP batches
        return _search_render(form, None, error.errors or {"page": [str(error)]}, 422)
    if page.total == 1 and filters.lot and page.page == 1 and request.args.get("go") == "1":
        return redirect(url_for("web.batch", batch_id=page.items[0]["id"]))
    return _search_render(form, page, {}, 200, profile=profile, oldest=form.sort.data == "oldest")


def _pages(page: search.SearchPage) -> int:
    """Pages a pager offers: those of the matches counted, no deeper than ``page`` reaches
    (``search.PAGE_CAP`` batches)."""
    return max(1, min(-(-page.total // page.per_page), search.PAGE_CAP // page.per_page))


def _search_render(
    form: forms.SearchForm,
    page: search.SearchPage | None,
    errors: dict[str, Any],
    status: int,
    profile: str | None = None,
    oldest: bool = False,
) -> tuple[str, int]:
    args = {k: v for k, v in request.args.items() if k not in ("page", "go") and v}

    def page_url(number: int) -> str:
        return url_for("web.search_page") + "?" + urlencode({**args, "page": number})

    pages = 0 if page is None else _pages(page)
    return render_template(
        "search.html",
        form=form,
        page=page,
        errors=errors,
        pages=pages,
        page_url=page_url,
        profile=profile or _default_profile(),
        default_profile=_default_profile(),
        any_profile=profile == search.ANY_PROFILE,
        oldest=oldest,
    ), status


# ---------------------------------------------------------------------------------------
# A batch


@bp.get("/batches/<int:batch_id>")
def batch(batch_id: int) -> str:
    detail = batches.detail(db.session, batch_id, profile=_default_profile())
    known = _profile_rows()
    shown = request.args.get("profile") or _default_profile()
    if shown not in known:
        shown = _default_profile()
    verdicts = sorted(
        detail["verdicts"],
        key=lambda v: (
            v["profile"] != _default_profile(),
            present.STATUSES_ORDER.get(v["status"], 9),
            v["profile"],
        ),
    )
    judged = [
        {
            "verdict": v,
            "profile": known.get(v["profile"]),
            "reasons": present.reasons(v, known.get(v["profile"])),
            "extras": present.extras(v),
        }
        for v in verdicts
    ]
    by_code = {v["profile"]: v for v in verdicts}
    labels = {c.id: _certificate_label(c) for c in detail["certificates"]}
    groups = present.group_results(
        detail["results"],
        labels,
        present.limits_by_analyte((known.get(shown) or {}).get("definition")),
        present.failing_analytes(by_code.get(shown)),
    )
    worst = min(
        (v["status"] for v in verdicts),
        key=lambda s: present.STATUSES_ORDER.get(s, 9),
        default=None,
    )
    page_url = _public_url(url_for("web.batch", batch_id=batch_id))
    corrected = corrections.corrected(db.session, labels)
    return render_template(
        "batch.html",
        batch=detail,
        corrected=corrected,
        judged=judged,
        groups=groups,
        shown=shown,
        known=known,
        worst=worst,
        labels=labels,
        page_url=page_url,
        default=by_code.get(_default_profile()),
        default_profile=_default_profile(),
        age=present.age_days,
    )


def _certificate_label(cert: Any) -> str:
    parts = [cert.lab.name if cert.lab else "Unknown lab"]
    if cert.report_number:
        parts.append(f"report {cert.report_number}")
    return f"Certificate {cert.id} ({', '.join(parts)})"


def _public_url(path: str) -> str:
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def _qr(batch_id: int) -> segno.QRCode:
    batches.get(db.session, batch_id)  # 404 for a batch that does not exist
    return segno.make(_public_url(url_for("web.batch", batch_id=batch_id)), error="m")


@bp.get("/batches/<int:batch_id>/qr.svg")
def batch_qr_svg(batch_id: int) -> Response:
    out = io.BytesIO()
    _qr(batch_id).save(
        out, kind="svg", scale=4, border=2, xmldecl=False, title=f"QR code of batch {batch_id}"
    )
    return _download(out.getvalue(), "image/svg+xml", f"batch-{batch_id}-qr.svg")


@bp.get("/batches/<int:batch_id>/qr.png")
def batch_qr_png(batch_id: int) -> Response:
    out = io.BytesIO()
    _qr(batch_id).save(out, kind="png", scale=8, border=2)
    return _download(out.getvalue(), "image/png", f"batch-{batch_id}-qr.png")


def _download(body: bytes, mimetype: str, name: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    if request.args.get("download") == "1":
        resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.cache_control.public = True
    resp.cache_control.max_age = 3600
    return resp


# ---------------------------------------------------------------------------------------
# Vendors and profiles


@bp.get("/vendors")
def vendor_list() -> str:
    q = (request.args.get("q") or "").strip()[:200] or None
    number = request.args.get("page", type=int) or 1
    number = min(max(number, 1), forms.MAX_PAGE)
    page = vendors.list_vendors(
        db.session, q=q, profile=_default_profile(), page=number, per_page=50
    )
    pages = max(1, -(-page.total // page.per_page))
    return render_template(
        "vendors.html", page=page, q=q or "", pages=pages, default_profile=_default_profile()
    )


@bp.get("/vendors/<slug>")
def vendor(slug: str) -> str:
    info, vendor_id, failing_any = vendors.page_figures(
        db.session, slug, profile=_default_profile()
    )
    number = min(max(request.args.get("page", type=int) or 1, 1), forms.MAX_PAGE)
    page = search.search_batches(
        db.session,
        search.BatchFilters(vendor=slug),
        profile=_default_profile(),
        page=number,
        per_page=50,
    )
    trends = overview.vendor_trends(db.session, vendor_id)
    limits = _limits(_default_profile())
    charts = {
        "lead": present.chart(trends["lead"], unit="ug/g", limit=limits.get("lead")),
        "share": present.chart(
            trends["seven_oh_share"], unit="%", limit=limits.get("7_hydroxymitragynine:share")
        ),
    }
    pages = _pages(page)
    return render_template(
        "vendor.html",
        vendor=info,
        page=page,
        pages=pages,
        failing_any=failing_any,
        charts=charts,
        trends=trends,
        default_profile=_default_profile(),
    )


def _limits(code: str) -> dict[str, float]:
    """The profile's numeric limits by analyte, for the charts' limit lines."""
    return present.limits_values({"definition": profiles.current_definition(db.session, code)})


@bp.get("/profiles")
def profile_list() -> str:
    return render_template(
        "profiles.html",
        profiles=profiles.list_current(db.session),
        default_profile=_default_profile(),
    )


@bp.get("/profiles/<code>")
def profile(code: str) -> str:
    row = profiles.get_current(db.session, code)
    return render_template(
        "profile.html",
        profile=row,
        rules=row.definition.get("rules") or [],
        default_profile=_default_profile(),
    )


# ---------------------------------------------------------------------------------------
# Subscribing


@bp.route("/subscribe", methods=["GET", "POST"])
def subscribe() -> Any:
    form = forms.SubscribeForm()
    vendor_slug = form.vendor.data if request.method == "POST" else request.args.get("vendor")
    product = form.product.data if request.method == "POST" else request.args.get("product")
    vendor_name = None
    if vendor_slug:
        try:
            vendor_name = catalog.vendor_by_slug(db.session, vendor_slug).name
        except NotFound:
            abort(404)
    if request.method == "GET":
        form.vendor.data, form.product.data = vendor_slug or "", product or ""
        form.scope.data = "product" if product else "vendor" if vendor_slug else "everything"
    outcome = None
    status = 200
    if request.method == "POST":
        db.session.rollback()  # end this request's read before the API's own unit of work
        if form.validate_on_submit():
            outcome = subscriptions.submit(
                current_app, form.email.data, form.scope.data, vendor_slug or None, product or None
            )
            status = 200 if outcome.ok else outcome.status
        else:
            status = 422
    return render_template(
        "subscribe.html",
        form=form,
        outcome=outcome,
        vendor_slug=vendor_slug,
        vendor_name=vendor_name,
        product=product,
        default_profile=_default_profile(),
    ), status
