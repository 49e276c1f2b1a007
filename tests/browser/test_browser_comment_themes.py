"""An analyst reads why a comment was put under its themes and corrects it, in Chromium, at
phone width: the correction shows at once and stays."""

from __future__ import annotations

from datetime import datetime

import pytest
from support import browser, factories

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.programme import instruments

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser


def test_an_analyst_sees_why_and_corrects_the_themes(open_page, live_server, app, office):
    version, survey = instruments.current("satisfaction")
    storage.store(version=version, instrument=survey, office=office, channel="kiosk",
                  status="submitted", occurred_at=datetime(2025, 9, 3, 10, tzinfo=TAIPEI),
                  answers={"overall": Stored(2), "comment": Stored(None, "等了一個小時，廁所很髒")},
                  idempotency_key="browser-themes-0001")
    analyst = factories.user("analyst")
    page = open_page("/login", **browser.PHONE)
    browser.sign_in(page, analyst.email, factories.PASSWORD)
    page.goto("/reports/comments?period=2025H2")
    comment = page.locator("li.comment").first
    expect(comment.locator(".comment-themes")).to_contain_text("等候時間")
    expect(comment.locator(".comment-themes")).to_contain_text("因為提到「等了一個小時」")
    comment.get_by_text("修正主題").click()
    comment.get_by_label("環境與設施").uncheck()
    comment.get_by_label("停車與交通").check()
    comment.get_by_role("button", name="儲存修正").click()
    page.wait_for_url("**/reports/comments?period=2025H2#comment-*")
    themes = page.locator("li.comment").first.locator(".comment-themes")
    expect(themes).to_contain_text("分析人員已修正")
    expect(themes).to_contain_text("停車與交通")
    expect(themes).not_to_contain_text("環境與設施")
    page.select_option("select[name=theme]", "parking")
    page.get_by_role("button", name="篩選").click()
    expect(page.locator("li.comment")).to_have_count(1)
    assert not page.console_errors
