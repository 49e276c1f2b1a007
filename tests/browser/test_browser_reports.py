"""The analyst's report page in Chromium: the comparison picker offers only what can be compared,
a slow build says it is under way, and the charts arrive as separate lazily loaded images."""

from __future__ import annotations

from datetime import datetime

import pytest
from support import browser, factories

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

MONTHS = (2, 5, 8, 11)   # 2025Q1..Q4, so 2025H1 and 2025H2 too


@pytest.fixture
def analyst(app, office):
    version, survey = instruments.current("satisfaction")
    for month in MONTHS:
        for i in range(40):       # 80 a half-year: above the report's minimum n
            storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                          status="submitted", occurred_at=datetime(2025, month, 3, 10, tzinfo=TAIPEI),
                          answers={"overall": Stored(1 + i % 5)},
                          idempotency_key=f"pick-{month:02d}-{i:08d}", commit=False, lookup=False)
    db.session.commit()
    return factories.user("analyst")


def offered(page) -> list[str]:
    """The comparison periods a person can pick (disabled ones are not offered)."""
    return page.locator("select[name=compare_to] option:not([disabled])").evaluate_all(
        "options => options.map(o => o.value)")


def test_the_comparison_picker_follows_the_chosen_period(open_page, live_server, analyst):
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto("/reports/?period=2025H2")
    page.get_by_text("選擇期間、比較期間與機關").click()      # folded away under the summary
    compare = page.locator("select[name=compare_to]")
    assert offered(page) == ["", "2025H1"] and compare.input_value() == "2025H1"
    page.locator("select[name=period]").select_option("2025Q3")
    # a half-year cannot be compared with a quarter: the quarter before is chosen instead
    assert offered(page) == ["", "2025Q2", "2025Q1"] and compare.input_value() == "2025Q2"
    page.locator("select[name=period]").select_option("2025Q1")
    assert offered(page) == [""] and compare.input_value() == ""
    assert not page.console_errors


def test_a_report_being_built_says_so(open_page, live_server, analyst):
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto("/reports/?period=2025H2")
    # stay on this page, as a first build of a large period would keep the person here: the
    # page's own listener (registered first) runs, then this one stops the navigation
    page.get_by_text("選擇期間、比較期間與機關").click()
    form = page.locator("form.filters")
    form.evaluate("form => form.addEventListener('submit', e => e.preventDefault())")
    page.get_by_role("button", name="產生報告").click()
    expect(form.get_by_role("status")).to_contain_text("報告產生中")
    expect(form).to_have_attribute("aria-busy", "true")


def test_charts_load_as_images_when_scrolled_to(open_page, live_server, analyst):
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto("about:blank")     # the landing page's own chart requests are not this page's
    asked: list[str] = []
    page.on("request", lambda r: "/reports/chart/" in r.url and asked.append(r.url))
    page.goto("/reports/?period=2025H2")
    images = page.locator(".chart-frame img")
    assert images.count() >= 2
    last = images.last
    last.scroll_into_view_if_needed()
    expect(last).to_have_js_property("complete", True)
    assert last.evaluate("img => img.naturalWidth") > 0      # an SVG the browser could draw
    assert asked and all(".svg?" in url for url in asked)
    assert not page.console_errors


def printed_pages(page) -> list[str]:
    """The text of each page as Chromium prints it to A4 (a PDF read back with pypdf).  NFKC:
    the font maps some characters to Kangxi radicals (⽐ for 比); 民 comes back as ⺠, which
    NFKC leaves alone, so the assertions avoid it."""
    import io
    import unicodedata

    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed pages back")
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [unicodedata.normalize("NFKC", p.extract_text() or "") for p in pdf.pages]


def test_the_report_prints_cleanly(open_page, live_server, analyst):
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto("/reports/?period=2025H2&instrument=satisfaction")
    pages = printed_pages(page)
    text = "\n".join(pages)
    assert "摘要" in pages[0] and "滿意度調查" in pages[0]               # page 1 is never blank
    assert "產生報告" not in text and "比較期間" not in text and "登出" not in text  # no form
    # the data behind each chart prints with it, though on screen it waits behind a disclosure
    assert text.count("以表格檢視這張圖的資料") >= 2 and "非常不滿意" in text
    # the self-contained report.html prints the same way
    html = page.request.get(f"{live_server.url}/reports/download.html?period=2025H2"
                            "&instrument=satisfaction")
    assert html.ok
    page.set_content(html.text())
    standalone = printed_pages(page)
    assert "摘要" in standalone[0] and "產生報告" not in "\n".join(standalone)
