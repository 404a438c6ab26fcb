"""The pages over HTTP (Flask's test client, both databases): what they say, their
headers, CSRF, cookies, and errors as pages for browsers and problem+json for the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import XSS, Catalogue, seed

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _csrf(client: Any, path: str) -> str:
    page = client.get(path, headers=HTML).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_pages_carry_their_own_csp_and_the_api_keeps_the_strict_one(
    client, catalogue: Catalogue
) -> None:
    for path in (
        "/",
        "/search?q=RB",
        f"/batches/{catalogue.batches['leaded']}",
        "/profiles",
        "/subscribe",
    ):
        resp = client.get(path, headers=HTML)
        assert resp.status_code == 200, path
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, (path, csp)
        assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
        assert resp.headers["X-Frame-Options"] == "DENY"
    api = client.get("/api/v1/batches")
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "script-src" not in api.headers["Content-Security-Policy"]


def test_every_value_is_escaped(client, catalogue: Catalogue) -> None:
    for path in (
        "/search?q=XSS-1",
        f"/batches/{catalogue.batches['xss']}",
        f"/vendors/{catalogue.vendors['xss']}",
        "/search?q=" + XSS,
    ):
        body = client.get(path, headers=HTML).get_data(as_text=True)
        assert XSS not in body, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(
        f"/batches/{catalogue.batches['xss']}", headers=HTML
    ).get_data(as_text=True)


def test_the_batch_page_says_why_in_words(client, catalogue: Catalogue) -> None:
    body = client.get(f"/batches/{catalogue.batches['leaded']}", headers=HTML).get_data(
        as_text=True
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)).replace("&#39;", "'")
    assert "Lead 2.1 µg/g is over Utah's limit of 1.2 µg/g (Utah Admin. Code R70-580-5" in text
    assert "No Enterobacteriaceae test on this certificate" in text
    assert "Over the limit: 2.1 µg/g" in text  # the cell says it, besides its colour
    assert re.search(r'href="/api/v1/certificates/\d+/pdf#page=1"', body)
    assert "days after the test" in text and "QR code" in text


def test_search_takes_names_symbols_and_any_profile(client, catalogue: Catalogue) -> None:
    def found(query: str) -> str:
        resp = client.get("/search?" + query, headers=HTML)
        assert resp.status_code == 200, (query, resp.status_code)
        return re.search(r"(\d+) batch(?:es)? found", resp.get_data(as_text=True)).group(1)

    assert found("analyte=Pb") == found("analyte=lead") == found("analyte=Lead") == "4"
    assert found("analyte=7-OH&lab=example") == "4"
    assert int(found("status=fail&profile=any")) >= 1
    assert found("status=fail&profile=utah-r70-580") == "1"
    assert found("q=golden") == "1"
    assert found("tested_after=2024-02-01&tested_before=2024-02-28") == "2"
    bad = client.get("/search?analyte=unobtainium", headers=HTML)
    assert bad.status_code == 422 and "unknown analyte" in bad.get_data(as_text=True)
    assert client.get("/search?tested_after=2024-13-45", headers=HTML).status_code == 422
    assert client.get("/search?page=0", headers=HTML).status_code == 422


def test_a_lot_in_the_home_box_goes_to_its_batch(client, catalogue: Catalogue) -> None:
    resp = client.get("/search?q=rb.2024.0117&go=1", headers=HTML)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/batches/{catalogue.batches['leaded']}"
    )
    resp = client.get("/search?q=RB-2024&go=1", headers=HTML)  # two lots start so: a list
    assert resp.status_code == 200 and "2 batches found" in resp.get_data(as_text=True)


def test_qr_codes_name_the_public_url(make_app, shipped_profiles) -> None:
    app = make_app(BASE_URL="https://registry.example.org")
    cat = seed(app)
    client = app.test_client()
    batch_id = cat.batches["leaded"]
    svg = client.get(f"/batches/{batch_id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<path" in svg.data
    png = client.get(f"/batches/{batch_id}/qr.png?download=1")
    assert png.data.startswith(b"\x89PNG") and "attachment" in png.headers["Content-Disposition"]
    page = client.get(f"/batches/{batch_id}", headers=HTML).get_data(as_text=True)
    assert f"https://registry.example.org/batches/{batch_id}" in page
    assert client.get("/batches/999999/qr.svg").status_code == 404


def test_forms_need_the_csrf_token_and_cookies_are_guarded(client, catalogue: Catalogue) -> None:
    refused = client.post(
        "/subscribe", data={"email": "a@example.org", "scope": "everything"}, headers=HTML
    )
    assert refused.status_code == 400 and "form had expired" in refused.get_data(as_text=True)
    token = _csrf(client, "/subscribe")
    cookie = client.get_cookie("session")
    assert (
        cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    )
    sent = client.post(
        "/subscribe",
        data={"email": "a@example.org", "scope": "everything", "csrf_token": token},
        headers=HTML,
    )
    assert sent.status_code == 200 and "Check your inbox" in sent.get_data(as_text=True)


def test_the_session_cookie_is_secure_over_https(app: Flask, catalogue: Catalogue) -> None:
    client = app.test_client()
    client.get("/subscribe", headers=HTML, base_url="https://localhost")
    cookie = client.get_cookie("session", domain="localhost")
    assert cookie is not None and cookie.secure and cookie.http_only


def test_subscribe_signs_up_through_the_alerts_api(make_app, shipped_profiles) -> None:
    """The page signs an address up through the alerts API: a subscription waiting for its
    confirmation, with the vendor as its filter; a bad address is refused on the page."""
    import sqlalchemy as sa

    from registry.extensions import db
    from registry.models.alerts import Subscription

    app = make_app()
    cat = seed(app)
    client = app.test_client()
    vendor = cat.vendors["leaded"]
    token = _csrf(client, f"/subscribe?vendor={vendor}")
    resp = client.post(
        "/subscribe",
        data={
            "email": "reader@example.org",
            "scope": "vendor",
            "vendor": vendor,
            "csrf_token": token,
        },
        headers=HTML,
    )
    assert resp.status_code == 200 and "Check your inbox" in resp.get_data(as_text=True)
    with app.app_context():
        subs = list(db.session.scalars(sa.select(Subscription)))
    assert [
        (
            str(s.channel.value if hasattr(s.channel, "value") else s.channel),
            s.email,
            s.filters["vendor"],
        )
        for s in subs
    ] == [("email", "reader@example.org", vendor)]
    bad = client.post(
        "/subscribe",
        data={"email": "not-an-address", "scope": "everything", "csrf_token": token},
        headers=HTML,
    )
    assert bad.status_code == 422 and "does not look like an email" in bad.get_data(as_text=True)


def test_errors_are_pages_for_browsers_and_problems_for_the_api(make_app) -> None:
    app = make_app(RATE_LIMITS="3/minute", MAX_UPLOAD_MB=0.01)

    @app.get("/boom")
    def boom() -> Any:
        raise RuntimeError("secret internals")

    client = app.test_client()
    page = client.get("/no/such/page", headers=HTML)
    assert (
        page.status_code == 404
        and page.mimetype == "text/html"
        and "Page not found" in page.get_data(as_text=True)
    )
    assert client.get("/no/such/page").mimetype == "application/problem+json"  # no Accept: JSON
    assert client.get("/api/v1/nope", headers=HTML).mimetype == "application/problem+json"
    big = client.post("/subscribe", data={"email": "x" * 100_000}, headers=HTML)
    assert big.status_code == 413 and "too large" in big.get_data(as_text=True)
    crash = client.get("/boom", headers=HTML)
    assert crash.status_code == 500 and crash.mimetype == "text/html"
    assert "secret internals" not in crash.get_data(as_text=True)
    answers = [client.get("/", headers=HTML) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    limited = answers[-1]
    assert limited.status_code == 429 and limited.mimetype == "text/html"
    assert (
        "Too many requests" in limited.get_data(as_text=True)
        and int(limited.headers["Retry-After"]) > 0
    )


@pytest.mark.parametrize(
    "path", ["/batches/999999", "/vendors/nobody", "/profiles/nothing", "/subscribe?vendor=nobody"]
)
def test_missing_things_are_404_pages(client, path: str) -> None:
    resp = client.get(path, headers=HTML)
    assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)


def test_the_vendor_page_counts_and_charts_its_batches(
    app: Flask, client, catalogue: Catalogue
) -> None:
    """Counts (all, failing the default, failing any standard) and both series, oldest
    first: lead as stored, 7-OH as a share of the printed alkaloids (no total printed)."""
    from registry.extensions import db
    from registry.services import overview, vendors

    with app.app_context():
        info, vendor_id, failing_any = vendors.page_figures(
            db.session, catalogue.vendors["leaded"], profile="utah-r70-580"
        )
        assert (info["batches"], info["failing"], failing_any) == (2, 1, 1)
        trends = overview.vendor_trends(db.session, vendor_id)
        db.session.remove()
    assert [(p.lot, p.tested.isoformat(), p.value) for p in trends["lead"]] == [
        ("RB-2024-0117", "2024-01-19", 2.1),
        ("RB-2024-0230", "2024-03-02", 0.31),
    ]
    assert [round(p.value, 3) for p in trends["seven_oh_share"]] == [
        round(0.02 / 1.44 * 100, 3)
    ] * 2
    page = client.get(f"/vendors/{catalogue.vendors['leaded']}", headers=HTML).get_data(
        as_text=True
    )
    assert "<title>RB-2024-0117, tested 2024-01-19: 2.1 µg/g</title>" in page
    assert "Lead in 2 batches, from 2024-01-19 to 2024-03-02; highest 2.1 µg/g" in page
    assert re.search(r"<strong>1</strong> fail at least one standard\s+\(50.0 %\)", page)
