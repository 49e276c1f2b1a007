"""Status messages a screen reader hears (issue 27, item 11; WCAG 4.1.3): the kiosk's 待上傳
badge, the inspector's offline summary and the bar's count are live regions from the start,
present and not hidden, and only their text changes."""

from __future__ import annotations

import pytest
from support import browser, factories

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

LIVE = """sel => { const el = document.querySelector(sel);
  return el && el.getAttribute("role") === "status" && !el.closest("[hidden]") &&
         getComputedStyle(el).display !== "none"; }"""


def test_the_kiosk_badge_is_a_live_region_before_anything_waits(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    assert page.evaluate(LIVE, "#kiosk-outbox")
    expect(page.locator("#kiosk-outbox")).to_have_text("")
    expect(page.locator("#kiosk-outbox")).to_be_hidden()       # empty, it takes no room


def test_the_inspectors_summary_and_count_are_live_regions_from_the_start(open_page):
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.goto("/inspect/")
    assert page.evaluate(LIVE, "#outbox-panel [data-summary]")
    assert page.evaluate(LIVE, ".bar .outbox-live")
