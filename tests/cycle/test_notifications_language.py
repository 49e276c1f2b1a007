"""Notifications in the reader's language (issue 27, item 10): a returned record names its
checklist and office in English for a reader of the English pages and in Chinese for a reader
of the Chinese ones; a notification stored before names were kept in both languages still
reads; mail carries each language's line with its own names."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import factories
from support.flows import full_phone_answers, post_form, post_page
from support.web import login

from webapp.capture.submissions import Submission
from webapp.cycle.cases.models import ImprovementCase
from webapp.cycle.notifications import services as notify
from webapp.cycle.notifications.models import Notification
from webapp.platform.extensions import db

pytest.importorskip("aiosmtpd.controller")
from support.smtp import Inbox, free_port, start  # noqa: E402


def signed_in(app, user, lang="zh_Hant_TW"):
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    assert client.get(f"/notifications/?lang={lang}").status_code == 200   # the reader's choice
    return client


def listed(client) -> str:
    return client.get("/notifications/").get_data(as_text=True)


@pytest.fixture
def people(app):
    office = factories.office()
    office.name_en = "Daan Household Registration Office"
    inspector, reviewer, manager = (factories.user(r) for r in ("inspector", "reviewer", "office"))
    manager.office_id = office.id
    db.session.commit()
    return office, inspector, reviewer, manager


def returned_record(app, office, inspector, reviewer, **answers) -> Submission:
    assert post_form(signed_in(app, inspector), "/inspect/new/phone", full_phone_answers(**answers),
                     office).status_code == 302
    record = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert post_page(signed_in(app, reviewer), f"/review/{record.id}",
                     {"send_back": "退回修改", "comment": "請補上通話時間"}).status_code == 302
    return record


def test_a_returned_record_names_its_checklist_in_the_readers_language(app, people):
    office, inspector, reviewer, _manager = people
    record = returned_record(app, office, inspector, reviewer)
    english = listed(signed_in(app, inspector, "en"))
    assert f"Your Phone-courtesy test #{record.id} (Daan Household Registration Office) was returned" in english
    assert "電話禮貌測試" not in english and "臺北市大安區戶政事務所" not in english
    chinese = listed(signed_in(app, inspector))
    assert f"您的電話禮貌測試 #{record.id}（臺北市大安區戶政事務所）被退回修改" in chinese
    assert "Phone-courtesy" not in chinese


def test_a_new_case_names_the_office_in_the_readers_language(app, people):
    office, inspector, reviewer, manager = people
    record = returned_record(app, office, inspector, reviewer, tone="no", greets="no")
    post_form(signed_in(app, inspector), f"/inspect/{record.id}/edit",
              full_phone_answers(tone="no", greets="no"), office)
    assert post_page(signed_in(app, reviewer), f"/review/{record.id}", {"approve": "核定"}).status_code == 302
    case = db.session.scalars(select(ImprovementCase)).one()
    assert "Daan Household Registration Office has a new follow-up case" in listed(
        signed_in(app, manager, "en"))
    assert f"臺北市大安區戶政事務所 有新的改善追蹤案 #{case.id}" in listed(signed_in(app, manager))


def test_a_notification_stored_with_chinese_names_only_still_reads(app, people):
    """Rows written before names were kept in both languages: the English sentence, with the
    Chinese name it was stored with; nothing fails."""
    _office, inspector, _reviewer, _manager = people
    db.session.add(Notification(user_id=inspector.id, kind="returned", link="/inspect/",
                                params={"instrument": "電話禮貌測試", "record": 7,
                                        "office": "臺北市大安區戶政事務所", "comment": "再確認"}))
    db.session.commit()
    assert "Your 電話禮貌測試 #7 (臺北市大安區戶政事務所) was returned: 再確認" in listed(
        signed_in(app, inspector, "en"))
    assert "您的電話禮貌測試 #7（臺北市大安區戶政事務所）被退回修改：再確認" in listed(signed_in(app, inspector))


def test_names_in_both_fall_back_to_chinese_when_there_is_no_english():
    assert notify.in_both("office", "某某所") == {"office": "某某所", "office_en": "某某所"}
    assert notify.in_both("instrument", {"zh_TW": "神秘客", "en": "Mystery visit"}) == {
        "instrument": "神秘客", "instrument_en": "Mystery visit"}
    assert notify.in_both("office", "某某所", "Some Office")["office_en"] == "Some Office"


@pytest.fixture
def smtp():
    inbox, port = Inbox(), free_port()
    controller = start(inbox, port)
    yield inbox, f"smtp://127.0.0.1:{port}"
    controller.stop()


def test_the_mail_has_each_languages_line_with_its_own_names(app, people, smtp):
    inbox, url = smtp
    app.config["MAIL_URL"] = url
    office, inspector, reviewer, _manager = people
    returned_record(app, office, inspector, reviewer)
    ((_recipients, message),) = inbox.messages
    zh_line, en_line = message.get_content().splitlines()[:2]
    assert "電話禮貌測試" in zh_line and "臺北市大安區戶政事務所" in zh_line
    assert "Phone-courtesy test" in en_line and "Daan Household Registration Office" in en_line
    assert "電話禮貌測試" not in en_line
