"""民眾抱怨處理: the call-back offer after a let-down answer, the request and its consent, the
office's contact case (attempts, closing, overdue), the report's figures and the retention."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from webapp.capture.contact.models import ContactRequest
from webapp.cycle.contacts import services as contacts
from webapp.cycle.contacts.models import ContactCase
from webapp.cycle.notifications.models import Notification
from webapp.platform.audit import AuditEvent
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.extensions import db
from webapp.platform.workdays import add_working_days
from webapp.reporting import exports, retention
from webapp.reporting.reports import build

LET_DOWN = {"attitude": "2", "knowledge": "2", "efficiency": "1", "overall": "1",
            "service_used": "household", "comment": "櫃檯人員態度很差，等了一個小時"}
PLEASED = {"attitude": "5", "knowledge": "5", "efficiency": "5", "overall": "5",
           "service_used": "household", "comment": "服務很好，謝謝"}
DETAILS = {"name": "王先生", "phone": "０９１２－３４５－６７８", "email": "", "consent": "y"}


def answer(client, url: str, answers: dict):
    page = client.get(url)
    data = hidden_fields(page.get_data(as_text=True)) | answers
    return client.post(url, data=data)


def offer_of(client, thanks_location: str) -> str | None:
    """The call-back form's address the thank-you page offers, if it offers one."""
    page = client.get(thanks_location).get_data(as_text=True)
    if "希望有專人與我聯絡" not in page:
        return None
    start = page.index('href="', page.index('class="contact-offer"')) + len('href="')
    return page[start:page.index('"', start)].replace("&amp;", "&")


def ask(client, offer: str, details: dict = DETAILS):
    page = client.get(offer)
    assert page.status_code == 200
    data = hidden_fields(page.get_data(as_text=True)) | details
    return client.post(offer, data=data)


@pytest.fixture
def manager(app, office):
    user = factories.user("office")
    user.office_id = office.id
    db.session.commit()
    return user


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return client


def requested(client, kiosk) -> ContactCase:
    response = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    offer = offer_of(client, response.location)
    assert offer is not None
    sent = ask(client, offer)
    assert sent.status_code == 302 and "sent=1" in sent.location
    return db.session.scalars(select(ContactCase)).one()


def test_a_let_down_citizen_is_offered_a_call_back_and_a_pleased_one_is_not(client, kiosk,
                                                                             office):
    low = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    assert "contact=" in low.location
    assert offer_of(client, low.location).startswith(f"/kiosk/{kiosk.token}/contact?offer=")
    pleased = answer(client, f"/kiosk/{kiosk.token}", PLEASED)
    assert "contact=" not in pleased.location and offer_of(client, pleased.location) is None
    # a satisfied score with a comment read as a complaint is offered one too
    complaint = answer(client, factories.personal_url(office),
                       PLEASED | {"overall": "4", "comment": "停車位太少，找了半小時"})
    assert offer_of(client, complaint.location).startswith(f"/survey/{office.code}/contact?")
    # a neutral comment and a middling score: no offer
    middling = answer(client, factories.personal_url(office),
                      PLEASED | {"overall": "3", "comment": "還可以"})
    assert offer_of(client, middling.location) is None


def test_the_request_opens_a_case_due_in_working_days_and_tells_the_manager(client, kiosk,
                                                                            manager):
    case = requested(client, kiosk)
    stored = db.session.scalars(select(ContactRequest)).one()
    assert (stored.name, stored.phone, stored.email) == ("王先生", "0912345678", None)
    assert "主管" in stored.consent and "30 天" in stored.consent    # who, and how long
    opened = case.opened_at.astimezone(TAIPEI).date()
    assert case.due_at.astimezone(TAIPEI).date() == add_working_days(opened, 3)
    note = db.session.scalars(select(Notification).where(
        Notification.kind == "contact_opened")).one()
    assert note.user_id == manager.id and "0912" not in str(note.params)
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "contact_case")).all()
    assert audit and all("0912" not in str(e.detail) and "王" not in str(e.detail) for e in audit)
    # the thank-you page says it arrived, never what it said (the next citizen at the tablet)
    thanks = client.get(f"/kiosk/{kiosk.token}/thanks?sent=1").get_data(as_text=True)
    assert "已收到您的聯絡請求" in thanks and "0912" not in thanks and "王先生" not in thanks


