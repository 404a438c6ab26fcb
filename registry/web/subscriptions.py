"""The subscribe page's link to the alerts API (``POST /api/v1/subscriptions``).

The page does not reimplement subscriptions: it sends the API the same JSON a client
would (``{"channel": "email", "email": ..., "filters": {...}}``), in process through
the app itself, so the API's validation, double opt-in and unit of work apply as they
are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request

ROUTE = "/api/v1/subscriptions"


@dataclass(frozen=True)
class SignupOutcome:
    ok: bool
    status: int
    message: str
    body: dict[str, Any] | None = None


def payload(email: str, scope: str, vendor: str | None, product: str | None) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if scope in ("vendor", "product") and vendor:
        filters["vendor"] = vendor
    if scope == "product" and product:
        filters["product"] = product
    return {"channel": "email", "email": email, "filters": filters}


def submit(
    app: Flask, email: str, scope: str, vendor: str | None, product: str | None
) -> SignupOutcome:
    """Send the subscription to the API; its answer in words."""
    with app.test_client() as client:
        resp = client.post(
            ROUTE,
            json=payload(email, scope, vendor, product),
            headers={"Accept": "application/json"},
            # rate limits count the person, not the app
            environ_base={"REMOTE_ADDR": request.remote_addr or "127.0.0.1"},
        )
    body = (
        resp.get_json(silent=True)
        if resp.is_json or (resp.mimetype or "").endswith("+json")
        else None
    )
    if resp.status_code < 300:
        return SignupOutcome(
            True,
            resp.status_code,
            "Check your inbox: we sent a link to confirm "
            "the subscription. Nothing is sent until you follow it.",
            body,
        )
    detail = (body or {}).get("detail") or "The subscription could not be made."
    return SignupOutcome(
        False, resp.status_code if resp.status_code < 500 else 502, str(detail), body
    )
