"""Review (approve / return with a comment) and the append-only audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support import factories
from support.flows import client_for, post_page
from support.records import events, submit_phone_test
from support.web import hidden_fields, login

from forms.instrument import load_default
from webapp.capture.submissions import Submission
from webapp.platform.audit import AppendOnlyError
from webapp.platform.extensions import db
from webapp.programme.offices import Kiosk


def test_return_with_comment_fix_resubmit_approve(app, people):
    office = factories.office()
    inspector, reviewer = client_for(app, people["inspector"]), client_for(app, people["reviewer"])
    record = submit_phone_test(inspector, office, asks_surname="no")
    assert record.status == "submitted"
    assert f"/review/{record.id}" in reviewer.get("/review/").get_data(as_text=True)

    no_comment = post_page(reviewer, f"/review/{record.id}", {"send_back": "1", "comment": ""})
    assert no_comment.status_code == 400 and "退回時請說明" in no_comment.get_data(as_text=True)
    returned = post_page(reviewer, f"/review/{record.id}",
                         {"send_back": "1", "comment": "響鈴次數請再確認<script>"})
    assert returned.status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, record.id).status == "returned"

    edit_page = inspector.get(f"/inspect/{record.id}/edit").get_data(as_text=True)
    assert "響鈴次數請再確認&lt;script&gt;" in edit_page
    phone = load_default("phone")
    answers = {q["key"]: "yes" for q in phone.questions() if q["type"] == "yes_no_na"}
    fixed = post_page(inspector, f"/inspect/{record.id}/edit",
                      {**answers, "rings": "2", "office": office.code,
                       "occurred_at": "2025-08-12T10:15", "action": "submit"})
    assert fixed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, record.id).status == "submitted"

    approved = post_page(reviewer, f"/review/{record.id}", {"approve": "1", "comment": ""})
    assert approved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, record.id).status == "approved"
    assert inspector.get(f"/inspect/{record.id}/edit").status_code == 302   # locked now
    trail = [(e.action, e.actor) for e in events() if e.target_id == record.id]
    assert trail == [("created", people["inspector"].email),
                     ("submitted", people["inspector"].email),
                     ("returned", people["reviewer"].email),
                     ("changed", people["inspector"].email),
                     ("submitted", people["inspector"].email),
                     ("approved", people["reviewer"].email)]


def test_an_approved_record_cannot_be_reviewed_twice(app, people):
    office = factories.office()
    record = submit_phone_test(client_for(app, people["inspector"]), office)
    reviewer = client_for(app, people["reviewer"])
    stale = hidden_fields(reviewer.get(f"/review/{record.id}").get_data(as_text=True))
    post_page(reviewer, f"/review/{record.id}", {"approve": "1"})
    again = reviewer.post(f"/review/{record.id}", data={**stale, "send_back": "1", "comment": "x"})
    assert again.status_code == 409 and "請重新開啟這個頁面" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Submission, record.id).status == "approved"
    assert [e.action for e in events() if e.target_id == record.id][-1] == "approved"


def test_admin_registers_and_retires_a_kiosk_and_the_log_says_so(app, people):
    office = factories.office()
    admin = client_for(app, people["admin"])
    response = post_page(admin, "/admin/kiosks", {"office": office.code, "label": "一樓平板"})
    assert response.status_code == 302
    kiosk = db.session.scalars(select(Kiosk)).one()
    assert kiosk.created_by_id == people["admin"].id
    assert admin.get(f"/kiosk/{kiosk.token}").status_code == 200
    token = hidden_fields(admin.get("/admin/kiosks").get_data(as_text=True))["csrf_token"]
    assert admin.post(f"/admin/kiosks/{kiosk.id}/toggle", data={"csrf_token": token}).status_code == 302
    assert admin.get(f"/kiosk/{kiosk.token}").status_code == 410     # retired: tell the staff
    assert [e.action for e in events()] == ["kiosk_registered", "kiosk_changed"]
    page = admin.get("/admin/audit?action=kiosk_registered").get_data(as_text=True)
    assert "kiosk_registered" in page and "kiosk_changed" not in page.split("</form>")[-1]


def test_admin_creates_accounts(app, people):
    admin = client_for(app, people["admin"])
    response = post_page(admin, "/admin/users", {"email": "New@Example.tw", "role": "analyst",
                                                 "password": "long enough pw"})
    assert response.status_code == 302
    client = app.test_client()
    assert login(client, "new@example.tw", "long enough pw").status_code == 302
    duplicate = post_page(admin, "/admin/users", {"email": "new@example.tw", "role": "admin",
                                                  "password": "long enough pw"})
    assert duplicate.status_code == 400
    assert [e.action for e in events()] == ["user_created"]


def test_audit_events_are_append_only(app, people):
    office = factories.office()
    submit_phone_test(client_for(app, people["inspector"]), office)
    entry = events()[0]
    entry.action = "approved"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(events()[0])
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert events()[0].action == "created"


def test_imports_and_exports_are_logged(app, people, runner, tmp_path):
    office = factories.office()
    header = runner.invoke(args=["responses", "template", "satisfaction"]).output.strip()
    columns = header.split(",")
    row = {c: "" for c in columns} | {"office_code": office.code, "submitted_on": "2025-08-01",
                                      "overall": "5"}
    path = tmp_path / "paper.csv"
    path.write_text(header + "\n" + ",".join(row[c] for c in columns) + "\n", "utf-8")
    assert runner.invoke(args=["responses", "import", "satisfaction", str(path)]).exit_code == 0
    assert runner.invoke(args=["report", "--period", "2025H2", "--instrument", "satisfaction",
                               "--out", str(tmp_path / "out")]).exit_code == 0
    analyst = client_for(app, people["analyst"])
    assert analyst.get("/reports/download.json?period=2025H2&instrument=satisfaction"
                       ).status_code == 200
    logged = [(e.action, e.target_type, e.actor) for e in events()]
    assert ("imported", "responses", "cli") in logged
    assert ("exported", "report", "cli") in logged
    assert ("exported", "report", people["analyst"].email) in logged


def test_admin_changes_and_cli_publishing_are_logged_and_filterable(app, people, runner, tmp_path):
    office = factories.office()
    offices = tmp_path / "offices.csv"
    offices.write_text("code,name,kind,city\nTPH-XX,臺北市測試區戶政事務所,household,臺北市\n", "utf-8")
    assert runner.invoke(args=["offices", "import", str(offices)]).exit_code == 0
    assert runner.invoke(args=["qr-sheet", "--office", office.code, "--count", "2",
                               "--out", str(tmp_path / "qr.pdf")]).exit_code == 0
    assert runner.invoke(args=["instruments", "sync"]).exit_code == 0
    assert runner.invoke(args=["instruments", "sync"]).exit_code == 0     # unchanged: no event
    admin = client_for(app, people["admin"])
    token = hidden_fields(admin.get("/admin/users").get_data(as_text=True))["csrf_token"]
    assert admin.post(f"/admin/users/{people['analyst'].id}/toggle",
                      data={"csrf_token": token}).status_code == 302
    assert admin.post(f"/admin/offices/{office.id}/toggle",
                      data={"csrf_token": token}).status_code == 302
    logged = [(e.action, e.target_type, e.actor) for e in events()]
    assert ("imported", "offices", "cli") in logged
    assert ("codes_issued", "office", "cli") in logged
    published = [e.detail["key"] for e in events("instrument_published")]
    assert sorted(published) == ["mystery", "phone", "satisfaction", "staff", "themes"]  # once each
    assert ("user_changed", "user", people["admin"].email) in logged
    assert ("office_changed", "office", people["admin"].email) in logged

    def shown(query: str) -> str:
        return admin.get(f"/admin/audit?{query}").get_data(as_text=True).split("</form>")[-1]

    by_actor = shown(f"actor={people['admin'].email}")
    assert "user_changed" in by_actor and "codes_issued" not in by_actor
    by_target = shown("target_type=instrument")
    assert "instrument_published" in by_target and "office_changed" not in by_target
    assert "user_changed" not in shown("from=2000-01-01&to=2000-12-31")


def test_admin_changes_a_role_and_resets_a_password_which_signs_the_account_out(app, people):
    admin = client_for(app, people["admin"])
    analyst = people["analyst"]
    their_session = client_for(app, analyst)
    assert their_session.get("/reports/").status_code == 200
    url = f"/admin/users/{analyst.id}"
    assert post_page(admin, url, {"role": "reviewer", "password": ""}).status_code == 302
    assert their_session.get("/reports/").status_code == 403      # the new role, at once
    assert their_session.get("/review/").status_code == 200
    assert post_page(admin, url, {"role": "reviewer",
                                  "password": "a new long password"}).status_code == 302
    after = their_session.get("/review/")                          # signed out everywhere
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    fresh = app.test_client()
    assert login(fresh, analyst.email, factories.PASSWORD).status_code == 401
    assert login(fresh, analyst.email, "a new long password").status_code == 302
    short = post_page(admin, url, {"role": "reviewer", "password": "short"})
    assert short.status_code == 400
    assert post_page(admin, url, {"role": "reviewer", "password": " " * 3}).status_code == 302
    assert login(app.test_client(), analyst.email, "a new long password").status_code == 302
    mine = f"/admin/users/{people['admin'].id}"   # an admin's own new password: still signed in
    assert post_page(admin, mine, {"role": "admin", "password": "admin's new password"}
                     ).status_code == 302
    assert admin.get("/admin/users").status_code == 200
    own = post_page(admin, f"/admin/users/{people['admin'].id}", {"role": "analyst",
                                                                  "password": ""})
    assert own.status_code == 400 and "不能變更自己的角色" in own.get_data(as_text=True)
    changes = [e.detail for e in events("user_changed")]
    assert changes == [{"role": ["analyst", "reviewer"]}, {"password": "reset"},
                       {"password": "reset"}]
    assert "a new long password" not in str(changes)
