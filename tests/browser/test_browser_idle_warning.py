"""Staff are never signed out unwarned (issue 27, item 4; WCAG 2.2.1): before the idle sign-out
a dialog offers to go on, and a page with changes not yet sent keeps the session alive by
itself.  The page's timers run on Playwright's clock: the test moves time, never waits."""

from __future__ import annotations

import re

import pytest
from support import browser, factories

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser


@pytest.fixture
def short_idle(app):
    app.config["STAFF_IDLE_MINUTES"] = 1       # warned 15 s ahead (a quarter of a minute)
    yield
    app.config["STAFF_IDLE_MINUTES"] = 30


def test_warned_before_the_idle_sign_out_with_a_way_to_go_on(open_page, short_idle):
    reviewer = factories.user("reviewer")
    page = open_page("/login", clock=True, **browser.TABLET)
    browser.sign_in(page, reviewer.email, factories.PASSWORD)
    dialog = page.get_by_role("alertdialog")
    page.clock.run_for(40_000)
    expect(dialog).to_be_hidden()
    page.clock.run_for(6_000)                   # 46 s: 14 s before the sign-out
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="繼續使用")).to_be_focused()
    with page.expect_request(re.compile(r"/session/alive$")):
        page.keyboard.press("Enter")            # by keyboard, as by a tap
    expect(dialog).to_be_hidden()
    page.clock.run_for(46_000)                  # warned again a minute after going on
    expect(dialog).to_be_visible()
    with page.expect_request(re.compile(r"/login\?next=%2Freview%2F$")):
        page.clock.run_for(15_000)              # nobody answered: off to sign in, back here after


def test_unsaved_changes_keep_the_session_alive(open_page, short_idle):
    inspector = factories.user("inspector")
    page = open_page("/login", clock=True, **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.goto("/inspect/new/phone")
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("3")   # typed, not sent
    with page.expect_request(re.compile(r"/session/alive$")):
        page.clock.run_for(46_000)
    expect(page.get_by_role("alertdialog")).to_be_hidden()     # nothing to ask: still in use
    page.clock.run_for(60_000)
    assert "/login" not in page.url
    assert page.get_by_label(re.compile("^響鈴幾聲後接聽")).input_value() == "3"
