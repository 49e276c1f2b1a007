"""Conditional questions in a real browser: the transfer items appear only for a call that needed
a transfer, and a hidden required item never blocks sending (forms/conditions.py, conditions.js)."""

from __future__ import annotations

import re

import pytest
from support import browser, factories
from support.browser import answer_the_rest, choice, stored

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

TRANSFER = ("confirms_target", "tells_extension", "transfer_connects")


def test_transfer_items_follow_the_answer_and_a_call_without_transfer_scores_full(
        open_page, office, live_server):
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.goto("/inspect/new/phone")
    for key in TRANSFER:  # nothing answered yet: the call's need is unknown
        expect(page.locator(f"#q-{key}")).to_be_hidden()

    choice(page, "needs_transfer", "是").click()
    for key in TRANSFER:
        expect(page.locator(f"#q-{key}")).to_be_visible()
    expect(page.locator("#q-confirms_target")).to_contain_text("僅在「這通電話是否需要轉接」為「是」時作答")
    choice(page, "confirms_target", "否").click()   # a failure, then the inspector corrects the call
    choice(page, "needs_transfer", "否").click()
    for key in TRANSFER:
        expect(page.locator(f"#q-{key}")).to_be_hidden()

    page.get_by_label("受查機關").select_option(office.code)
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("3")
    answer_the_rest(page)
    page.get_by_role("button", name="送出").click()
    page.wait_for_url(re.compile(r"/inspect/\d+$"))
    [record] = stored()
    assert (record.status, record.score) == ("submitted", 100.0)   # transfer: not applicable
    assert {a.item_key: a.value for a in record.answers}.get("confirms_target") is None
    assert page.console_errors == []
