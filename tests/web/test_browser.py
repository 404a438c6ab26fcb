"""The pages in a real browser (Debian's chromium, headless, through Playwright): a
person finds a lot and reads why it fails, the pages fit a phone and a desktop, the
search works from the keyboard alone, an XSS attempt stays text, and axe-core finds no
serious or critical accessibility violation.

Screenshots of every page at 1280 and 360 px go to ``tests/artifacts/web/``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import XSS, Catalogue, axe_violations, shot

pytestmark = pytest.mark.browser


def test_a_lot_number_from_the_bag_leads_to_its_verdict_and_reasons(
    page: Any, live_url: str, catalogue: Catalogue
) -> None:
    page.goto(live_url + "/")
    page.get_by_label("Vendor, lot or product").fill("rb 2024 0117")  # spelt as on another bag
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(rf"/batches/{catalogue.batches['leaded']}$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Lot RB-2024-0117"
    summary = page.locator("section.summary")
    assert "Fail" in summary.inner_text()
    utah = page.locator("li.verdict", has=page.get_by_role("link", name=re.compile("^Utah")))
    assert "Fail" in utah.locator(".badge").first.inner_text()
    reasons = utah.locator("li.reason").all_inner_texts()
    assert any(
        "Lead 2.1 µg/g is over Utah's limit of 1.2 µg/g (Utah Admin. Code R70-580-5" in r
        for r in reasons
    ), reasons
    assert any("No Enterobacteriaceae test on this certificate" in r for r in reasons), reasons
    # The lead row says it is over the limit in words, not by colour alone, and links to
    # the page of the original PDF it was read from, naming its certificate.
    lead = page.locator("table.results tr", has=page.get_by_role("rowheader", name="Lead"))
    assert "Over the limit" in lead.inner_text()
    source = lead.get_by_role("link")
    assert re.search(r"/api/v1/certificates/\d+/pdf#page=1$", source.get_attribute("href"))
    assert "Certificate" in source.inner_text() and "R-88213" in source.inner_text()
    assert page.problems == [], page.problems  # no CSP violation, no script error


PAGES = {
    "home": "/",
    "search": "/search?q=RB&status=fail&profile=any",
    "batch": "/batches/{leaded}",
    "vendor": "/vendors/{vendor}",
    "vendors": "/vendors",
    "profiles": "/profiles",
    "profile": "/profiles/utah-r70-580",
    "subscribe": "/subscribe?vendor={vendor}",
    "not-found": "/no/such/page",
}


@pytest.mark.parametrize("width", [1280, 360])
def test_every_page_reads_at_desktop_and_phone_width(
    browser: Any, live_url: str, catalogue: Catalogue, width: int, database: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        for name, path in PAGES.items():
            url = live_url + path.format(
                leaded=catalogue.batches["leaded"], vendor=catalogue.vendors["leaded"]
            )
            resp = pg.goto(url)
            assert resp is not None and resp.status == (404 if name == "not-found" else 200), (
                name,
                resp,
            )
            assert pg.locator("main h1").count() == 1, name
            overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, width, overflow)  # nothing wider than the screen
            shot(pg, f"{name}-{width}-{database['BACKEND']}")
        assert [p for p in problems if "404" not in p] == [], problems
    finally:
        context.close()


def test_no_serious_accessibility_violation(
    browser: Any, live_url: str, catalogue: Catalogue
) -> None:
    # axe-core is injected as an inline script, which the pages' CSP rightly forbids:
    # this context alone bypasses it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    try:
        found = {}
        for name, path in PAGES.items():
            pg.goto(
                live_url
                + path.format(
                    leaded=catalogue.batches["leaded"], vendor=catalogue.vendors["leaded"]
                )
            )
            violations = axe_violations(pg)
            if violations:
                found[name] = violations
        assert found == {}, found
    finally:
        context.close()


def _tab_to(pg: Any, predicate: str, limit: int = 60) -> None:
    """Press Tab until ``predicate`` (JS, on document.activeElement as ``el``) holds."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"
        ):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def test_the_search_works_from_the_keyboard_alone(
    page: Any, live_url: str, catalogue: Catalogue
) -> None:
    page.goto(live_url + "/search")
    _tab_to(page, "el.id === 'q'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.type("RB-2024")
    _tab_to(page, "el.id === 'status'")
    page.keyboard.press("ArrowDown")  # "Fail"
    assert page.evaluate("document.activeElement.value") == "fail"
    _tab_to(page, "el.id === 'profile'")
    page.keyboard.press("ArrowDown")  # "Any profile"
    assert page.evaluate("document.activeElement.value") == "any"
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent === 'Search'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"status=fail"))
    assert page.get_by_role("heading", name=re.compile(r"^\d+ batch(es)? found")).is_visible()
    badges = page.locator("table.batches tbody tr td .badge").all_inner_texts()
    assert badges and all("Fail" in b for b in badges), badges  # fails under some profile
    _tab_to(page, "el.textContent === 'RB-2024-0117' && el.tagName === 'A'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/batches/{catalogue.batches['leaded']}$"))
    # The skip link is the first stop and takes focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_an_xss_vendor_name_shows_as_text(page: Any, live_url: str, catalogue: Catalogue) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_url + "/search?q=XSS-1")
    cell = page.locator("table.batches tbody tr").first
    assert XSS in cell.inner_text()
    page.goto(live_url + f"/batches/{catalogue.batches['xss']}")
    assert XSS in page.locator("p.lead").inner_text()
    page.goto(live_url + f"/vendors/{catalogue.vendors['xss']}")
    assert page.get_by_role("heading", level=1).inner_text() == XSS
    assert page.evaluate("document.querySelectorAll('main script').length") == 0
    assert dialogs == []


