"""The staff survey in Chromium (issue 31, done-when): the coordinator opens a round for two
offices and prints codes; five staff of one office answer on phones, a sixth tries a used code
and is refused; the round closes; the analyst's report shows that office with its response rate
and the other as too few answers; the low item opened an internal case the manager answers."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from support import browser, factories

from analysis.periods import Period
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed slips back")
expect = sync_api.expect
pytestmark = pytest.mark.browser

ITEMS = ("workload", "training", "equipment", "teamwork", "supervisor", "overall")


def signed_in(open_page, user, size="TABLET"):
    page = open_page("/login", **getattr(browser, size))
    browser.sign_in(page, user.email, factories.PASSWORD)
    return page


def printed_codes(page, office_label: str, count: int) -> list[str]:
    page.get_by_role("combobox", name=re.compile("^機關")).select_option(label=office_label)
    page.get_by_label(re.compile("^代碼數量")).fill(str(count))
    page.get_by_text("QR 碼紙條（PDF，每頁 12 張）").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="產生代碼").click()
    text = pypdf.PdfReader(download.value.path()).pages[0]
    return re.findall(r"輸入代碼 ([0-9A-Z]{4}-[0-9A-Z]{4})", text.extract_text())


def answer_on_a_phone(open_page, code: str, workload: str) -> None:
    phone = open_page(f"/staff-survey/{code}", **browser.PHONE)
    for key in ITEMS:
        browser.tap(phone, key, workload if key == "workload" else "滿意")
    browser.submit_button(phone).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("謝謝您的填寫！")


def test_a_round_from_codes_to_the_report_and_a_case(open_page, app):
    daan = factories.office()
    factories.office("TPH-XINYI", "臺北市信義區戶政事務所", district="信義區")
    people = {role: factories.user(role) for role in ("coordinator", "analyst", "office")}
    people["office"].office_id = daan.id
    db.session.commit()
    half = Period.half_of(datetime.now(TAIPEI))

    # 1. the coordinator opens the round for two offices and prints each office's codes
    planner = signed_in(open_page, people["coordinator"])
    planner.get_by_role("link", name="同仁調查").click()
    planner.get_by_label("期間").select_option(str(half))
    planner.get_by_label("臺北市大安區戶政事務所").fill("12")
    planner.get_by_label("臺北市信義區戶政事務所").fill("8")
    planner.get_by_role("button", name="開始調查").click()
    expect(planner.locator(".flash.ok")).to_contain_text("已開始調查")
    daan_codes = printed_codes(planner, "臺北市大安區戶政事務所（TPH-DAAN）", 6)
    xinyi_codes = printed_codes(planner, "臺北市信義區戶政事務所（TPH-XINYI）", 3)
    assert len(daan_codes) == 6 and len(xinyi_codes) == 3

    # 2. five staff of 大安 answer on their phones; the workload item is low for all of them
    for code in daan_codes[:5]:
        answer_on_a_phone(open_page, code, "不滿意")
    # a sixth tries a slip someone already used: refused, nothing stored
    sixth = open_page("/staff-survey", **browser.PHONE)
    sixth.get_by_label("問卷代碼").fill(daan_codes[0].lower())
    sixth.get_by_role("button", name="開始填寫").click()
    expect(sixth.get_by_role("heading", level=1)).to_have_text("這個代碼已經使用過了")
    # two of 信義 answer: too few to show
    for code in xinyi_codes[:2]:
        answer_on_a_phone(open_page, code, "滿意")

    # 3. the coordinator sees the response rates and closes the round
    planner.reload()
    expect(planner.get_by_role("row").filter(has_text="大安")).to_contain_text("42%")
    planner.get_by_role("button", name="結束這一輪調查").click()
    expect(planner.locator(".flash.ok")).to_contain_text("7 份網路填答已併入統計")

    # 4. the analyst's report: 大安 with its response rate, 信義 as too few answers
    analyst = signed_in(open_page, people["analyst"])
    analyst.goto(f"/reports/?period={half}")
    section = analyst.locator("#staff")
    expect(section.get_by_role("row").filter(has_text="大安")).to_contain_text("41.7%")
    expect(section.get_by_role("row").filter(has_text="信義")).to_contain_text(
        "回答不足 5 人，不列出結果")
    expect(analyst.locator(".summary")).to_contain_text("1 個機關回答不足 5 人")

    # 5. the manager of 大安 finds the internal case for the workload item and answers it
    manager = signed_in(open_page, people["office"])
    manager.goto("/cases/")
    manager.get_by_role("link", name=re.compile("內部同仁滿意度調查")).click()
    expect(manager.get_by_role("heading", level=2)).to_have_text("工作量")
    manager.get_by_label("改善情形（做了什麼、何時完成）").fill("重新分配櫃檯輪值，每人每週少一個時段")
    manager.get_by_role("button", name="送出改善情形").click()
    expect(manager.locator(".flash.ok")).to_contain_text("已送出改善情形")