def test_the_form_says_what_to_fix_and_stores_nothing_until_it_is_right(client, kiosk):
    response = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    offer = offer_of(client, response.location)
    page = client.get(offer).get_data(as_text=True)
    assert 'autocomplete="off"' in page and "只有臺北市大安區戶政事務所的主管看得到" in page
    for details, message in [
            (DETAILS | {"phone": ""}, "請留下電話或電子郵件其中一項"),
            (DETAILS | {"phone": "12345"}, "電話號碼看起來不完整"),
            (DETAILS | {"phone": "", "email": "someone@"}, "電子郵件地址看起來不完整"),
            (DETAILS | {"consent": ""}, "請勾選同意"),
            (DETAILS | {"name": ""}, "請留下怎麼稱呼您")]:
        refused = ask(client, offer, details)
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), message
    assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 0
    kept_page = hidden_fields(client.get(offer).get_data(as_text=True))
    assert ask(client, offer, DETAILS | {"phone": "", "email": "wang@example.tw"}).status_code == 302
    # the same page sent again (Back, a second tab): the first stands, one case
    again = client.post(offer, data=kept_page | DETAILS)
    assert again.status_code == 302 and "sent=1" in again.location
    assert client.get(offer).status_code == 302        # the form is not shown again
    assert db.session.scalars(select(ContactRequest)).one().email == "wang@example.tw"
    assert db.session.scalar(select(func.count()).select_from(ContactCase)) == 1


def test_an_offer_is_signed_short_lived_and_bound_to_its_office(client, kiosk, office, app,
                                                                monkeypatch):
    response = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    offer = offer_of(client, response.location)
    token = parse_qs(urlsplit(offer).query)["offer"][0]
    assert client.get(f"/kiosk/{kiosk.token}/contact?offer={token[:-2]}xx").status_code == 410
    other = factories.kiosk(factories.office(code="TPH-XINYI", name="信義"))
    assert client.get(f"/kiosk/{other.token}/contact?offer={token}").status_code == 410
    assert client.get(f"/survey/{office.code}/contact?offer={token}").status_code == 410
    assert client.get(f"/kiosk/{kiosk.token}/contact").status_code == 410
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + app.config["CONTACT_OFFER_MINUTES"] * 60 + 5
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    gone = client.get(offer)
    assert gone.status_code == 410 and "已經失效" in gone.get_data(as_text=True)


def test_the_manager_sees_the_details_others_see_them_masked_or_not_at_all(app, client, kiosk,
                                                                           manager):
    case = requested(client, kiosk)
    mine = signed_in(app, manager).get(f"/contacts/{case.id}").get_data(as_text=True)
    assert "王先生" in mine and "0912345678" in mine and "等了一個小時" in mine
    assert "服務項目" not in mine and "整體" not in mine       # nothing else of the survey
    for role in ("coordinator", "admin"):
        seen = signed_in(app, factories.user(role))
        page = seen.get(f"/contacts/{case.id}").get_data(as_text=True)
        assert "王〇〇" in page and "0912345678" not in page and "＊＊＊＊＊＊＊678" in page
        assert "記錄這次聯絡" not in page
        attempt = hidden_fields(page) | {"means": "phone", "result": "resolved"}
        assert seen.post(f"/contacts/{case.id}", data=attempt).status_code == 403
    for role in ("analyst", "reviewer", "inspector"):
        assert signed_in(app, factories.user(role)).get(f"/contacts/{case.id}").status_code == 403
    elsewhere = factories.user("office")
    elsewhere.office_id = factories.office(code="TPH-XINYI", name="信義").id
    db.session.commit()
    assert signed_in(app, elsewhere).get(f"/contacts/{case.id}").status_code == 404
    assert f"/contacts/{case.id}" not in signed_in(app, elsewhere).get("/contacts/").get_data(
        as_text=True)


def record(app, manager, case_id: int, **fields):
    office = signed_in(app, manager)
    page = office.get(f"/contacts/{case_id}").get_data(as_text=True)
    return office.post(f"/contacts/{case_id}", data=hidden_fields(page) | fields)


