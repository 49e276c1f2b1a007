"""The kiosk's rate limit is never a dead end (issue 27, item 3): language switches and pages
sent back do not count, and a refused submission keeps the citizen's answers on the page with a
word in their language; sent again once the minute has passed, it is stored once."""

from __future__ import annotations

import re

import pytest
from support import browser
from support.browser import stored, submit_button, tap

from webapp.platform.extensions import limiter

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser
LIMITED = pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True}], indirect=True)


def thanked(page) -> None:
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見|Thank you"))).to_be_visible()


@LIMITED
def test_switching_languages_and_mistakes_do_not_use_up_the_tablet(app, open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    tap(page, "overall", "滿意")
    for n in range(12):                       # English, 中文, English, ... twelve times
        page.locator("button.lang").click()
        expect(page.locator("html")).to_have_attribute("lang", "en" if n % 2 == 0 else "zh-Hant-TW")
    page.locator("#q-overall input:checked").evaluate("el => el.checked = false")
    for _ in range(3):                        # sent without the required answer: sent back
        submit_button(page).click()
        expect(page.locator(".error-summary")).to_be_visible()
    tap(page, "overall", "滿意")
    submit_button(page).click()
    thanked(page)
    assert len(stored()) == 1


@LIMITED
def test_a_refused_submission_keeps_the_answers_and_goes_through_later(app, open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    for _ in range(10):                       # a busy counter's minute, at the limit
        page.goto(f"/kiosk/{kiosk.token}")
        tap(page, "overall", "滿意")
        submit_button(page).click()
        thanked(page)
    page.goto(f"/kiosk/{kiosk.token}")
    tap(page, "overall", "非常滿意")
    tap(page, "attitude", "不滿意")
    submit_button(page).click()
    expect(page.get_by_role("alert")).to_contain_text("您的答案還沒有儲存，仍保留在下方")
    assert browser.radio(page, "overall", "非常滿意").is_checked()
    assert browser.radio(page, "attitude", "不滿意").is_checked()
    assert "per 1 minute" not in page.content() and len(stored()) == 10
    limiter.reset()                           # the minute has passed
    submit_button(page).click()
    thanked(page)
    assert len(stored()) == 11
    assert stored()[-1].answers[0].value is not None
