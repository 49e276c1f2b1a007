"""Command-line tools an operator runs: offices, accounts, demo data, instruments, QR sheets."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from support import factories

from forms.instrument import load_default
from webapp.capture.submissions import Submission
from webapp.capture.survey.codes import SurveyCode
from webapp.platform.audit import AuditEvent
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme.accounts import User
from webapp.programme.offices import Kiosk, Office


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def test_offices_import_adds_and_updates(runner, tmp_path):
    path = tmp_path / "offices.csv"
    path.write_text("code,name,kind,city,district\n"
                    "tph-songshan,臺北市松山區戶政事務所,戶政,臺北市,松山區\n"
                    "NTL-BANQIAO,新北市板橋地政事務所,land,新北市,板橋區\n", "utf-8-sig")
    result = runner.invoke(args=["offices", "import", str(path)])
    assert result.exit_code == 0 and "新增 2" in result.output
    path.write_text("code,name,kind,city,district,active\n"
                    "TPH-SONGSHAN,臺北市松山區戶政事務所,household,臺北市,松山區,0\n", "utf-8")
    assert runner.invoke(args=["offices", "import", str(path)]).exit_code == 0
    songshan = db.session.scalar(select(Office).where(Office.code == "TPH-SONGSHAN"))
    assert songshan.kind == "household" and songshan.active is False
    assert count(Office) == 2


def test_offices_import_is_all_or_nothing(runner, tmp_path):
    path = tmp_path / "offices.csv"
    path.write_text("code,name,kind,city\nA1,甲,household,臺北市\nB2,乙,police,臺北市\n", "utf-8")
    result = runner.invoke(args=["offices", "import", str(path)])
    assert result.exit_code == 1 and "第 3 行" in result.output and count(Office) == 0


def test_users_create_reads_the_password_from_stdin(runner, client):
    result = runner.invoke(args=["users", "create", "--email", "Ana@Example.tw", "--role",
                                 "analyst"], input="a long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "ana@example.tw" and user.password_hash != "a long password"
    assert user.check_password("a long password")
    again = runner.invoke(args=["users", "create", "--email", "ana@example.tw", "--role",
                                "admin"], input="a long password\n")
    assert again.exit_code == 1 and "已存在" in again.output
    short = runner.invoke(args=["users", "create", "--email", "b@example.tw", "--role",
                                "admin"], input="short\n")
    assert short.exit_code == 1 and count(User) == 1
    windows = runner.invoke(args=["users", "create", "--email", "c@example.tw", "--role",
                                  "admin"], input="from notepad\r\n")   # a CRLF file piped in
    assert windows.exit_code == 0
    assert db.session.scalar(select(User).where(User.email == "c@example.tw")).check_password(
        "from notepad")


def test_demo_data_loads_real_offices_and_two_half_years(runner, app):
    from webapp.demo import data as demo

    result = demo.load(scale=0.2, today=datetime(2026, 11, 22, tzinfo=TAIPEI))
    assert result["halves"] == ["2025H2", "2026H1"]
    names = set(db.session.scalars(select(Office.name)))
    assert "臺北市士林區戶政事務所" in names and "新北市林口地政事務所" in names
    assert count(Office) == 23 and count(Kiosk) == 23
    assert {u.role for u in db.session.scalars(select(User))} == {
        "admin", "coordinator", "analyst", "reviewer", "inspector", "office"}
    assert count(User) == 7    # two inspectors, so a plan has someone to balance over
    director = db.session.scalars(select(User).where(User.role == "office")).one()
    assert director.office is not None   # the demo's office manager runs a real office
    halves = set(db.session.scalars(select(Submission.half).distinct()))
    assert halves == {"2025H2", "2026H1"}
    # a closed staff-survey round for each half-year, answered through codes and ballots
    from webapp.capture.staff.models import StaffBallot, StaffRound
    rounds = db.session.scalars(select(StaffRound)).all()
    assert {r.period for r in rounds} == {"2025H2", "2026H1"} and all(not r.is_open for r in rounds)
    assert count(StaffBallot) == 0 and result["staff_answers"] == db.session.scalar(
        select(func.count()).select_from(Submission).where(Submission.channel == "web"))
    # call-back requests at the director's office, on its let-down answers of the last half
    from webapp.cycle.contacts.models import ContactCase
    cases = db.session.scalars(select(ContactCase)).all()
    assert cases and {c.office_id for c in cases} == {director.office_id}
    assert all(c.request.submission.half == "2026H1" for c in cases)
    assert cases[0].outcome == "resolved"
    skipped = runner.invoke(args=["demo-data", "--if-empty"])
    assert "略過" in skipped.output


@pytest.mark.bare
def test_instruments_publish_makes_a_new_version(runner, tmp_path):
    definition = load_default("staff").definition
    path = tmp_path / "staff.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), "utf-8")
    assert "v1" in runner.invoke(args=["instruments", "publish", str(path)]).output
    assert "未產生新版本" in runner.invoke(args=["instruments", "publish", str(path)]).output
    definition["sections"][0]["questions"][0]["label"]["zh_TW"] = "工作量合理且可預期"
    path.write_text(json.dumps(definition, ensure_ascii=False), "utf-8")
    assert "已發布 staff v2" in runner.invoke(args=["instruments", "publish", str(path)]).output
    path.write_text("{not json", "utf-8")
    assert runner.invoke(args=["instruments", "publish", str(path)]).exit_code == 1
    assert [e.detail["version"] for e in db.session.scalars(select(AuditEvent))] == [1, 2]


def test_qr_sheet_prints_one_time_codes(runner, tmp_path, client):
    office = factories.office()
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(args=["qr-sheet", "--office", office.code, "--count", "13", "--out",
                                 str(out), "--base-url", "https://survey.example.gov.tw"])
    assert result.exit_code == 0, result.output
    assert "2 頁" in result.output and out.read_bytes()[:5] == b"%PDF-"
    nowhere = runner.invoke(args=["qr-sheet", "--office", office.code, "--count", "3", "--out",
                                  str(tmp_path / "no" / "such" / "sheet.pdf")])
    assert nowhere.exit_code == 1 and "不存在" in nowhere.output
    assert count(SurveyCode) == 13
    assert runner.invoke(args=["qr-sheet", "--office", "NOPE", "--count", "1", "--out",
                               str(out)]).exit_code == 1
