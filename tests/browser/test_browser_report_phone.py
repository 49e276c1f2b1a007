"""The report on a phone (issue 27, item 8): at 390 px office names read as words, nothing
but a table or a chart scrolls sideways (each in its own region), charts keep a legible size,
and the downloaded report.html reflows at 390 and 320 px, marked in the language it was
downloaded in."""

from __future__ import annotations

from datetime import datetime

import pytest
from support import browser, factories

from webapp.platform.db import TAIPEI

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

NO_SIDEWAYS = "() => document.scrollingElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture
def demo_report(app):
    from webapp.demo import data as demo

    loaded = demo.load(scale=0.2, today=datetime(2026, 11, 22, tzinfo=TAIPEI))
    return factories.user("analyst"), loaded["halves"][-1]


def test_the_report_reads_on_a_phone(open_page, demo_report):
    analyst, period = demo_report
    page = open_page("/login", **browser.PHONE)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto(f"/reports/?period={period}")
    assert page.evaluate(NO_SIDEWAYS)
    narrowest = page.locator("table.data th[scope=row]").evaluate_all(
        "cells => Math.min(...cells.filter(c => c.offsetParent)"
        ".map(c => c.getBoundingClientRect().width))")
    assert narrowest >= 100          # 8em: 臺北市松山區戶政事務所 in a few lines, not a column
    heatmap = page.locator("figure.chart img").first     # (a heatmap where one is drawn)
    heatmap.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=heatmap.element_handle())
    shown, natural = heatmap.evaluate("img => [img.clientWidth, img.naturalWidth]")
    assert shown >= 0.95 * natural   # its own size, scrolled in its frame, not shrunk to 390 px


@pytest.mark.parametrize("lang, marked", [("zh_Hant_TW", "zh-Hant-TW"), ("en", "en")])
def test_the_downloaded_report_reflows_at_390_and_320_px(open_page, demo_report, lang, marked):
    analyst, period = demo_report
    # bypass_csp: the file is opened from disk, where the site's CSP (no inline style) is not
    page = open_page("/login", bypass_csp=True, **browser.TABLET)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto(f"/reports/?period={period}&lang={lang}")
    html = page.request.get(f"/reports/download.html?period={period}").text()
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.set_content(html)
        assert page.evaluate("() => document.documentElement.lang") == marked
        assert page.evaluate(NO_SIDEWAYS), width
