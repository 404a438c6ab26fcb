"""Webhook POSTs signed by the Standard Webhooks scheme.

``webhook-id`` is the delivery's own id (the same on every retry, so receivers drop
duplicates), ``webhook-timestamp`` the attempt's time, and ``webhook-signature`` one
``v1,<base64 HMAC-SHA256 of id.timestamp.body>`` per active secret (two during a
rotation), computed by the ``standardwebhooks`` package that receivers verify with.

A POST connects to the address the SSRF guard checked (the Host header and TLS name
stay the URL's), times out after 5 s connecting and 15 s in all, follows no redirect,
and counts as delivered only on a 2xx.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from registry.alerts import ssrf

CONNECT_TIMEOUT_S = 5.0
TOTAL_TIMEOUT_S = 15.0
MAX_RESPONSE_BYTES = 64 * 1024  # what we read of an answer before letting it go
USER_AGENT = "kratom-coa-registry-webhooks/1"


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """What one attempt got: ``delivered`` only for a 2xx."""

    delivered: bool
    status_code: int | None = None
    error: str | None = None
    retry_after_s: float | None = None

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def sign(secrets: Sequence[str], msg_id: str, when: datetime, body: str) -> str:
    """The ``webhook-signature`` header: one signature per secret, space-separated."""
    return " ".join(Webhook(secret).sign(msg_id, when, body) for secret in secrets)


def headers(
    secrets: Sequence[str], msg_id: str, body: str, when: datetime | None = None
) -> dict[str, str]:
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": sign(secrets, msg_id, when, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


_local = threading.local()


def client(timeout_s: float = TOTAL_TIMEOUT_S) -> httpx.Client:
    """One keep-alive client per thread (connections are reused between deliveries)."""
    found: httpx.Client | None = getattr(_local, "client", None)
    if found is None or getattr(_local, "timeout_s", None) != timeout_s:
        found = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(CONNECT_TIMEOUT_S, timeout_s)),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        )
        _local.client, _local.timeout_s = found, timeout_s
    return found


def post(
    url: str,
    secrets: Sequence[str],
    msg_id: str,
    body: str,
    *,
    allowed: frozenset[str],
    timeout_s: float = TOTAL_TIMEOUT_S,
    target: ssrf.Target | ssrf.UnsafeURL | None = None,
) -> WebhookOutcome:
    """One signed POST of ``body`` to ``url``; never raises for network trouble.

    ``target``: the URL already resolved and checked by ``ssrf.resolve`` for this round
    of sends (or its refusal), so that a hundred deliveries to one endpoint resolve it
    once; the address actually connected to is checked on every POST all the same."""
    try:
        if isinstance(target, ssrf.UnsafeURL):
            raise target
        if target is None:
            target = ssrf.resolve(url, allowed)
    except ssrf.UnsafeURL as exc:
        return WebhookOutcome(False, error=f"refused: {exc}")
    request_headers = {**headers(secrets, msg_id, body), "host": _host_header(target)}
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    pinned = target.url.copy_with(host=target.address)
    deadline = time.monotonic() + timeout_s
    try:
        with client(timeout_s).stream(
            "POST", pinned, content=body.encode(), headers=request_headers, extensions=extensions
        ) as resp:
            ssrf.check_connected(target, _peer(resp), allowed)
            _drain(resp, deadline)
    except ssrf.UnsafeURL as exc:
        return WebhookOutcome(False, error=f"refused: {exc}")
    except httpx.HTTPError as exc:
        return WebhookOutcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    code = resp.status_code
    ok = 200 <= code < 300
    return WebhookOutcome(
        ok,
        status_code=code,
        error=None if ok else f"HTTP {code}",
        retry_after_s=None if ok else retry_after(resp.headers.get("retry-after")),
    )


def _host_header(target: ssrf.Target) -> str:
    default = 443 if target.url.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


def _peer(resp: httpx.Response) -> str | None:
    stream = resp.extensions.get("network_stream")
    addr = stream.get_extra_info("server_addr") if stream is not None else None
    return str(addr[0]) if addr else None


def _drain(resp: httpx.Response, deadline: float) -> None:
    """Read a little of the answer (so the connection can be reused) within the total."""
    read = 0
    for chunk in resp.iter_raw():
        read += len(chunk)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("the endpoint took longer than the total timeout")
        if read > MAX_RESPONSE_BYTES:
            break


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
