"""Fixtures of the page tests: a catalogue uploaded through the API (real PDFs, the
shipped profiles), the app served on a loopback port, and Debian's headless chromium.

Browser tests need ``/usr/bin/chromium`` (Debian's package; ``.ci/run`` installs it).
Without it they are skipped with a message, unless ``REGISTRY_TEST_REQUIRE_SERVICES``
is set (CI), where its absence fails them. Playwright never downloads a browser here.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import confirm_utah, make_token
from tests.registry.coa import DEFAULT_RESULTS, make_coa

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "web"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
XSS = "<script>alert(1)</script>"

#: Lead 2.1 ppm: over Utah's 1.2 µg/g (R70-580-5), so the batch fails Utah's profile.
LEADED = tuple(
    ("Lead (Pb)", "2.1", "ppm", "0.05") if row[0].startswith("Lead") else row
    for row in DEFAULT_RESULTS
)


@dataclass(frozen=True)
class Catalogue:
    """What the seeded registry holds: batch ids by name, vendor slugs by name."""

    batches: dict[str, int]
    vendors: dict[str, str]


def upload(client: Any, headers: dict[str, str], **coa: Any) -> dict[str, Any]:
    resp = client.post(
        "/api/v1/certificates",
        headers=headers,
        data={"file": (io.BytesIO(make_coa(**coa)), "coa.pdf")},
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


def seed(app: Flask) -> Catalogue:
    """Uploads through the API: a failing batch (lead), a second lot of the same vendor,
    another vendor's batch, and a vendor whose name is an XSS attempt."""
    headers = {"Authorization": f"Bearer {make_token(app, 'uploader')}"}
    client = app.test_client()
    made = {
        "leaded": upload(client, headers, lot="RB-2024-0117", results=LEADED, tested="2024-01-19"),
        "second": upload(
            client, headers, lot="RB-2024-0230", report="R-90001", tested="2024-03-02"
        ),
        "other": upload(
            client,
            headers,
            vendor="Golden Leaf Botanicals",
            product="Green Maeng Da",
            lot="GMD-7781",
            report="R-1200",
            tested="2024-02-11",
        ),
        "xss": upload(
            client,
            headers,
            vendor=XSS,
            product=XSS,
            lot="XSS-1",
            report="R-666",
            tested="2024-02-20",
        ),
    }
    return Catalogue(
        batches={k: v["batch"]["id"] for k, v in made.items()},
        vendors={k: v["batch"]["vendor_slug"] for k, v in made.items()},
    )


@pytest.fixture
def catalogue(app: Flask, shipped_profiles: list[str]) -> Catalogue:
    assert "utah-r70-580" in shipped_profiles
    confirm_utah(app)
    return seed(app)


@pytest.fixture
def live_url(app: Flask, catalogue: Catalogue) -> Iterator[str]:
    """The app served by Werkzeug on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = (
            f"browser tests need Debian's chromium at {CHROMIUM} "
            "(apt-get install chromium; .ci/run installs it)"
        )
        if os.environ.get("REGISTRY_TEST_REQUIRE_SERVICES"):
            pytest.fail(message + " but REGISTRY_TEST_REQUIRE_SERVICES is set")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop page whose Content-Security-Policy is enforced; CSP reports and page
    errors are collected in ``page.problems``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    try:
        yield pg
    finally:
        context.close()


def shot(pg: Any, name: str) -> Path:
    """A full-page screenshot under tests/artifacts/web/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(pg: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is."""
    pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