def test_a_reviewer_corrects_a_value_and_the_public_verdict_changes(
    page: Any, live_url: str, app: Any, catalogue: Catalogue
) -> None:
    from tests.conftest import make_token

    batch_id = catalogue.batches["leaded"]
    page.goto(live_url + f"/batches/{batch_id}")
    certificate = (
        page.locator("table.results tr", has=page.get_by_role("rowheader", name="Lead"))
        .get_by_role("link")
        .get_attribute("href")
        .split("/")[4]
    )
    page.goto(live_url + f"/review/certificates/{certificate}")
    page.wait_for_url(re.compile(r"/review/login"))
    page.get_by_label("API token").fill(make_token(app, "uploader"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/review/certificates/{certificate}$"))
    page.wait_for_function(
        "() => { const img = document.querySelector('.review-grid img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )  # the page image
    lead = page.get_by_role("form", name="Correct Lead")
    lead.get_by_label("Value").fill("0.21")
    lead.get_by_role("button", name="Save Lead").click()
    page.wait_for_url(re.compile(r"done=corrected"))
    history = page.locator("ul.history").inner_text()
    assert "Lead: was 2.1 µg/g (printed “Lead (Pb) 2.1 ppm”), now 0.21 µg/g" in history, history
    shot(page, "review-certificate-1280")
    page.goto(live_url + f"/batches/{batch_id}")
    assert "Corrected by a reviewer" in page.locator("article.certificate").inner_text()
    utah = page.locator("li.verdict", has=page.get_by_role("link", name=re.compile("^Utah")))
    assert "Fail" not in utah.locator(".badge").first.inner_text()
    assert not any("Lead" in r for r in utah.locator("li.reason").all_inner_texts())
    lead_row = page.locator("table.results tr", has=page.get_by_role("rowheader", name="Lead"))
    assert "0.21 µg/g" in lead_row.inner_text() and "Over the limit" not in lead_row.inner_text()
    # The lot was misread too: the reviewer's lot is the batch's from now on.
    page.goto(live_url + f"/review/certificates/{certificate}")
    names = page.get_by_role("form", name="Vendor, product and lot")
    names.get_by_label("Lot").fill("RB-2024-0119")
    names.get_by_role("button", name="Save vendor, product and lot").click()
    page.wait_for_url(re.compile(r"done=batch"))
    assert "lot: was RB-2024-0117, now RB-2024-0119" in page.locator("ul.history").inner_text()
    page.get_by_role("link", name="RB-2024-0119").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lot RB-2024-0119"
    assert "Corrected by a reviewer" in page.locator("article.certificate").inner_text()
    assert page.problems == [], page.problems


def test_an_uploader_sends_pdfs_through_the_form_and_sees_what_was_read(
    page: Any, live_url: str, app: Any, catalogue: Catalogue, tmp_path: Any
) -> None:
    from tests.conftest import make_token
    from tests.registry.coa import make_coa

    good = tmp_path / "new-lot.pdf"
    good.write_bytes(make_coa(lot="UP-2025-0042", report="R-4242"))
    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"this is not a PDF at all")
    page.goto(live_url + "/review/upload")
    page.get_by_label("API token").fill(make_token(app, "uploader"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/review/upload$"))
    page.get_by_label("COA PDFs").set_input_files([str(good), str(junk)])
    page.get_by_role("button", name="Upload and read").click()
    # The answer comes at the same URL: wait for it (a loaded machine reads the PDF slowly).
    page.locator("ul.outcomes > li").nth(1).wait_for()
    outcomes = page.locator("ul.outcomes > li").all_inner_texts()
    assert len(outcomes) == 2, outcomes
    assert "new-lot.pdf" in outcomes[0] and "recorded as certificate" in outcomes[0]
    assert "10 results read for lot UP-2025-0042" in outcomes[0], outcomes[0]
    assert "notes.pdf" in outcomes[1] and "refused" in outcomes[1]
    shot(page, "review-upload-1280")
    page.get_by_role("link", name="UP-2025-0042").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lot UP-2025-0042"


def test_the_review_desk_reads_at_both_widths_without_serious_violations(
    browser: Any, live_url: str, app: Any, catalogue: Catalogue, database: dict[str, Any]
) -> None:
    from tests.conftest import make_token

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    try:
        pg.goto(live_url + "/review/login")
        pg.get_by_label("API token").fill(make_token(app, "uploader"))
        pg.get_by_role("button", name="Sign in").click()
        pg.wait_for_url(re.compile(r"/review/$"))
        found = {}
        for width in (1280, 360):
            pg.set_viewport_size({"width": width, "height": 800})
            for name, path in (
                ("review-queue", "/review/"),
                ("review-upload", "/review/upload"),
                ("review-certificate", "/review/certificates/1"),
            ):
                assert pg.goto(live_url + path).status == 200, path
                overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 1, (name, width, overflow)
                shot(pg, f"{name}-{width}-{database['BACKEND']}")
                if width == 1280 and (violations := axe_violations(pg)):
                    found[name] = violations
        assert found == {}, found
    finally:
        context.close()
