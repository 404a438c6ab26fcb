"""The API answers every bad input with a problem document, never a 5xx."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient


def _problem(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_healthz(client: FlaskClient, shipped_profiles) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "profiles": sorted(shipped_profiles)}


def test_healthz_is_degraded_without_profiles(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "degraded" and body["profiles"] == []
    assert "db upgrade" in body["detail"]


def test_unknown_route_is_a_problem(client: FlaskClient) -> None:
    _problem(client.get("/api/v1/nothing-here"), 404)


def test_unknown_certificate(client: FlaskClient) -> None:
    body = _problem(client.get("/api/v1/certificates/999999"), 404)
    assert "999999" in body["detail"]


def test_method_not_allowed(client: FlaskClient) -> None:
    resp = client.delete("/api/v1/batches")
    _problem(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_upload_needs_a_token(client: FlaskClient) -> None:
    resp = client.post("/api/v1/certificates", data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")})
    _problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_upload_with_unknown_token(client: FlaskClient) -> None:
    resp = client.post(
        "/api/v1/certificates",
        headers={"Authorization": "Bearer kcr_nope"},
        data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")},
    )
    _problem(resp, 401)


def test_upload_needs_uploader_role(app, client: FlaskClient) -> None:
    from tests.conftest import make_token

    token = make_token(app, "subscriber")
    resp = client.post(
        "/api/v1/certificates",
        headers={"Authorization": f"Bearer {token}"},
        data={"file": (io.BytesIO(b"%PDF-1.4"), "a.pdf")},
    )
    _problem(resp, 403)


def test_upload_without_file(client: FlaskClient, uploader) -> None:
    body = _problem(client.post("/api/v1/certificates", headers=uploader, data={}), 422)
    assert "file" in str(body["errors"])


def test_upload_not_a_pdf(client: FlaskClient, uploader) -> None:
    resp = client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={"file": (io.BytesIO(b"GIF89a not a pdf"), "a.pdf")},
    )
    body = _problem(resp, 415)
    assert "not a PDF" in body["detail"]


def test_upload_empty_file(client: FlaskClient, uploader) -> None:
    _problem(
        client.post(
            "/api/v1/certificates", headers=uploader, data={"file": (io.BytesIO(b""), "a.pdf")}
        ),
        415,
    )


def test_upload_too_large(make_app) -> None:
    from tests.conftest import make_token

    app = make_app(MAX_UPLOAD_MB=0.01)
    token = make_token(app)
    data = b"%PDF-1.4\n" + b"0" * 200_000
    resp = app.test_client().post(
        "/api/v1/certificates",
        headers={"Authorization": f"Bearer {token}"},
        data={"file": (io.BytesIO(data), "a.pdf")},
    )
    _problem(resp, 413)


@pytest.mark.parametrize(
    "query",
    [
        "status=maybe",
        "per_page=1000",
        "page=0",
        "tested_after=yesterday",
        "format=xml",
        "colour=red",
    ],
)
def test_bad_search_arguments(client: FlaskClient, query: str) -> None:
    body = _problem(client.get(f"/api/v1/batches?{query}"), 422)
    assert body["errors"]


def test_nothing_stored_for_refused_uploads(app, client: FlaskClient, uploader) -> None:
    from registry.extensions import db
    from registry.models import AuditEvent, Certificate

    client.post(
        "/api/v1/certificates", headers=uploader, data={"file": (io.BytesIO(b"not a pdf"), "a.pdf")}
    )
    with app.app_context():
        assert db.session.query(Certificate).count() == 0
        assert db.session.query(AuditEvent).filter_by(action="certificate.upload").count() == 0
    assert not any(
        p
        for p in (app.config["DATA_DIR"],)
        if __import__("os").path.exists(p) and any(__import__("os").scandir(p))
    )


def test_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/certificates",
        "/api/v1/certificates/{certificate_id}",
        "/api/v1/batches",
        "/api/v1/vendors/{slug}",
        "/api/v1/profiles",
    ):
        assert path in spec["paths"], path
    params = {p["name"] for p in spec["paths"]["/api/v1/batches"]["get"]["parameters"]}
    assert {"vendor", "lot", "status", "analyte", "profile", "q", "page", "per_page"} <= params


def test_docs_page_is_served_without_a_cdn(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in html
    assert "://" not in html.split("<body>")[0].replace("http-equiv", "")
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_every_problem_type_resolves_to_its_explanation(client: FlaskClient, uploader) -> None:
    """A problem's ``type`` is an absolute URI on the request's host (no REGISTRY_BASE_URL
    set) that answers what the problem means, as JSON and as a page."""
    answers = [
        client.get("/api/v1/nothing-here"),
        client.get("/api/v1/batches?status=maybe"),
        client.post("/api/v1/certificates"),
        client.delete("/api/v1/batches"),
        client.post(
            "/api/v1/certificates",
            headers=uploader,
            data={"file": (io.BytesIO(b"plain text"), "x.txt")},
        ),
    ]
    assert [a.status_code for a in answers] == [404, 422, 401, 405, 415]
    for answer in answers:
        kind = answer.get_json()["type"]
        assert kind.startswith("http://localhost/problems/"), kind
        explained = client.get(kind.removeprefix("http://localhost"))
        assert explained.status_code == 200 and explained.get_json()["title"], kind
        page = client.get(kind.removeprefix("http://localhost"), headers={"Accept": "text/html"})
        assert page.mimetype == "text/html" and "<h1>" in page.get_data(as_text=True)
    assert client.get("/problems/no-such-thing").status_code == 404


def test_problem_types_use_the_public_url_when_set(make_app) -> None:
    client = make_app(BASE_URL="https://registry.example.org").test_client()
    assert (
        client.get("/api/v1/nope").get_json()["type"]
        == "https://registry.example.org/problems/not-found"
    )


def test_a_413_names_the_limit(make_app) -> None:
    client = make_app(MAX_UPLOAD_MB=0.01).test_client()
    resp = client.post(
        "/api/v1/certificates", data={"file": (io.BytesIO(b"%PDF-" + b"0" * 200_000), "a.pdf")}
    )
    body = resp.get_json()
    assert resp.status_code == 413 and "0.01 MB" in body["detail"], body
    assert body["type"].endswith("/problems/payload-too-large")
