"""Point 10 of issue 10: with no ``REGISTRY_BASE_URL``, a problem's ``type`` is built from
the host the request came to, and resolves there; a 413 names the limit."""

from __future__ import annotations

import io


def test_problem_types_follow_the_requests_host(client) -> None:
    for host in ("coa.example.net", "10.0.0.7:8080"):
        body = client.get("/api/v1/batches?status=maybe", headers={"Host": host}).get_json()
        assert body["type"] == f"http://{host}/problems/validation", body
        explained = client.get("/problems/validation", headers={"Host": host})
        assert explained.status_code == 200 and explained.get_json()["type"] == "validation"


def test_an_upload_over_the_limit_is_a_413_naming_it(make_app) -> None:
    from tests.conftest import make_token

    app = make_app(MAX_UPLOAD_MB=0.05)
    token = make_token(app)
    resp = app.test_client().post(
        "/api/v1/certificates",
        headers={"Authorization": f"Bearer {token}"},
        data={"file": (io.BytesIO(b"%PDF-1.4\n" + b"0" * 120_000), "a.pdf")},
    )
    body = resp.get_json()
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"
    assert "0.05 MB" in body["detail"] and body["type"].endswith("/problems/payload-too-large"), (
        body
    )
