"""Every job issue 12 moved onto the web, done in Chromium by the role that does it: offices
added, edited, retired and imported; paper questionnaires keyed into the Excel template,
checked, previewed and stored; QR slips printed; a kiosk set up by its on-screen QR code;
an account created; a draft deleted; a record returned and its history read; lists filtered
and sorted on a tablet and read as cards on a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from support import browser, factories
from support.axe import AXE, axe_violations

from webapp.capture.submissions import Submission
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Kiosk, Office

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser


def signed_in(open_page, user, size="TABLET", **options):
    page = open_page("/login", **getattr(browser, size), **options)
    browser.sign_in(page, user.email, factories.PASSWORD)
    return page


def fresh(model, *where):
    db.session.expire_all()
    return db.session.scalars(select(model).where(*where)).all()


def test_an_admin_adds_edits_retires_and_imports_offices(open_page, tmp_path):
    page = signed_in(open_page, factories.user("admin"))
    page.goto("/admin/offices")
    page.get_by_label("代碼（例如 TPH-DAAN）").fill("TPH-WANHUA")
    page.locator("#name").fill("臺北市萬華區戶政事務所")
    page.get_by_label("英文名稱", exact=True).fill("Wanhua Household Registration Office")
    page.get_by_label("縣市").fill("臺北市")
    page.get_by_role("button", name="新增機關").click()
    expect(page.get_by_role("cell", name="TPH-WANHUA")).to_be_visible()

    row = page.get_by_role("row").filter(has_text="TPH-WANHUA")
    row.get_by_role("link", name="編輯").click()
    page.locator("#name").fill("臺北市萬華區戶政事務所（西園）")
    page.get_by_role("button", name="儲存").click()
    expect(page.locator(".flash.ok")).to_contain_text("已更新機關 臺北市萬華區戶政事務所（西園）")
    page.get_by_role("row").filter(has_text="TPH-WANHUA").get_by_role("button", name="停用").click()
    expect(page.get_by_role("row").filter(has_text="TPH-WANHUA")).to_contain_text("已停用")
    (office,) = fresh(Office, Office.code == "TPH-WANHUA")
    assert not office.active and office.name_en == "Wanhua Household Registration Office"

    bad = tmp_path / "offices.csv"
    bad.write_text("code,name,kind,city\nTPH-ZS,臺北市中山區戶政事務所,household,臺北市\n"
                   "TPH-XX,臺北市某區,castle,臺北市\n", encoding="utf-8")
    page.get_by_label("機關名冊 CSV（UTF-8）").set_input_files(str(bad))
    page.get_by_role("button", name="匯入").click()
    expect(page.get_by_role("cell", name="3", exact=True)).to_be_visible()  # the bad line's number
    assert fresh(Office, Office.code == "TPH-ZS") == []  # all or nothing
    bad.write_text("code,name,kind,city,name_en\nTPH-ZS,臺北市中山區戶政事務所,household,臺北市,"
                   "Zhongshan Household Registration Office\n", encoding="utf-8")
    page.get_by_label("機關名冊 CSV（UTF-8）").set_input_files(str(bad))
    page.get_by_role("button", name="匯入").click()
    expect(page.get_by_role("cell", name="TPH-ZS")).to_be_visible()
    assert [e for e in page.console_errors if "status of 400" not in e] == []  # the refused file


@pytest.mark.parametrize("size", ["TABLET", "PHONE"])
def test_paper_questionnaires_keyed_into_the_template_are_checked_previewed_and_stored(
        open_page, tmp_path, size):
    office = factories.office()
    page = signed_in(open_page, factories.user("admin"), size)
    page.goto("/paper/")
    with page.expect_download() as download:
        page.get_by_role("link", name="民眾滿意度調查 空白表（Excel，含下拉選單）").click()
    blank = tmp_path / "blank.xlsx"
    download.value.save_as(blank)
    book = load_workbook(blank)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.data_validations.dataValidation, "each answer column has a drop-down"
    for line, overall in ((2, "5"), (3, "4")):
        sheet.cell(line, header.index("office_code") + 1, office.code)
        sheet.cell(line, header.index("submitted_on") + 1, "2025-08-12")
        sheet.cell(line, header.index("overall") + 1, overall)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    page.get_by_label("紙本問卷資料（CSV 或 .xlsx）").set_input_files(str(filled))
    page.get_by_role("button", name="檢查並預覽").click()
    expect(page.get_by_role("heading", name="確認匯入紙本問卷")).to_be_visible()
    assert fresh(Submission, Submission.channel == "paper") == []  # nothing before the confirm
    page.get_by_role("button", name="確認匯入", exact=True).click()
    page.wait_for_load_state("networkidle")
    stored = fresh(Submission, Submission.channel == "paper")
    assert len(stored) == 2 and {s.office_id for s in stored} == {office.id}
    assert page.console_errors == []


def test_an_admin_prints_qr_slips_and_sets_up_a_kiosk_by_its_qr_code(open_page, tmp_path):
    office = factories.office()
    page = signed_in(open_page, factories.user("admin"))
    page.goto("/slips")
    page.locator("#count").fill("12")
    with page.expect_download() as download:
        page.get_by_role("button", name="產生 PDF").click()
    pdf = tmp_path / "slips.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "codes_issued")) == 1

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/admin/kiosks")
    page.get_by_label("名稱（例如：一樓櫃檯平板）").fill("一樓櫃檯平板")
    page.get_by_role("button", name="登記平板").click()
    (kiosk,) = fresh(Kiosk, Kiosk.office_id == office.id)
    expect(page.locator("svg title", has_text="一樓櫃檯平板 的專屬連結")).to_have_count(1)
    page.get_by_role("button", name="複製連結").click()
    expect(page.get_by_role("button", name="已複製")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/k/{kiosk.token}") or \
        kiosk.token in page.evaluate("navigator.clipboard.readText()")
    assert page.console_errors == []


def test_an_admin_creates_an_account_with_a_name_and_the_least_privileged_role(open_page):
    page = signed_in(open_page, factories.user("admin"))
    page.goto("/admin/users")
    form = page.locator("form[method=post]").filter(has=page.get_by_role("button", name="建立帳號"))
    expect(form.get_by_label("角色")).to_have_value("inspector")
    form.get_by_label("電子郵件").fill("chen@example.tw")
    form.get_by_label("顯示名稱（例如：王小明）").fill("陳志明")
    form.get_by_label("初始密碼（至少 10 字元）").fill("a long enough password")
    form.get_by_role("button", name="建立帳號").click()
    expect(page.get_by_role("row").filter(has_text="chen@example.tw")).to_contain_text("查核人員")
    (user,) = fresh(User, User.email == "chen@example.tw")
    assert user.display_name == "陳志明" and user.role == "inspector"


def test_an_inspector_deletes_their_own_draft(open_page):
    office, inspector = factories.office(), factories.user("inspector")
    draft = factories.record(office, inspector, status="draft")
    page = signed_in(open_page, inspector)
    page.goto(f"/inspect/{draft.id}")
    page.get_by_role("link", name="刪除草稿").click()
    page.get_by_role("button", name="確定刪除").click()
    page.wait_for_url("**/inspect/**")
    expect(page.get_by_text("尚無紀錄。")).to_be_visible()
    assert fresh(Submission) == []
    assert [e.action for e in fresh(AuditEvent, AuditEvent.target_type == "submission")] == ["deleted"]


def test_a_reviewer_returns_a_record_and_the_inspector_reads_why_and_its_history(open_page):
    office, inspector = factories.office(), factories.user("inspector")
    record = factories.record(office, inspector, score=72.0)
    reviewer_page = signed_in(open_page, factories.user("reviewer"))
    reviewer_page.goto("/review/")
    reviewer_page.get_by_role("region", name="待審核紀錄").get_by_role("link", name="審核").click()
    reviewer_page.get_by_role("button", name="退回修改").click()
    alert = reviewer_page.locator(".error-summary, [role=alert]").first
    expect(alert).to_contain_text("退回時請說明需要修改的地方")
    reviewer_page.get_by_label(re.compile("^審核意見（退回時必填")).fill("第 3 題請補上通話時間。")
    reviewer_page.get_by_role("button", name="退回修改").click()
    expect(reviewer_page.get_by_text("已退回給檢查員。")).to_be_visible()

    page = signed_in(open_page, inspector)
    page.goto(f"/inspect/{record.id}")
    expect(page.get_by_text("第 3 題請補上通話時間。").first).to_be_visible()
    history = page.locator("section.history")
    expect(history).to_contain_text("退回")
    assert page.console_errors == []


@pytest.fixture
def many(app):
    daan = factories.office()
    xinyi = factories.office("TPH-XINYI", "臺北市信義區戶政事務所", district="信義區")
    inspector = factories.user("inspector")
    start = datetime(2025, 7, 1, 2, tzinfo=UTC)
    rows = [factories.record(daan if n % 2 else xinyi, inspector, status="approved",
                             occurred_at=start + timedelta(days=n), score=50.0 + n)
            for n in range(30)]
    return inspector, rows


def test_a_phone_reads_the_records_as_cards_and_filters_them(open_page, many):
    inspector, rows = many
    page = signed_in(open_page, inspector, "PHONE", bypass_csp=True)  # axe is injected
    expect(page.locator("table.cards thead")).to_be_hidden()
    first = page.locator("table.cards tbody tr").first
    label = first.locator("td").nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert "受查機關" in label
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.get_by_text("篩選與排序").click()
    page.get_by_label("受查機關", exact=True).select_option("TPH-XINYI")
    page.get_by_role("button", name="篩選").click()
    expect(page.get_by_role("status").filter(has_text="共 15 筆")).to_be_visible()
    expect(page.get_by_text("已套用 1 項")).to_be_visible()
    expect(page.locator("table.cards tbody tr")).to_have_count(15)
    if AXE.exists():  # the filters open, the cards shown
        assert axe_violations(page) == []


def test_a_tablet_sorts_by_a_column_header_and_pages(open_page, many):
    inspector, rows = many
    page = signed_in(open_page, inspector)
    page.get_by_role("link", name="分數").click()
    header = page.get_by_role("columnheader", name="分數")
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("tbody tr").first).to_contain_text("50.0")
    page.get_by_role("link", name="分數").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.locator("tbody tr").first).to_contain_text("79.0")
    page.get_by_role("link", name="下一頁").click()
    expect(page.get_by_role("status").filter(has_text="顯示第 26–30 筆")).to_be_visible()
    expect(page.locator("tbody tr").last).to_contain_text("50.0")
