"""Subscribing by email in a real browser, end to end: the subscribe page signs the
address up through the alerts API, the confirmation mail arrives on a real SMTP server
(aiosmtpd), its link opens the confirmation page, an alert mail follows a failing
upload, and its unsubscribe link (the page's button, or a mail client's RFC 8058
one-click POST) stops the alerts. The embedded alert runner delivers, as on
``flask run``; the pages are checked with axe-core and photographed at both widths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask

from registry.extensions import db
from registry.models import Subscription
from tests.alerts.conftest import settled
from tests.alerts.sinks import SmtpSink
from tests.conftest import make_token
from tests.web.conftest import LEADED, Catalogue, axe_violations, shot, upload

pytestmark = pytest.mark.browser

DIGEST_S = 1.0


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    found = SmtpSink()
    yield found
    found.close()


@pytest.fixture
def app(make_app: Any, smtp: SmtpSink) -> Iterator[Flask]:
    """The pages' app with the embedded alert runner mailing the SMTP sink."""
    made = make_app(
        ALERT_WORKER="auto",
        SMTP_URL=smtp.url,
        MAIL_FROM="alerts@registry.example.org",
        ALERT_DIGEST_S=DIGEST_S,
        ALERT_POLL_S=0.2,
    )
    yield made
    runner = made.extensions.get("registry.alerts")
    if runner is not None and hasattr(runner, "stop"):
        runner.stop()


def _plain(msg: Any) -> str:
    return msg.get_body(("plain",)).get_content()


def _link(text: str, base: str, path: str) -> str:
    found = re.search(re.escape(base + path) + r"[\w.\-]+", text)
    assert found, text
    return found.group(0)


def _emails(app: Flask) -> list[str]:
    with app.app_context():
        try:
            return list(db.session.scalars(sa.select(Subscription.email).order_by(Subscription.id)))
        finally:
            db.session.remove()


def test_subscribe_by_email_confirm_and_unsubscribe_from_an_alert(
    app: Flask,
    smtp: SmtpSink,
    page: Any,
    browser: Any,
    live_url: str,
    catalogue: Catalogue,
    database: dict[str, Any],
) -> None:
    app.config["BASE_URL"] = live_url  # the mails' links lead to this server
    backend = database["BACKEND"]
    audit = browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True
    )  # axe only
    checker = audit.new_page()
    try:
        # Sign up for one vendor's failures on the subscribe page.
        page.goto(f"{live_url}/subscribe?vendor={catalogue.vendors['leaded']}")
        page.get_by_label("Email address").fill("reader@example.org")
        page.get_by_label("Batches of Acme Botanicals LLC").check()
        page.get_by_role("button", name="Subscribe").click()
        assert "Check your inbox" in page.get_by_role("status").inner_text()
        assert _emails(app) == ["reader@example.org"]

        # The confirmation mail, received by the SMTP server, leads to the confirmation page.
        [confirmation] = smtp.wait(1)
        assert confirmation["To"] == "reader@example.org"
        confirm = _link(_plain(confirmation), live_url, "/alerts/confirm/")
        page.goto(confirm)
        assert page.get_by_role("heading", level=1).inner_text() == "Confirmed"
        assert "failing batches of Acme Botanicals LLC" in page.get_by_role("status").inner_text()
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"alerts-confirmed-{width}-{backend}")
        checker.goto(confirm)  # confirming twice changes nothing
        assert axe_violations(checker) == []

        # A second reader signs up over the API and confirms (a plain GET of the link).
        with httpx.Client() as http:
            made = http.post(
                f"{live_url}/api/v1/subscriptions",
                json={
                    "channel": "email",
                    "email": "other@example.org",
                    "filters": {"vendor": catalogue.vendors["leaded"]},
                },
            )
            assert made.status_code == 201, made.text
            second = next(m for m in smtp.wait(2) if m["To"] == "other@example.org")
            assert http.get(_link(_plain(second), live_url, "/alerts/confirm/")).status_code == 200

        # A failing batch of that vendor: each reader gets one alert mail.
        uploader = {"Authorization": f"Bearer {make_token(app, 'uploader')}"}
        upload(
            app.test_client(),
            uploader,
            lot="RB-2024-0501",
            report="R-90501",
            results=LEADED,
            tested="2024-05-01",
        )
        alerts = {m["To"]: m for m in smtp.wait(4, timeout=60)[2:]}
        assert set(alerts) == {"reader@example.org", "other@example.org"}
        reader_mail = _plain(alerts["reader@example.org"])
        assert "RB-2024-0501" in reader_mail and "Lead 2.1 µg/g is over" in reader_mail

        # The reader follows the unsubscribe link of the alert mail: a page with a button.
        leave = _link(reader_mail, live_url, "/alerts/unsubscribe/")
        assert alerts["reader@example.org"]["List-Unsubscribe"] == f"<{leave}>"
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(leave)
        assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe"
        assert "reader@example.org" in page.locator("main").inner_text()
        checker.goto(leave)  # a GET unsubscribes nobody
        assert axe_violations(checker) == []
        shot(page, f"alerts-unsubscribe-1280-{backend}")
        assert _emails(app) == ["reader@example.org", "other@example.org"]
        page.get_by_role("button", name="Unsubscribe").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribed"
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"alerts-unsubscribed-{width}-{backend}")
        checker.goto(leave)
        assert axe_violations(checker) == []
        assert _emails(app) == ["other@example.org"]

        # The other reader's mail client unsubscribes in one click (RFC 8058).
        other = alerts["other@example.org"]
        assert other["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        header = re.fullmatch(r"<(.+)>", other["List-Unsubscribe"]).group(1)
        one_click = httpx.post(header, data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200
        assert _emails(app) == []

        # Another failure of the vendor: nobody is written to any more.
        events = settled(app)
        upload(
            app.test_client(),
            uploader,
            lot="RB-2024-0502",
            report="R-90502",
            results=LEADED,
            tested="2024-05-02",
        )
        assert settled(app) > events, "the failing upload wrote its event"
        assert len(smtp.messages) == 4
        assert page.problems == [], page.problems  # no CSP violation, no script error
    finally:
        audit.close()
