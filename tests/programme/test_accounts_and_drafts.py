"""Accounts have display names and Chinese role names, the role picker starts at the least
privileged role; inspectors delete their own drafts (audited); a returned record's page shows
the reviewer's comment and the record's history, and a return without a comment says so at the
top of the page."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from support import factories
from support.flows import client_for, post_page
from support.records import events, submit_phone_test
from support.web import hidden_fields

from forms.instrument import load_default
from webapp.capture.submissions import Answer, RecordEvent, Submission
from webapp.platform.extensions import db
from webapp.programme.accounts import User


def test_accounts_have_display_names_and_roles_read_in_chinese(app, people):
    admin = client_for(app, people["admin"])
    page = admin.get("/admin/users").get_data(as_text=True)
    picker = page.split('name="role"')[-1].split("</select>")[0]  # the new account's, not the filter
    assert re.search(r'<option selected value="inspector">查核人員</option>', picker) or \
        re.search(r'<option value="inspector" selected>查核人員</option>', picker), picker
    assert picker.index("查核人員") < picker.index("系統管理者")     # least privileged first
    created = post_page(admin, "/admin/users", {"email": "wang@example.tw",
                                                "display_name": " 王小明 ",
                                                "password": "long enough pw"})
    assert created.status_code == 302
    wang = db.session.scalar(select(User).where(User.email == "wang@example.tw"))
    assert wang.display_name == "王小明" and wang.role == "inspector"   # the default held
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "王小明" in listing and "查核人員" in listing and ">inspector<" not in listing
    twice = post_page(admin, "/admin/users", {"email": "WANG@example.tw", "display_name": "王",
                                              "password": "long enough pw"})
    html = twice.get_data(as_text=True)
    assert twice.status_code == 400
    top = html[html.index('class="flash error error-summary"'):html.index("<table")]
    assert 'href="#q-email"' in top and "這個帳號已經存在" in top   # above the list, not below
    renamed = post_page(admin, f"/admin/users/{wang.id}", {"display_name": "王大明",
                                                          "role": "inspector"})
    assert renamed.status_code == 302
    assert events("user_changed")[-1].detail == {"name": ["王小明", "王大明"]}
    bad = post_page(admin, f"/admin/users/{wang.id}", {"display_name": "<b>x</b>",
                                                      "role": "inspector"})
    assert bad.status_code == 400
    signed_in = client_for(app, people["reviewer"])
    people["reviewer"].display_name = "李審核"
    db.session.commit()
    assert '<span class="who"' in (home := signed_in.get("/review/").get_data(as_text=True))
    assert "李審核" in home and "審核人員" in home


def test_cli_creates_an_account_with_a_name(app, runner):
    result = runner.invoke(args=["users", "create", "--email", "chen@example.tw", "--role",
                                 "analyst", "--name", "陳分析"], input="long enough pw\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.display_name).where(User.email == "chen@example.tw")) \
        == "陳分析"


def draft(client, office):
    phone = load_default("phone")
    response = post_page(client, "/inspect/new/phone", {
        "rings": "3", "office": office.code, "occurred_at": "2025-08-12T10:15",
        "action": "draft", **{q["key"]: "yes" for q in phone.questions()
                              if q["type"] == "yes_no_na"}})
    assert response.status_code == 302
    return db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()


def test_an_inspector_deletes_their_own_draft_and_only_that(app, people):
    office = factories.office()
    inspector = client_for(app, people["inspector"])
    record = draft(inspector, office)
    key = record.idempotency_key
    confirm = inspector.get(f"/inspect/{record.id}/delete")
    assert confirm.status_code == 200 and "刪除後無法復原" in confirm.get_data(as_text=True)
    other = client_for(app, factories.user("inspector", email="other@example.tw"))
    assert other.get(f"/inspect/{record.id}/delete").status_code == 404     # not theirs
    assert post_page(other, f"/inspect/{record.id}/delete", {}, page_url="/inspect/").status_code == 404
    done = post_page(inspector, f"/inspect/{record.id}/delete", {})
    assert done.status_code == 302 and f"forget={key}" in done.headers["Location"]
    db.session.expunge_all()
    assert db.session.get(Submission, record.id) is None
    assert not db.session.scalar(select(func.count()).select_from(Answer)
                                 .where(Answer.submission_id == record.id))
    assert events("deleted")[-1].target_id == record.id
    listing = inspector.get(done.headers["Location"]).get_data(as_text=True)
    assert f'data-stored-key="{key}"' in listing          # this tablet drops its copy too
    assert inspector.get(f"/inspect/{record.id}").status_code == 404


def test_a_sent_record_is_never_deleted(app, people):
    office = factories.office()
    inspector = client_for(app, people["inspector"])
    record = submit_phone_test(inspector, office)
    page = inspector.get(f"/inspect/{record.id}/delete")
    assert page.status_code == 302
    token = hidden_fields(inspector.get("/inspect/").get_data(as_text=True)).get("csrf_token")
    inspector.post(f"/inspect/{record.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Submission, record.id).status == "submitted"
    assert not events("deleted")


def test_a_returned_record_shows_the_comment_and_its_history(app, people):
    office = factories.office()
    inspector, reviewer = client_for(app, people["inspector"]), client_for(app, people["reviewer"])
    people["reviewer"].display_name = "李審核"
    db.session.commit()
    record = submit_phone_test(inspector, office, asks_surname="no")
    missing = post_page(reviewer, f"/review/{record.id}", {"send_back": "1", "comment": ""})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400
    summary = html.index("error-summary")
    assert summary < html.index('<section class="section') and 'href="#q-comment"' in html
    post_page(reviewer, f"/review/{record.id}", {"send_back": "1", "comment": "響鈴次數請再確認"})
    shown = inspector.get(f"/inspect/{record.id}").get_data(as_text=True)
    assert "審核意見：響鈴次數請再確認" in shown
    history = shown.split('id="history-title"')[1]
    assert history.index("送出") < history.index("退回修改") < history.index("響鈴次數請再確認")
    assert "李審核" in history
    steps = db.session.scalars(select(RecordEvent.action).where(
        RecordEvent.submission_id == record.id).order_by(RecordEvent.id)).all()
    assert steps == ["submitted", "returned"]


def test_the_audit_log_reads_as_sentences_with_the_details_one_click_away(app, people):
    office = factories.office(code="TPH-DAAN", name="大安戶政")
    people["reviewer"].display_name = "王小明"
    db.session.commit()
    inspector, reviewer = client_for(app, people["inspector"]), client_for(app, people["reviewer"])
    record = submit_phone_test(inspector, office)
    post_page(reviewer, f"/review/{record.id}", {"approve": "1", "comment": ""})
    admin = client_for(app, people["admin"])
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert f"王小明 核准了 大安戶政 電話禮貌測試 #{record.id}" in log
    raw = log.split(f"王小明 核准了 大安戶政 電話禮貌測試 #{record.id}")[1].split("</details>")[0]
    assert "<summary>" in raw and people["reviewer"].email in raw and "approved" in raw
    english = admin.get("/admin/audit?lang=en").get_data(as_text=True)
    assert f"王小明 approved 大安戶政 phone test #{record.id}" in english
