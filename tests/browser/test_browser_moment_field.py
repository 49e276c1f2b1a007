"""The checklist's 查核時間 by keyboard (issue 27, item 12), in Chromium: one tab stop (the
browser's datetime-local took seven, one per part and its picker), a focus outline one can see,
a format hint the field is described by, and a typed time the server reads or refuses in the
page's language, the answers kept."""

from __future__ import annotations

import re

import pytest
from support import browser, factories

from webapp.platform.db import TAIPEI

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

FOCUSED = "() => document.activeElement && (document.activeElement.id || document.activeElement.name)"
RING = """() => { const s = getComputedStyle(document.activeElement);
  return {outline: parseFloat(s.outlineWidth) * (s.outlineStyle === 'none' ? 0 : 1), shadow: s.boxShadow}; }"""


def checklist(open_page, lang="zh_Hant_TW"):
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.goto(f"/inspect/new/phone?lang={lang}")
    return page


def tab_stops(page, field_id: str) -> int:
    """Tab presses from the field before it (the office) until focus has left the field."""
    page.locator("#office").focus()
    presses = 0
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == field_id
    while page.evaluate(FOCUSED) == field_id and presses < 20:
        page.keyboard.press("Tab")
        presses += 1
    return presses


def test_the_time_of_the_check_is_one_tab_stop_with_an_outline(open_page):
    page = checklist(open_page)
    field = page.get_by_label("查核時間")
    assert field.get_attribute("type") == "text"
    assert tab_stops(page, "occurred_at") == 1
    page.locator("#office").focus()
    page.keyboard.press("Tab")                      # by keyboard, as :focus-visible asks
    ring = page.evaluate(RING)
    assert ring["outline"] >= 2 or ring["shadow"] not in ("", "none"), ring
    hint = page.locator("#" + field.get_attribute("aria-describedby").split()[0])
    expect(hint).to_contain_text("2025-08-12 14:30")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", field.input_value())   # now, to edit


def test_a_time_in_another_shape_is_read_and_a_bad_one_refused_in_english(open_page, office):
    page = checklist(open_page, "en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    field = page.get_by_label("Inspection date and time")
    expect(page.locator("#hint-occurred_at")).to_contain_text("2025-08-12 14:30")
    page.get_by_label("Office inspected").select_option(office.code)
    field.fill("2025-8-32 9:05")                    # no such day
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#err-occurred_at")).to_contain_text("2025-8-32 9:05")
    expect(page.locator(".error-summary")).to_contain_text("Inspection date and time")
    assert page.locator("#office").input_value() == office.code          # kept
    assert page.get_by_label("Inspection date and time").input_value() == "2025-8-32 9:05"
    page.get_by_label("Inspection date and time").fill("12 Aug 2025")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#err-occurred_at")).to_contain_text("2025-08-12 14:30")
    assert "查核" not in page.locator("#err-occurred_at").inner_text()
    page.get_by_label("Inspection date and time").fill("２０２５/８/１２　９：０５")   # full-width, slashes
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/inspect/\d+"))
    (record,) = browser.stored()
    assert record.occurred_at.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M") == "2025-08-12 09:05"
    # the two refused sends came back as 400s, which Chromium logs; nothing else may be there
    assert [e for e in page.console_errors if "status of 400" not in e] == []

