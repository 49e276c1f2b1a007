"""A shared counter tablet, in Chromium: the next citizen never sees the previous one's answers,
and nobody is rushed (the thank-you pause and the idle warning).

Time on the page runs on Playwright's clock: the tests move it forward, they never wait for it.
"""

from __future__ import annotations

import re

import pytest
from support import browser
from support.browser import stored, submit_button, tap

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

SECRET = "我的身分證字號是 A123456789"


def fill_and_submit(page) -> None:
    tap(page, "attitude", "非常滿意")
    tap(page, "overall", "普通")   # not let down: no call-back offer (test_browser_contact.py)
    tap(page, "service_used", "戶籍謄本")
    page.get_by_label("其他意見或建議").fill(SECRET)
    submit_button(page).tap()
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()


def assert_nothing_of_the_last_citizen(page, where: str) -> None:
    page.wait_for_load_state()
    assert page.locator("input[type=radio]:checked").count() == 0, where
    for area in page.locator("textarea").all():
        assert area.input_value() == "", where
    assert "A123456789" not in page.content(), where


def test_back_forward_and_reload_never_show_the_last_citizens_answers(open_page, kiosk):
    form = f"/kiosk/{kiosk.token}"
    page = open_page(form, **browser.TABLET)
    fill_and_submit(page)
    page.get_by_role("link", name="回到問卷首頁").tap()
    page.wait_for_url(re.compile(re.escape(form) + r"\?"))
    assert_nothing_of_the_last_citizen(page, "the next citizen's form")
    steps = [("back", page.go_back), ("back again", page.go_back),
             ("forward", page.go_forward), ("forward again", page.go_forward),
             ("reload", page.reload)]
    for where, step in steps:
        step()
        assert_nothing_of_the_last_citizen(page, where)
    assert len(stored()) == 1


def test_the_thank_you_page_returns_by_itself_replacing_itself(open_page, kiosk):
    form = f"/kiosk/{kiosk.token}"
    page = open_page(form, clock=True, **browser.TABLET)
    fill_and_submit(page)
    expect(page.get_by_text(re.compile("畫面將在 20 秒後回到問卷首頁"))).to_be_visible()
    page.clock.run_for(19_000)
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()
    page.clock.run_for(2_000)
    page.wait_for_url(re.compile(re.escape(form) + r"\?lang=zh_Hant_TW$"))
    assert_nothing_of_the_last_citizen(page, "after the pause")
    page.go_back()  # the thank-you page was replaced: Back leads to the filled page, reloaded
    assert_nothing_of_the_last_citizen(page, "back from the next citizen's form")


def test_a_tap_on_the_thank_you_page_stops_the_countdown(open_page, kiosk):
    form = f"/kiosk/{kiosk.token}"
    page = open_page(form, clock=True, **browser.TABLET)
    fill_and_submit(page)
    page.locator(".thanks h1").tap()
    expect(page.get_by_text("已暫停自動返回")).to_be_visible()
    page.clock.run_for(120_000)
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()
    page.get_by_role("link", name="回到問卷首頁").tap()
    page.wait_for_url(re.compile(re.escape(form) + r"\?"))


@pytest.mark.parametrize("key", ["Tab", "Space"])
def test_a_key_on_the_thank_you_page_stops_the_countdown_too(open_page, kiosk, key):
    form = f"/kiosk/{kiosk.token}"
    page = open_page(form, clock=True, **browser.TABLET)
    fill_and_submit(page)
    assert page.locator("[role=status] [data-seconds]").count() == 0   # ticks are not read out
    expect(page.get_by_text(re.compile("畫面將在 20 秒後"))).to_be_visible()   # the script runs
    page.keyboard.press(key)
    expect(page.get_by_text("已暫停自動返回")).to_be_visible()
    page.clock.run_for(120_000)
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()


def test_clear_and_start_over_keeps_the_citizens_language(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}?lang=en", **browser.TABLET)
    tap(page, "overall", "Satisfied")
    page.get_by_role("link", name="Clear and start over").click()
    page.wait_for_url(re.compile(r"\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("input[type=radio]:checked").count() == 0


def test_an_idle_survey_warns_first_and_any_tap_gives_more_time(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}?lang=en", clock=True, **browser.TABLET)
    tap(page, "overall", "Satisfied")
    warning = page.get_by_role("alertdialog")
    page.clock.run_for(140_000)
    expect(warning).to_be_hidden()
    page.clock.run_for(15_000)                      # 155 s idle: warned at least 20 s ahead
    expect(warning).to_be_visible()
    assert warning.get_attribute("aria-live") == "assertive"
    warning.get_by_role("button", name="Keep answering").tap()
    expect(warning).to_be_hidden()
    assert page.locator("input[type=radio]:checked").count() == 1   # nothing lost
    page.clock.run_for(175_000)
    expect(warning).to_be_visible()
    page.clock.run_for(31_000)                      # nobody answered the warning: cleared
    page.wait_for_url(re.compile(r"\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")   # the citizen's language
    assert page.locator("input[type=radio]:checked").count() == 0
