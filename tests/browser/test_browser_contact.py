"""民眾抱怨處理 end to end, in Chromium: a let-down citizen asks to be contacted from a phone,
the office manager calls and closes the case on a tablet, the analyst sees the theme and the
office's figures in the report, and the details are gone after the retention period; on the
counter tablet the next citizen never sees what the last one left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from support import browser, factories
from support.axe import axe_violations
from support.browser import submit_button, tap

from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.reporting import retention

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

COMPLAINT = "櫃檯人員態度很差，等了一個小時"


def let_down(page) -> None:
    tap(page, "attitude", "非常不滿意")
    tap(page, "overall", "非常不滿意")
    tap(page, "service_used", "戶籍謄本")
    page.get_by_label("其他意見或建議").fill(COMPLAINT)
    submit_button(page).tap()
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()


def leave_details(page, phone: str, check: bool = True) -> None:
    page.get_by_role("link", name="希望有專人與我聯絡").tap()
    expect(page.get_by_role("heading", name="希望有專人與我聯絡")).to_be_visible()
    expect(page.get_by_text("只有臺北市大安區戶政事務所的主管看得到")).to_be_visible()
    if check:
        assert axe_violations(page) == []
    page.get_by_label("怎麼稱呼您").fill("王先生")
    page.get_by_label("電話").fill(phone)
    page.get_by_label("我同意上述說明").check()
    page.get_by_role("button", name="送出聯絡請求").tap()
    expect(page.get_by_text("已收到您的聯絡請求")).to_be_visible()


def test_a_call_back_from_request_to_report_to_erasure(open_page, app, office):
    manager = factories.user("office")
    manager.office_id = office.id
    db.session.commit()
    # bypass_csp: axe-core is injected as an inline script, which the app's CSP refuses
    citizen = open_page(factories.personal_url(office), bypass_csp=True, **browser.PHONE)
    let_down(citizen)
    leave_details(citizen, "0912-345-678")
    assert "0912" not in citizen.content()
    assert not citizen.console_errors

    desk = open_page("/login", bypass_csp=True, **browser.TABLET)
    browser.sign_in(desk, manager.email, factories.PASSWORD)
    desk.get_by_role("link", name="民眾聯絡").click()
    desk.locator("table a[href^='/contacts/']").first.click()
    expect(desk.get_by_text(COMPLAINT)).to_be_visible()
    expect(desk.get_by_role("link", name="0912345678")).to_have_attribute("href", "tel:0912345678")
    desk.get_by_label("電話", exact=True).check()
    desk.get_by_label("已聯絡上並解決問題，結案").check()
    desk.get_by_role("textbox", name=re.compile("說明")).fill("已致歉，並調整午間櫃檯人力")
    desk.get_by_role("button", name="記錄這次聯絡").click()
    expect(desk.get_by_text("已結案：已解決")).to_be_visible()
    assert axe_violations(desk) == []

    analyst = factories.user("analyst")
    reader = open_page("/login", **browser.TABLET)
    browser.sign_in(reader, analyst.email, factories.PASSWORD)
    period = browser.stored()[0].half
    reader.goto(f"/reports/?period={period}&instrument=satisfaction")
    expect(reader.locator("#contacts-title")).to_be_visible()
    row = reader.locator("section[aria-labelledby=contacts-title] tbody tr").first
    expect(row.locator("td")).to_have_text(["1", "1", "1", "0"])
    expect(reader.get_by_text("等候時間").first).to_be_visible()
    expect(reader.get_by_text("服務態度").first).to_be_visible()

    retention.apply(utcnow() + timedelta(days=app.config["RETAIN_CONTACT_DAYS"], hours=1))
    desk.reload()
    expect(desk.get_by_text("聯絡資料已依保存期限刪除")).to_be_visible()
    assert "0912345678" not in desk.content() and "王先生" not in desk.content()
    expect(desk.get_by_text(COMPLAINT)).to_be_visible()   # the comment is the survey's, kept


def test_on_the_counter_tablet_the_next_citizen_sees_nothing_of_the_request(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    let_down(page)
    leave_details(page, "02-2345-6789", check=False)
    page.get_by_role("link", name="回到問卷首頁").tap()
    page.wait_for_url(re.compile(re.escape(f"/kiosk/{kiosk.token}") + r"\?"))
    for step in (page.go_back, page.go_back, page.go_forward, page.go_forward):
        step()
        page.wait_for_load_state()
        assert "2345-6789" not in page.content() and "王先生" not in page.content()
        for field in page.locator("input[type=text]").all():
            assert field.input_value() == ""
    assert not page.console_errors


def test_a_request_given_up_on_the_tablet_leaves_nothing_behind(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", clock=True, **browser.TABLET)
    let_down(page)
    page.get_by_role("link", name="希望有專人與我聯絡").tap()
    page.get_by_label("怎麼稱呼您").fill("林太太")
    page.get_by_label("電話").fill("02-2345-6789")
    page.get_by_role("button", name="送出聯絡請求").tap()   # no consent: refused, details kept
    expect(page.get_by_text("請勾選同意").first).to_be_visible()
    page.get_by_role("link", name="不用了，回到問卷首頁").tap()
    page.wait_for_url(re.compile(re.escape(f"/kiosk/{kiosk.token}") + r"\?"))
    for step in (page.go_back, page.go_back):
        step()
        page.wait_for_load_state()
        assert "林太太" not in page.content() and "2345-6789" not in page.content()
    # an untouched call-back form clears itself too, after the warning
    page.goto(f"/kiosk/{kiosk.token}")
    let_down(page)
    page.get_by_role("link", name="希望有專人與我聯絡").tap()
    expect(page.get_by_role("heading", name="希望有專人與我聯絡")).to_be_visible()
    page.clock.run_for(181_000)
    page.wait_for_url(re.compile(re.escape(f"/kiosk/{kiosk.token}") + r"\?lang="))
    # the refused page's own 400 is the only thing the console reports
    assert [e for e in page.console_errors if "status of 400" not in e] == []
