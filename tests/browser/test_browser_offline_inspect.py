"""An inspector's tablet with the Wi-Fi cut (issue 14, items 1, 2 and 6), in Chromium with
``context.set_offline``: a checklist opened, filled and sent offline waits on the tablet and
reaches the server exactly once when the network is back; a record changed on a second device
meanwhile raises the conflict view; signing out with records waiting asks first and discards
nothing."""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from support import browser, factories
from support.browser import answer_the_rest, queued

from webapp.capture.submissions import Submission
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.extensions import db

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser
OUTBOX = "inspect-outbox"   # the IndexedDB database the tablet keeps its outbox in



MARK = """() => new Promise((resolve) => {
  const opening = indexedDB.open("inspect-outbox", 1);
  opening.onsuccess = () => {
    const tx = opening.result.transaction("queue", "readwrite");
    const store = tx.objectStore("queue");
    store.getAll().onsuccess = (event) => event.target.result.forEach(
      (item) => store.put(Object.assign(item, {problem: 409})));
    tx.oncomplete = () => { opening.result.close(); resolve(true); };
  };
})"""


def records():
    db.session.expire_all()
    return db.session.scalars(select(Submission).order_by(Submission.id)).all()


def wait_for(condition, what: str, seconds: float = 60.0, page=None):
    """A condition met within a generous deadline, never a fixed pause; with ``page``, its
    events (a dialog) are handled while waiting."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")


def signed_in(open_page, user):
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, user.email, factories.PASSWORD)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return page


def fill_phone(page, office, when="2025-08-12T10:15") -> None:
    page.get_by_label("受查機關").select_option(office.code)
    page.get_by_label("查核時間").fill(when)
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("3")
    page.locator("#q-needs_transfer label.choice").filter(                 # no transfer: the
        has=page.get_by_text("否", exact=True)).click()                   # transfer items go
    answer_the_rest(page)


def test_a_checklist_sent_offline_reaches_the_server_once(open_page, office):
    inspector = factories.user("inspector")
    page = signed_in(open_page, inspector)
    page.goto("/inspect/new/phone")            # kept by the worker while online
    cached_key = page.locator("input[name=idempotency_key]").input_value()
    page.goto("/inspect/")
    page.context.set_offline(True)
    page.goto("/inspect/new/phone")            # opens from the tablet's copy
    key = page.locator("input[name=idempotency_key]").input_value()
    assert key != cached_key and re.fullmatch(r"[0-9a-f]{32}", key)
    fill_phone(page, office)
    page.get_by_role("button", name="送出").click()
    page.wait_for_url(re.compile(r"/inspect/\?queued=1$"))
    expect(page.locator("#queued-note")).to_contain_text("恢復連線後會自動上傳")
    expect(page.locator("#outbox-panel")).to_contain_text("1 筆待上傳")
    page.reload()                              # still offline: the list opens from the copy
    expect(page.locator("#outbox-panel")).to_contain_text("1 筆待上傳")
    page.goto("/inspect/new/mystery")          # every page says what waits, in the bar
    expect(page.locator(".bar .outbox-count")).to_have_text("1 筆待上傳")
    assert records() == []

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    (record,) = wait_for(records, "the record on the server")
    assert (record.idempotency_key, record.status, record.inspector_id) == (
        key, "submitted", inspector.id)
    wait_for(lambda: queued(page, OUTBOX) == [], "the tablet's outbox emptied")
    page.goto("/inspect/")
    expect(page.locator("#outbox-panel")).to_contain_text("上次上傳")
    expect(page.locator(".bar .outbox-count")).to_be_hidden()
    assert len(records()) == 1
    assert page.console_errors == []


def test_a_record_changed_on_another_device_meanwhile_raises_the_conflict_view(open_page, office):
    inspector = factories.user("inspector")
    tablet = signed_in(open_page, inspector)
    tablet.goto("/inspect/new/phone")
    fill_phone(tablet, office)
    tablet.get_by_role("button", name="儲存草稿").click()
    expect(tablet.locator(".flash.ok")).to_contain_text("草稿已儲存")
    edit = tablet.url
    (draft,) = records()

    other = signed_in(open_page, inspector)      # a second device changes the same draft
    other.goto(edit)
    other.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("5")
    other.get_by_role("button", name="儲存草稿").click()
    expect(other.locator(".flash.ok")).to_contain_text("草稿已儲存")

    tablet.context.set_offline(True)
    tablet.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("7")
    tablet.get_by_role("button", name="儲存草稿").click()
    tablet.wait_for_url(re.compile(r"/inspect/\?queued=1$"))
    tablet.context.set_offline(False)
    tablet.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_for(lambda: [i for i in queued(tablet, OUTBOX) if i["problem"] == 409], "the conflict")
    tablet.reload()
    decide = tablet.locator("#outbox-panel").get_by_role("button", name="開啟並決定")
    expect(decide).to_be_visible()
    decide.click()
    conflict = tablet.locator(".conflict")
    expect(conflict).to_contain_text("已在別處修改過")
    expect(conflict.get_by_role("row").filter(has_text="響鈴")).to_contain_text("5")
    expect(conflict.get_by_role("row").filter(has_text="響鈴")).to_contain_text("7")
    db.session.expire_all()
    assert {a.item_key: a.value for a in db.session.get(Submission, draft.id).answers}[
        "rings"] == 5                             # nothing was overwritten silently
    assert queued(tablet, OUTBOX) == []          # the inspector holds it now, on this page


def test_signing_out_with_records_waiting_asks_and_discards_nothing(open_page, office):
    inspector = factories.user("inspector")
    page = signed_in(open_page, inspector)
    page.goto("/inspect/new/phone")
    page.context.set_offline(True)
    fill_phone(page, office)
    page.get_by_role("button", name="送出").click()
    page.wait_for_url(re.compile(r"/inspect/\?queued=1$"))
    # it waits for the inspector to decide (a conflict found on an earlier try): not sent now
    page.evaluate(MARK)
    page.context.set_offline(False)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="登出").click()
    wait_for(lambda: asked, "the question", page=page)
    assert "1 筆查核紀錄尚未上傳" in asked[0]
    expect(page.get_by_role("button", name="登出")).to_be_visible()      # still signed in
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="登出").click()
    page.wait_for_url(lambda url: urlsplit(url).path in ("/", "/login"))   # signed out
    assert len(queued(page, OUTBOX)) == 1 and records() == []   # signing out discarded nothing


KEPT_LIST = """() => caches.open("inspect-pages-v1").then(cache => cache.match(location.origin + "/inspect/"))
  .then(found => found ? found.text() : "")"""


def test_another_inspector_signing_in_never_finds_the_last_ones_pages(open_page, office):
    first, second = factories.user("inspector"), factories.user("inspector")
    page = signed_in(open_page, first)
    page.goto("/inspect/")
    wait_for(lambda: f'data-user="{first.id}"' in page.evaluate(KEPT_LIST), "the first's list kept",
             page=page)
    page.get_by_role("button", name="登出").click()
    page.wait_for_url(lambda url: urlsplit(url).path in ("/", "/login"))   # signed out
    browser.sign_in(page, second.email, factories.PASSWORD)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_for(lambda: f'data-user="{second.id}"' in page.evaluate(KEPT_LIST),
             "the second's list kept instead", page=page)
    assert f'data-user="{first.id}"' not in page.evaluate(KEPT_LIST)


# -- issue 25, finding 9: a signed-out tablet keeps no page of the inspector's -----------------

PLANNED = "臺北市計畫查核戶政事務所"     # an office of the inspector's plan: an unannounced check


def planned_check(inspector):
    office = factories.office("TPH-PLAN", PLANNED)
    db.session.add(CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=office.id, inspector_id=inspector.id, window_start=date(2025, 9, 1),
                   due_on=date(2025, 9, 30))]))
    db.session.commit()


def assert_signed_out_offline(page, waiting: int) -> None:
    """Offline, what the tablet shows at the task list and a checklist: a page asking to sign
    in, nothing of the plan or the records."""
    for path in ("/inspect/", "/inspect/new/phone"):
        def shows(path=path):
            # Chromium applies the emulated offline state to the worker's own fetches a moment
            # after the page's: until then a request still reaches the server (which sends it to
            # sign in); a tablet really offline has no such moment
            page.goto(path)
            return page.get_by_role("heading", name="已登出").count() > 0
        wait_for(shows, f"{path} offline: the signed-out page", page=page)
        expect(page.locator("body")).to_contain_text("請恢復連線後重新登入")
        body = page.locator("body").inner_text()
        assert PLANNED not in body and "我的任務" not in body and "2025-09-30" not in body
        if waiting:
            assert f"還有 {waiting} 筆查核紀錄尚未上傳" in body
    wait_for(lambda: page.evaluate(KEPT_LIST) == "", "the kept pages deleted", page=page)


def test_signing_out_leaves_no_plan_on_the_tablet_and_what_waits_goes_up_at_the_next_sign_in(
        open_page, office, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from webapp.capture import checklists

    inspector = factories.user("inspector")
    planned_check(inspector)
    page = signed_in(open_page, inspector)
    expect(page.locator(".tasks")).to_contain_text(PLANNED)
    wait_for(lambda: PLANNED in page.evaluate(KEPT_LIST), "the task list kept", page=page)
    page.goto("/inspect/new/phone")                       # kept too
    page.context.set_offline(True)
    fill_phone(page, office)
    page.get_by_role("button", name="送出").click()
    page.wait_for_url(re.compile(r"/inspect/\?queued=1$"))
    (item,) = queued(page, OUTBOX)

    def busy(*args, **kwargs):                            # the server cannot store it yet
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(checklists, "save", busy)
    page.context.set_offline(False)
    page.once("dialog", lambda dialog: dialog.accept())   # 1 record waits: signing out asks
    page.get_by_role("button", name="登出").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    page.context.set_offline(True)                        # at once: the worker had no time
    assert_signed_out_offline(page, waiting=1)
    assert [i["key"] for i in queued(page, OUTBOX)] == [item["key"]] and records() == []

    # the same inspector signs in again: the record goes up, and the tablet keeps pages again
    monkeypatch.undo()
    page.context.set_offline(False)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    (record,) = wait_for(records, "the record on the server")
    assert (record.idempotency_key, record.inspector_id) == (item["key"], inspector.id)
    wait_for(lambda: queued(page, OUTBOX) == [], "the tablet's outbox emptied", page=page)
    wait_for(lambda: PLANNED in page.evaluate(KEPT_LIST), "the task list kept again", page=page)
    page.context.set_offline(True)
    page.goto("/inspect/")
    expect(page.locator(".tasks")).to_contain_text(PLANNED)


def test_a_session_ended_elsewhere_leaves_no_plan_on_the_tablet(open_page, office):
    inspector = factories.user("inspector")
    planned_check(inspector)
    tablet = signed_in(open_page, inspector)
    wait_for(lambda: PLANNED in tablet.evaluate(KEPT_LIST), "the task list kept", page=tablet)
    other = signed_in(open_page, inspector)       # signing out on another device ends every
    other.get_by_role("button", name="登出").click()   # session of the account, the tablet's too
    other.wait_for_url(lambda url: urlsplit(url).path == "/login")
    tablet.goto("/inspect/")                      # still online: sent to sign in
    tablet.wait_for_url(lambda url: urlsplit(url).path == "/login")
    tablet.context.set_offline(True)
    assert_signed_out_offline(tablet, waiting=0)
    assert tablet.console_errors == []


def test_a_503_on_sending_keeps_its_promise_the_answers_are_on_the_page(open_page, office,
                                                                        monkeypatch):
    """Issue 25, finding 12b: the server cannot store (a 503); its page says the answers are
    still on it.  They are -- in the checklist itself when the database can still be read, in a
    page that holds what was sent when it cannot -- and sending them again stores them once."""
    from sqlalchemy.exc import OperationalError

    from webapp.capture import checklists
    from webapp.programme import instruments

    def busy(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    inspector = factories.user("inspector")
    page = signed_in(open_page, inspector)
    page.goto("/inspect/new/phone")
    key = page.locator("input[name=idempotency_key]").input_value()
    fill_phone(page, office)
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("6")
    monkeypatch.setattr(checklists, "save", busy)            # the write is refused
    page.get_by_role("button", name="送出").click()
    expect(page.get_by_role("alert")).to_contain_text("您填寫的內容仍在下方表單中")
    expect(page.get_by_label("受查機關")).to_have_value(office.code)
    expect(page.get_by_label(re.compile("^響鈴幾聲後接聽"))).to_have_value("6")
    expect(page.locator("#backup-banner")).to_be_hidden()     # nothing to restore: it is here
    assert page.locator("input[name=idempotency_key]").input_value() == key
    assert records() == [] and queued(page, OUTBOX) == []    # not the outbox: the server answered

    monkeypatch.setattr(instruments, "posted_version", busy)  # now it cannot even be read
    page.get_by_role("button", name="送出").click()
    expect(page.get_by_role("alert")).to_contain_text("您填寫的內容都保留在這個頁面裡")
    monkeypatch.undo()                                        # the database is back
    page.get_by_role("button", name="再送一次").click()
    page.wait_for_url(re.compile(r"/inspect/\d+$"))
    (record,) = records()
    assert record.idempotency_key == key and record.status == "submitted"
    assert {a.item_key: a.value for a in record.answers}["rings"] == 6
    assert [e for e in page.console_errors if "status of 503" not in e] == []   # only the 503s


def test_a_task_started_offline_keeps_its_office_and_a_refusal_says_what_is_missing(
        open_page, office):
    """Issue 27, item 1: 開始查核 on a task while offline opens the kept blank checklist with
    the task's office chosen; a record the server refuses on reconnect is listed with its
    office and the answers it lacks, and counted in the panel as the bar counts it."""
    inspector = factories.user("inspector")
    plan = CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=office.id, inspector_id=inspector.id,
                   window_start=date(2025, 7, 1), due_on=date(2025, 9, 30))])
    db.session.add(plan)
    db.session.commit()
    page = signed_in(open_page, inspector)
    page.goto("/inspect/new/phone")             # kept by the worker while online
    page.goto("/inspect/")
    page.context.set_offline(True)
    page.locator(".task-list li").filter(has_text=office.name).get_by_role(
        "link", name="開始查核").click()
    expect(page.get_by_label("受查機關")).to_have_value(office.code)
    fill_phone(page, office)
    page.get_by_role("button", name="送出").click()
    page.wait_for_url(re.compile(r"/inspect/\?queued=1$"))
    # a second one sent offline without its office: the server will refuse it
    page.goto("/inspect/new/phone")
    page.get_by_label("查核時間").fill("2025-08-13T09:00")
    page.get_by_role("button", name="儲存草稿").click()
    page.wait_for_url(re.compile(r"/inspect/\?queued=1$"))
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    (record,) = wait_for(records, "the task's record on the server")
    assert record.office_id == office.id
    panel = page.locator("#outbox-panel")
    expect(panel).to_contain_text("1 筆需要您處理")
    expect(panel.locator("li")).to_contain_text("（未選受查機關）")
    expect(panel.locator("li")).to_contain_text("缺少或有誤：受查機關")
    expect(page.locator(".bar .outbox-count")).to_have_text("1 筆待上傳")
