"""Security headers on every answer; Retry-After only on 429; /metrics behind a token;
client addresses seen through trusted proxies."""

from __future__ import annotations

import io

from tests.registry.coa import make_coa


def test_every_answer_carries_the_security_headers(client, uploader) -> None:
    pdf_id = client.post(
        "/api/v1/certificates",
        headers=uploader,
        data={"file": (io.BytesIO(make_coa(lot="HD-1")), "coa.pdf")},
    ).get_json()["id"]
    for path in (
        "/healthz",
        "/api/v1/batches",
        "/api/v1/nope",
        "/api/v1/openapi.json",
        f"/api/v1/certificates/{pdf_id}",
        "/metrics",
    ):
        resp = client.get(path)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert resp.headers["X-Frame-Options"] == "DENY", path
        assert resp.headers["Referrer-Policy"], path
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"], path
        assert "Retry-After" not in resp.headers, path
    original = client.get(f"/api/v1/certificates/{pdf_id}/pdf")
    assert original.status_code == 200 and original.headers["Content-Security-Policy"] == "sandbox"


def test_docs_call_no_outside_host(client) -> None:
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    page = resp.get_data(as_text=True)
    assert '"validatorUrl": null' in page or "validatorUrl: null" in page, page[-800:]


def test_retry_after_only_on_429(make_app) -> None:
    client = make_app(RATE_LIMITS="2/minute").test_client()
    answers = [client.get("/api/v1/batches") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert "Retry-After" not in answers[0].headers and "Retry-After" not in answers[1].headers
    assert int(answers[2].headers["Retry-After"]) > 0


def test_clients_behind_a_trusted_proxy_are_counted_apart(make_app) -> None:
    client = make_app(RATE_LIMITS="2/minute", PROXY_FIX=1).test_client()
    for addr in ("203.0.113.7", "203.0.113.8"):
        codes = [
            client.get("/api/v1/batches", headers={"X-Forwarded-For": addr}).status_code
            for _ in range(2)
        ]
        assert codes == [200, 200], addr
    assert (
        client.get("/api/v1/batches", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    )


def test_without_proxy_fix_forwarded_addresses_are_not_believed(make_app) -> None:
    client = make_app(RATE_LIMITS="2/minute").test_client()
    codes = [
        client.get("/api/v1/batches", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_metrics_can_be_closed_with_a_token(make_app) -> None:
    client = make_app(METRICS_TOKEN="s3cret").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    opened = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert opened.status_code == 200 and b"registry_" in opened.data
    assert make_app().test_client().get("/metrics").status_code == 200
