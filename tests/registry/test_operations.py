"""Operating the registry: request ids in logs, metrics, CORS, rate limits."""

from __future__ import annotations

import logging
import os
import uuid

import pytest

REDIS_ENV = "REGISTRY_TEST_REDIS_URL"


def test_request_id_is_echoed_and_logged(make_app) -> None:
    app = make_app()

    @app.get("/_log")
    def _log() -> str:
        app.logger.warning("hello from a request")
        return "ok"

    client = app.test_client()
    resp = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert resp.headers["X-Request-ID"] == "abc-123"
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert len(fresh) == 32
    weird = client.get("/healthz", headers={"X-Request-ID": "bad id; DROP <script>"})
    assert weird.headers["X-Request-ID"] != "bad id; DROP <script>"

    handler = app.logger.handlers[0]
    records: list[str] = []
    capture = logging.Handler()
    capture.emit = lambda record: records.append(handler.format(record))  # type: ignore[method-assign]
    for f in handler.filters:
        capture.addFilter(f)
    app.logger.addHandler(capture)
    app.test_client().get("/_log", headers={"X-Request-ID": "req-777"})
    assert any("request_id=req-777" in r and "hello from a request" in r for r in records)


def test_metrics_in_prometheus_format(client) -> None:
    client.get("/api/v1/batches")
    text = client.get("/metrics").get_data(as_text=True)
    assert "# TYPE registry_http_requests_total counter" in text
    assert 'endpoint="batches.Batches"' in text


def test_cors_is_open_for_public_reads(client) -> None:
    resp = client.get("/api/v1/batches", headers={"Origin": "https://example.org"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options(
        "/api/v1/certificates",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert "POST" not in pre.headers.get("Access-Control-Allow-Methods", "")


def _redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("REGISTRY_TEST_REQUIRE_SERVICES"):
            pytest.fail(f"{REDIS_ENV} is not set but REGISTRY_TEST_REQUIRE_SERVICES is")
        pytest.skip(
            f"Redis tests skipped: set {REDIS_ENV}=redis://127.0.0.1:6379/15 to run them; CI does."
        )
    return url


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_rate_limit_answers_429_problem_with_retry_after(make_app, storage: str) -> None:
    extra = {"RATE_LIMITS": "3/minute"}
    if storage == "redis":
        extra["REDIS_URL"] = _redis_url()
        extra["RATELIMIT_KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    app = make_app(**extra)
    client = app.test_client()
    codes = [client.get("/api/v1/batches").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = client.get("/api/v1/batches")
    assert resp.status_code == 429 and resp.mimetype == "application/problem+json"
    assert int(resp.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200  # never limited


def test_rate_limits_shared_between_hosts_through_redis(make_app) -> None:
    url, prefix = _redis_url(), f"test-{uuid.uuid4().hex}"
    one = make_app(RATE_LIMITS="2/minute", REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix)
    two = make_app(RATE_LIMITS="2/minute", REDIS_URL=url, RATELIMIT_KEY_PREFIX=prefix)
    assert one.test_client().get("/api/v1/vendors").status_code == 200
    assert two.test_client().get("/api/v1/vendors").status_code == 200
    assert one.test_client().get("/api/v1/vendors").status_code == 429


def test_several_workers_without_redis_are_warned_about(make_app, monkeypatch) -> None:
    """In-memory rate-limit counters are per process: with several gunicorn workers and no
    REGISTRY_REDIS_URL the app says so when it starts."""
    import logging

    from registry.api.limits import web_workers

    assert web_workers(["gunicorn", "-w", "4", "wsgi:app"], {}) == 4
    assert web_workers(["gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "--workers=3"}) == 3
    assert web_workers(["gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "2"}) == 2
    assert web_workers(["flask", "run"], {"WEB_CONCURRENCY": "8"}) == 1

    class Kept(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.messages.append(record.getMessage())

    kept = Kept()
    logger = logging.getLogger("registry.api.limits")
    logger.addHandler(kept)
    try:
        monkeypatch.setattr("sys.argv", ["/usr/bin/gunicorn", "--workers", "4", "wsgi:app"])
        make_app(RATE_LIMITS="100/minute")
        assert any("4 web workers" in m and "REGISTRY_REDIS_URL" in m for m in kept.messages), (
            kept.messages
        )
        kept.messages.clear()
        make_app(RATE_LIMITS="")  # no limits: nothing to share
        make_app(RATE_LIMITS="100/minute", REDIS_URL="redis://127.0.0.1:6379/15")
        assert not [m for m in kept.messages if "web workers" in m]
    finally:
        logger.removeHandler(kept)