def test_attempts_are_recorded_until_the_case_closes_with_its_outcome(app, client, kiosk,
                                                                      manager):
    case = requested(client, kiosk)
    refused = record(app, manager, case.id, means="phone")
    assert refused.status_code == 400 and "請選擇這次聯絡的結果" in refused.get_data(as_text=True)
    assert record(app, manager, case.id, means="phone", result="no_answer").status_code == 302
    db.session.expire_all()
    assert case.first_attempt_at is not None and case.closed_at is None and case.answered_in_time
    assert record(app, manager, case.id, means="phone", result="resolved",
                  note="已說明並改善叫號").status_code == 302
    db.session.expire_all()
    assert case.outcome == "resolved" and case.closed_at is not None and len(case.attempts) == 2
    late = record(app, manager, case.id, means="phone", result="reached")
    assert late.status_code == 409 and len(db.session.get(ContactCase, case.id).attempts) == 2


def test_a_case_nobody_tried_by_its_due_time_notifies_once(app, client, kiosk, manager):
    case = requested(client, kiosk)
    coordinator = factories.user("coordinator")
    assert contacts.notify_overdue()["overdue"] == 0
    case.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert contacts.notify_overdue()["overdue"] == 1
    db.session.commit()
    assert contacts.notify_overdue()["overdue"] == 0
    told = {n.user_id for n in db.session.scalars(select(Notification).where(
        Notification.kind == "contact_overdue"))}
    assert told == {manager.id, coordinator.id}


def test_a_request_whose_handler_never_ran_still_gets_its_case(app, client, kiosk):
    case = requested(client, kiosk)
    db.session.delete(case)
    db.session.commit()
    assert contacts.notify_overdue()["opened"] == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ContactCase)) == 1


def test_the_report_counts_requests_answered_in_time_and_resolved(app, client, kiosk, manager):
    first = requested(client, kiosk)
    requested_twice = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    ask(client, offer_of(client, requested_twice.location))
    second = db.session.scalars(select(ContactCase).where(ContactCase.id != first.id)).one()
    record(app, manager, first.id, means="phone", result="resolved")
    second.due_at = utcnow() - timedelta(days=1)   # tried, but after the promise
    db.session.commit()
    record(app, manager, second.id, means="email", result="unreachable")
    period = db.session.get(ContactRequest, first.request_id).submission.half
    report = build.build(period, min_n=1)
    (row,) = report["contact_cases"]
    assert (row["code"], row["requests"], row["answered_in_time"], row["resolved"],
            row["open"]) == (kiosk.office.code, 2, 1, 1, 0)


def test_the_details_are_erased_after_the_retention_period_and_never_leave(app, client, kiosk,
                                                                          manager):
    case = requested(client, kiosk)
    requested_twice = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    ask(client, offer_of(client, requested_twice.location), DETAILS | {"phone": "02-2345-6789"})
    record(app, manager, case.id, means="phone", result="reached")
    days = app.config["RETAIN_CONTACT_DAYS"]
    assert retention.apply(utcnow() + timedelta(days=days - 1))["contact_details"] == 0
    assert retention.apply(utcnow() + timedelta(days=days, minutes=1))["contact_details"] == 1
    db.session.expire_all()
    gone = db.session.get(ContactRequest, case.request_id)
    assert (gone.name, gone.phone, gone.email) == (None, None, None) and gone.purged
    page = signed_in(app, manager).get(f"/contacts/{case.id}").get_data(as_text=True)
    assert "已依保存期限刪除" in page and "0912345678" not in page
    open_one = db.session.scalars(select(ContactRequest).where(ContactRequest.purged_at.is_(None))).one()
    assert open_one.phone == "0223456789"     # its case is open: kept
    # what the exports, the web download and the API read: the answers, never the request
    table = exports.table("satisfaction", gone.submission.half, "zh_TW")
    assert len(table.rows) == 2 and "等了一個小時" in str(table.rows)
    assert "0223456789" not in str(table.rows) and "王先生" not in str(table.rows)
    download = signed_in(app, factories.user("analyst")).get(
        f"/reports/responses.csv?period={gone.submission.half}")
    assert download.status_code == 200 and "0223456789" not in download.get_data(as_text=True)


