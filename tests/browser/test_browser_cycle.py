"""The inspection cycle in Chromium, each step by the role that does it (issue 13, done-when):
the coordinator plans the quarter's phone tests and the half-year's visits; the inspector sees
the task, files the visit with a geotagged photo; the reviewer sees the photo and approves a
score of 85; a case opens; the office manager answers it; the reviewer accepts; the next
half-year's report shows the case closed."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from PIL import Image
from sqlalchemy import select
from support import browser, factories
from support.browser import answer_the_rest

from webapp.capture import photo_files as photos
from webapp.capture.evidence import Photo
from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import ImprovementCase
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.extensions import db

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

MISSED = ("correct", "all_at_once")     # 8 + 7 points of 100: a score of 85


def geotagged(path):
    image = Image.new("RGB", (800, 600), (30, 120, 60))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 30.0), 3: "E", 4: (121.0, 33.0, 50.0)})
    image.save(path, "JPEG", exif=exif)
    with Image.open(path) as check:
        assert check.getexif().get_ifd(0x8825)
    return path


def signed_in(open_page, user, size="TABLET"):
    page = open_page("/login", **getattr(browser, size))
    browser.sign_in(page, user.email, factories.PASSWORD)
    return page


def answer(page, key, label):
    page.locator(f"#q-{key} label.choice").filter(
        has=page.get_by_text(label, exact=True)).click()


@pytest.fixture
def cast(app, monkeypatch, tmp_path):
    monkeypatch.setattr(plans, "today", lambda: date(2025, 7, 15))
    app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    daan = factories.office()
    factories.office("TPH-XINYI", "臺北市信義區戶政事務所", district="信義區")
    people = {role: factories.user(role) for role in
              ("coordinator", "inspector", "reviewer", "office", "analyst")}
    people["office"].office_id = daan.id
    people["inspector"].display_name = "王查核"
    db.session.commit()
    return daan, people


def test_the_whole_cycle_from_plan_to_the_next_report(open_page, cast, tmp_path):
    daan, people = cast
    # 1. the coordinator plans the quarter's phone tests and the half-year's visits
    planner = signed_in(open_page, people["coordinator"])
    expect(planner).to_have_url(re.compile(r"/plans/$"))
    for option in ("電話禮貌測試　114年第3季", "神秘客查核　114年下半年"):
        planner.goto("/plans/")
        planner.get_by_label("查核類別與期間").select_option(label=option)
        planner.get_by_label("每個機關的次數").fill("1")
        planner.get_by_role("button", name="建立排程草稿").click()
        expect(planner.locator(".flash.ok")).to_contain_text("已建立排程草稿，共 2 項任務")
        planner.get_by_role("button", name="發布排程並通知查核人員").click()
        expect(planner.locator(".flash.ok")).to_contain_text("排程已發布")
    expect(planner.get_by_role("row").filter(has_text="臺北市大安區戶政事務所")).to_contain_text(
        "待查核")

    # 2. the inspector sees both tasks and files the visit, with a photo
    field = signed_in(open_page, people["inspector"])
    tasks = field.locator(".task-list li")
    expect(tasks.filter(has_text="臺北市大安區戶政事務所")).to_have_count(2)
    tasks.filter(has_text="臺北市大安區戶政事務所").filter(has_text="神秘客").get_by_role(
        "link", name="開始查核").click()
    expect(field.get_by_label("受查機關")).to_have_value(daan.code)
    field.get_by_label("查核時間").fill("2025-08-12T10:15")
    field.get_by_label(re.compile("等候")).first.fill("5")
    for key in MISSED:
        answer(field, key, "否")
    answer_the_rest(field)
    notes = field.locator("#q-correct + details.evidence")
    notes.locator("summary").click()
    notes.get_by_label("備註").fill("承辦人說明的應備文件少了戶口名簿")
    field.get_by_role("button", name="儲存草稿").click()
    expect(field.locator(".flash.ok")).to_contain_text("草稿已儲存")
    field.get_by_label(re.compile("^照片")).set_input_files(str(geotagged(tmp_path / "ramp.jpg")))
    field.get_by_label(re.compile("^說明")).fill("無障礙坡道被推車擋住")
    field.get_by_label("這張照片記錄的查核項目（選填）").select_option(value=MISSED[0])
    field.get_by_role("button", name="加入照片").click()
    expect(field.locator(".flash.ok")).to_contain_text("照片已加入")
    expect(field.locator("ul.photos img")).to_have_count(1)
    field.get_by_role("button", name="送出").click()
    field.wait_for_url(re.compile(r"/inspect/\d+(#[\w-]+)?$"))   # the page kept its anchor
    expect(field.locator(".flash.ok")).to_contain_text("已送出，等待審核人員核定")
    expect(field.locator(".next-task")).to_contain_text("電話禮貌測試")   # the next task, offered
    db.session.expire_all()
    record = db.session.scalars(select(Submission)).one()
    assert (record.status, record.score) == ("submitted", 85.0)
    assigned = db.session.scalars(select(Assignment).where(Assignment.submission_id.is_not(None)))
    assert [a.office_id for a in assigned] == [daan.id]
    photo = db.session.scalars(select(Photo)).one()
    kept = Image.open(io.BytesIO(photos.read(photo.digest)))
    assert not kept.getexif().get_ifd(0x8825)                     # the GPS tag is gone

    # 3. the reviewer sees the photo and approves 85: a case opens
    desk = signed_in(open_page, people["reviewer"])
    desk.goto(f"/review/{record.id}")
    thumb = desk.locator("ul.photos img")
    expect(thumb).to_have_count(1)
    thumb.scroll_into_view_if_needed()                 # loaded lazily, when it comes into view
    expect(thumb).to_have_js_property("naturalWidth", 320)
    expect(desk.locator("ul.photos .photo-item")).to_contain_text(   # which item it documents
        desk.locator(f"#item-{MISSED[0]} th").inner_text())
    expect(desk.locator("body")).to_contain_text("承辦人說明的應備文件少了戶口名簿")
    desk.get_by_role("button", name="核定").click()
    expect(desk.locator(".flash.ok").first).to_contain_text("已核定")
    expect(desk.locator(".flash.ok").last).to_contain_text("目前沒有其他待審核的紀錄")
    db.session.expire_all()
    case = db.session.scalars(select(ImprovementCase)).one()
    assert sorted(i.item_key for i in case.items) == sorted(MISSED)

    # 4. the office manager reads the case with the photo and answers each item
    manager = signed_in(open_page, people["office"])
    manager.goto("/cases/")
    manager.get_by_role("link", name=re.compile(f"#{case.id}")).click()
    expect(manager.locator("ul.photos img")).to_have_count(1)
    for n in range(len(MISSED)):
        item = manager.locator(".case-items > li").nth(n)
        item.get_by_label("改善情形（做了什麼、何時完成）").fill(f"已完成第 {n + 1} 項：加強教育訓練")
        item.get_by_role("button", name="送出改善情形").click()
        expect(manager.locator(".flash.ok")).to_contain_text("已送出改善情形")

    # 5. the reviewer accepts both answers: the case closes
    desk.goto(f"/cases/{case.id}")
    for _n in MISSED:
        desk.locator(".case-items > li").filter(has=desk.get_by_role(
            "button", name="接受")).first.get_by_role("button", name="接受").click()
        expect(desk.locator(".flash.ok")).to_contain_text("已接受")
    expect(desk.locator("body")).to_contain_text("已結案")

    # 6. the plan counts the approved visit, and the next half-year's report shows the case closed
    planner.goto(f"/plans/{db.session.scalars(select(CheckPlan).where(CheckPlan.period == '2025H2')).one().id}")
    expect(planner.locator(".tally")).to_contain_text("已核定")
    assert planner.locator(".tally div").nth(2).locator("dd").inner_text() == "1"
    factories.record(daan, people["inspector"], key="phone", status="approved", score=95.0,
                     grade="優等", occurred_at=datetime(2026, 3, 3, 2, 0, tzinfo=UTC))
    analyst = signed_in(open_page, people["analyst"])
    analyst.goto("/reports/?period=2026H1")
    followups = analyst.locator("section[aria-labelledby=followups-title]")
    expect(followups).to_contain_text("上次督導建議改進事項辦理情形")
    row = followups.get_by_role("row").filter(has_text="臺北市大安區戶政事務所")
    expect(row.locator("td")).to_have_text(["1", "1", "0"])
    for page in (planner, field, desk, manager, analyst):
        assert page.console_errors == []