def test_working_days_skip_weekends_and_the_days_off():
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 3) == date(2026, 12, 9)           # Mon, Tue, Wed
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # asked on a Saturday
    assert add_working_days(friday, 3, {date(2026, 12, 8)}) == date(2026, 12, 10)


def test_odd_names_and_a_posted_no_are_refused_with_a_message(client, kiosk):
    response = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    offer = offer_of(client, response.location)
    assert "offer=" in offer
    for details, message in [(DETAILS | {"name": "   "}, "請留下怎麼稱呼您"),
                             (DETAILS | {"name": "ﷺ" * 3}, "稱呼請在 40 個字以內"),  # NFKC: 54
                             (DETAILS | {"consent": "false"}, "請勾選同意")]:
        refused = ask(client, offer, details)
        assert refused.status_code == 400 and message in refused.get_data(as_text=True), details
    assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 0


def test_a_refused_page_keeps_the_offer_and_a_database_hiccup_keeps_the_details(
        client, kiosk, monkeypatch):
    response = answer(client, f"/kiosk/{kiosk.token}", LET_DOWN)
    offer = offer_of(client, response.location)
    refused = ask(client, offer, DETAILS | {"consent": ""}).get_data(as_text=True)
    assert f'action="{offer.replace("&", "&amp;")}"' in refused   # a language switch keeps it
    from sqlalchemy.exc import OperationalError

    from webapp.capture.contact import services as contact

    def down(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(contact, "request_contact", down)
    busy = ask(client, offer)
    page = busy.get_data(as_text=True)
    assert busy.status_code == 503 and "系統暫時無法儲存" in page and 'value="王先生"' in page
    monkeypatch.undo()
    assert ask(client, offer).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ContactCase)) == 1


def test_a_double_tap_is_offered_the_call_back_too(client, kiosk):
    url = f"/kiosk/{kiosk.token}"
    data = hidden_fields(client.get(url).get_data(as_text=True)) | LET_DOWN
    first, second = client.post(url, data=data), client.post(url, data=data)
    assert "contact=" in first.location and "contact=" in second.location


def test_two_managers_closing_at_once_close_it_once(app, client, kiosk, manager):
    case = requested(client, kiosk)
    stale = db.session.get(ContactCase, case.id)
    assert stale.closed_at is None
    from sqlalchemy import update

    db.session.execute(update(ContactCase).where(ContactCase.id == case.id).values(
        closed_at=utcnow(), outcome="reached").execution_options(synchronize_session=False))
    with pytest.raises(contacts.Closed):   # this session still believes the case is open
        contacts.record_attempt(stale, means="phone", result="resolved", note=None, by=manager)
    db.session.rollback()


def test_the_due_time_counts_from_the_request_not_from_a_late_opening(app, client, kiosk):
    case = requested(client, kiosk)
    request = db.session.get(ContactRequest, case.request_id)
    from datetime import datetime

    request.created_at = datetime(2026, 12, 4, 9, 30, tzinfo=TAIPEI)   # a Friday morning
    db.session.delete(case)
    db.session.commit()
    contacts.notify_overdue()   # opens the missing case days later
    db.session.commit()
    reopened = db.session.scalars(select(ContactCase)).one()
    assert reopened.due_at.astimezone(TAIPEI) == datetime(2026, 12, 9, 23, 59, 59, tzinfo=TAIPEI)


def test_notes_are_masked_for_others_and_erased_with_the_details(app, client, kiosk, manager):
    case = requested(client, kiosk)
    record(app, manager, case.id, means="phone", result="reached", note="王先生說回電 0912345678")
    page = signed_in(app, factories.user("coordinator")).get(f"/contacts/{case.id}").get_data(
        as_text=True)
    assert "0912345678" not in page and "〔已遮蔽電話〕" in page
    retention.apply(utcnow() + timedelta(days=app.config["RETAIN_CONTACT_DAYS"], minutes=1))
    db.session.expire_all()
    assert [a.note for a in db.session.get(ContactCase, case.id).attempts] == [None]
