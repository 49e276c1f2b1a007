"""The staff survey (issue 31): a coordinator opens a round with staff numbers and hands out
one-time codes; staff answer with no account, once per code; nothing links an answer to its code,
its time or its order; paper and web count a code once; staff answers never leave as rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from analysis.periods import Period
from forms.types import Stored
from webapp.capture.staff import services as staff
from webapp.capture.staff.models import StaffBallot, StaffCode, StaffRound
from webapp.capture.submissions import Answer, Submission
from webapp.cycle.cases.models import ImprovementCase
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.offices import Office

ITEMS = ("workload", "training", "equipment", "teamwork", "supervisor", "overall")


def this_half() -> Period:
    from datetime import datetime
    return Period.half_of(datetime.now(TAIPEI))


@pytest.fixture
def coordinator(app, client):
    factories.office(code="TPH-DAAN", name="大安戶政")
    factories.office(code="TPL-SONGSHAN", name="松山地政", kind="land")
    login(client, factories.user("coordinator").email, factories.PASSWORD)
    return client


def open_round(client, **numbers) -> int:
    page = client.get("/staff-rounds/").get_data(as_text=True)
    data = {"csrf_token": hidden_fields(page)["csrf_token"], "period": str(this_half())}
    data |= {f"staff_{code.replace('_', '-')}": str(n) for code, n in numbers.items()}
    response = client.post("/staff-rounds/", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(StaffRound.id).where(StaffRound.period == str(this_half())))


def code_list(client, round_id: int, office: str, count: int) -> list[str]:
    page = client.get(f"/staff-rounds/{round_id}").get_data(as_text=True)
    response = client.post(f"/staff-rounds/{round_id}/codes", data={
        "csrf_token": hidden_fields(page)["csrf_token"], "office": office, "count": str(count),
        "shape": "csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return [r["code"] for r in rows]


def answer(client, code: str, levels: dict | None = None, comment: str = ""):
    page = client.get(f"/staff-survey/{code}")
    if page.status_code != 200:
        return page
    fields = hidden_fields(page.get_data(as_text=True))
    chosen = {k: "4" for k in ITEMS} | (levels or {})
    return client.post(f"/staff-survey/{code}", data={**fields, **chosen, "comment": comment})


def close(client, round_id: int):
    page = client.get(f"/staff-rounds/{round_id}").get_data(as_text=True)
    return client.post(f"/staff-rounds/{round_id}/close",
                       data={"csrf_token": hidden_fields(page)["csrf_token"]})


def test_a_round_hands_out_codes_and_counts_the_response_rate(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=12, TPL_SONGSHAN=0)
    staff_round = db.session.get(StaffRound, round_id)
    assert [o.office.code for o in staff_round.offices] == ["TPH-DAAN"]   # 0: not taking part
    codes = code_list(coordinator, round_id, "TPH-DAAN", 6)
    assert len(set(codes)) == 6 and all(len(c) == 9 and c[4] == "-" for c in codes)
    # only hashes are kept: no plain code anywhere in the table
    kept = {row.code_hash for row in db.session.scalars(select(StaffCode))}
    assert not any(c.replace("-", "") in kept or c in kept for c in codes)
    for code in codes[:3]:
        assert answer(app.test_client(), code).status_code == 302
    page = coordinator.get(f"/staff-rounds/{round_id}").get_data(as_text=True)
    assert "25%" in page     # 3 of 12 answered
    [row] = staff.standing(staff_round)
    assert (row.staff, row.issued, row.used, row.answered) == (12, 6, 3, 3)


def test_the_slips_print_the_staff_address_and_code(app, coordinator):
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed slips back")
    app.config["PUBLIC_BASE_URL"] = "https://survey.example.gov.tw"
    round_id = open_round(coordinator, TPH_DAAN=8)
    page = coordinator.get(f"/staff-rounds/{round_id}").get_data(as_text=True)
    response = coordinator.post(f"/staff-rounds/{round_id}/codes", data={
        "csrf_token": hidden_fields(page)["csrf_token"], "office": "TPH-DAAN", "count": "2",
        "shape": "pdf"})
    assert response.mimetype == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "survey.example.gov.tw/staff-survey" in text and "同仁" in text


def test_a_round_refuses_bad_requests_with_a_message(app, coordinator):
    page = coordinator.get("/staff-rounds/").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    nobody = coordinator.post("/staff-rounds/", data={"csrf_token": token,
                                                      "period": str(this_half())})
    assert nobody.status_code == 400 and "請至少為一個機關填寫同仁人數" in nobody.get_data(as_text=True)
    negative = coordinator.post("/staff-rounds/", data={
        "csrf_token": token, "period": str(this_half()), "staff_TPH-DAAN": "-3"})
    assert negative.status_code == 400 and "同仁人數應為" in negative.get_data(as_text=True)
    round_id = open_round(coordinator, TPH_DAAN=5)
    again = coordinator.post("/staff-rounds/", data={
        "csrf_token": token, "period": str(this_half()), "staff_TPH-DAAN": "5"})
    assert again.status_code == 400 and "已經有一輪" in again.get_data(as_text=True)
    too_many = coordinator.post(f"/staff-rounds/{round_id}/codes", data={
        "csrf_token": token, "office": "TPH-DAAN", "count": "501", "shape": "csv"})
    assert too_many.status_code == 400
    elsewhere = coordinator.post(f"/staff-rounds/{round_id}/codes", data={
        "csrf_token": token, "office": "TPL-SONGSHAN", "count": "2", "shape": "csv"})
    assert elsewhere.status_code == 400      # not in the round: not a choice
    assert db.session.scalar(select(func.count()).select_from(StaffCode)) == 0


def test_a_code_opens_the_form_once(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=10)
    [code, other] = code_list(coordinator, round_id, "TPH-DAAN", 2)
    phone = app.test_client()
    page = phone.get(f"/staff-survey/{code}")
    assert page.status_code == 200 and "工作量合理" in page.get_data(as_text=True)
    fields = hidden_fields(page.get_data(as_text=True))
    body = {**fields, **{k: "5" for k in ITEMS}}
    assert phone.post(f"/staff-survey/{code}", data=body).status_code == 302
    # a double tap in the same browser: thanked again, stored once
    assert phone.post(f"/staff-survey/{code}", data=body).headers["Location"].endswith("/thanks")
    assert db.session.scalar(select(func.count()).select_from(StaffBallot)) == 1
    # the same code on another phone: refused, nothing stored
    replay = answer(app.test_client(), code)
    assert replay.status_code == 410 and "已經使用過" in replay.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StaffBallot)) == 1
    # typed by hand, lower case with a space: the same code
    typed = app.test_client().get(f"/staff-survey?code={other.lower().replace('-', ' ')}")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(other.replace("-", ""))
    unknown = app.test_client().get("/staff-survey?code=ZZZZ-ZZZZ")
    assert unknown.status_code == 404 and "找不到這個代碼" in unknown.get_data(as_text=True)
    # a missing required answer: 400 with the answers kept, the code still unused
    phone = app.test_client()
    fields = hidden_fields(phone.get(f"/staff-survey/{other}").get_data(as_text=True))
    missing = phone.post(f"/staff-survey/{other}", data={**fields, "workload": "2"})
    assert missing.status_code == 400 and 'value="2"' in missing.get_data(as_text=True)
    assert not db.session.scalar(select(StaffCode).where(
        StaffCode.code_hash == staff.onetime.digest(other.replace("-", "")))).used


def test_english_and_no_javascript(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=10)
    [code] = code_list(coordinator, round_id, "TPH-DAAN", 1)
    phone = app.test_client()
    fields = hidden_fields(phone.get(f"/staff-survey/{code}").get_data(as_text=True))
    switched = phone.post(f"/staff-survey/{code}", data={**fields, "workload": "3",
                                                         "switch_lang": "en"})
    html = switched.get_data(as_text=True)
    assert switched.status_code == 200 and "Reasonable workload" in html and 'value="3"' in html
    assert db.session.scalar(select(func.count()).select_from(StaffBallot)) == 0


def test_nothing_links_an_answer_to_its_code_its_time_or_its_order(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=20)
    codes = code_list(coordinator, round_id, "TPH-DAAN", 12)
    for n, code in enumerate(codes):      # each answer told apart by its comment
        assert answer(app.test_client(), code, comment=f"意見{n:02d}").status_code == 302
    # a used code keeps only "used": no time, no answer
    columns = set(StaffCode.__table__.columns.keys())
    assert columns == {"id", "round_id", "office_id", "code_hash", "used", "used_on"}
    ballot_columns = set(StaffBallot.__table__.columns.keys())
    assert ballot_columns == {"id", "round_id", "office_id", "version_id", "day", "answers"}
    assert close(coordinator, round_id).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(StaffBallot)) == 0
    stored = db.session.scalars(select(Submission).where(Submission.instrument_key == "staff")
                                .order_by(Submission.id)).all()
    assert len(stored) == 12 and {s.channel for s in stored} == {"web"}
    # stored at noon of the day, all with the same moment of storing
    assert {s.occurred_at.astimezone(TAIPEI).time().isoformat() for s in stored} == {"12:00:00"}
    assert len({s.created_at for s in stored}) == 1
    order = [db.session.scalar(select(Answer.text).where(Answer.submission_id == s.id,
                                                         Answer.item_key == "comment"))
             for s in stored]
    assert sorted(order) == [f"意見{n:02d}" for n in range(12)]
    assert order != sorted(order)        # shuffled (the same order by chance: 1 in 479 million)
    # the audit log names no code and no answer
    from webapp.platform.audit import AuditEvent
    logged = json.dumps([e.detail for e in db.session.scalars(select(AuditEvent))],
                        ensure_ascii=False)
    assert not any(c.replace("-", "") in logged for c in codes) and "意見" not in logged


def test_a_closed_round_takes_no_answers_and_no_codes(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=10)
    [code] = code_list(coordinator, round_id, "TPH-DAAN", 1)
    assert close(coordinator, round_id).status_code == 302
    late = app.test_client().get(f"/staff-survey/{code}")
    assert late.status_code == 410 and "已經結束" in late.get_data(as_text=True)
    assert close(coordinator, round_id).status_code == 409
    page = coordinator.get(f"/staff-rounds/{round_id}").get_data(as_text=True)
    assert "產生代碼" not in page


def paper_file(rows: list[list[str]]) -> bytes:
    from webapp.capture.paper import batches

    head = batches.header(instruments.current("staff")[1])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    for office, day, code in rows:
        writer.writerow([office, day, code] + ["4"] * len(ITEMS) + [""])
    return out.getvalue().encode("utf-8")


def test_paper_and_web_count_a_code_once(app, coordinator):
    from webapp.capture.paper import batches

    round_id = open_round(coordinator, TPH_DAAN=10)
    web, paper, twice = code_list(coordinator, round_id, "TPH-DAAN", 3)
    assert answer(app.test_client(), web).status_code == 302
    day = date.today().isoformat()
    refused = batches.import_csv("staff", paper_file([["TPH-DAAN", day, web]]))
    assert refused.errors and "已經用過" in refused.errors[0][1]
    doubled = batches.import_csv("staff", paper_file([["TPH-DAAN", day, twice],
                                                      ["TPH-DAAN", day, twice]]))
    assert doubled.errors and "出現兩次" in doubled.errors[0][1]
    wrong_office = batches.import_csv("staff", paper_file([["TPL-SONGSHAN", day, paper]]))
    assert wrong_office.errors and "不是這個機關" in wrong_office.errors[0][1]
    raw = paper_file([["TPH-DAAN", day, paper], ["TPH-DAAN", day, ""]])
    done = batches.import_csv("staff", raw)
    db.session.commit()
    assert (done.stored, done.errors) == (2, [])
    again = batches.import_csv("staff", raw)     # the same file twice: stored once, no error
    db.session.commit()
    assert (again.stored, again.already, again.errors) == (0, 2, [])
    [row] = staff.standing(db.session.get(StaffRound, round_id))
    assert (row.used, row.answered) == (2, 3)    # web 1 (sealed) + paper 2, the web code once
    # the web answer, given on a code paper then tried, still counts once after closing
    close(coordinator, round_id)
    assert staff.respondents(this_half(), [row.office.id])[row.office.id] == 3


def test_staff_answers_never_leave_as_rows(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=10)
    for code in code_list(coordinator, round_id, "TPH-DAAN", 6):
        answer(app.test_client(), code)
    close(coordinator, round_id)
    analyst = app.test_client()
    login(analyst, factories.user("analyst").email, factories.PASSWORD)
    for fmt in ("csv", "xlsx", "sav", "dta"):
        refused = analyst.get(f"/reports/responses.{fmt}?instrument=staff&period={this_half()}")
        assert refused.status_code == 403 and "不提供逐筆資料" in refused.get_data(as_text=True)
    from webapp.reporting import exports
    with pytest.raises(exports.ExportError):
        exports.table("staff", str(this_half()))
    api = analyst.get(f"/api/v1/results?instrument=staff&period={this_half()}")
    assert api.status_code in (400, 401, 404)
    assert "staff" not in analyst.get("/api/v1/openapi.json").get_data(as_text=True).split(
        '"enum"')[1][:80]


def test_only_offices_with_enough_answers_are_reported_and_low_items_open_a_case(
        app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=12, TPL_SONGSHAN=9)
    for code in code_list(coordinator, round_id, "TPH-DAAN", 5):
        # workload: 1 of 5 agree (20%, under 60%); everything else agreed
        low = "4" if code.endswith("0") else "2"
        answer(app.test_client(), code, {"workload": low})
    for code in code_list(coordinator, round_id, "TPL-SONGSHAN", 3):
        answer(app.test_client(), code, {"workload": "1", "supervisor": "1"})
    analyst = app.test_client()
    login(analyst, factories.user("analyst").email, factories.PASSWORD)
    open_report = analyst.get(f"/reports/download.json?period={this_half()}")
    if open_report.status_code == 200:
        sealed = json.loads(open_report.data)["staff"]
        assert sealed["round"]["open"] and "items" not in sealed
    assert close(coordinator, round_id).status_code == 302
    report = json.loads(analyst.get(f"/reports/download.json?period={this_half()}").data)
    section = report["staff"]
    rows = {o["code"]: o for o in section["offices"]}
    daan, songshan = rows["TPH-DAAN"], rows["TPL-SONGSHAN"]
    assert daan["reportable"] and daan["n"] == 5 and daan["response_rate"] == pytest.approx(5 / 12)
    assert not songshan["reportable"] and songshan["items"] == {} and songshan["comments"] is None
    assert songshan["n"] == 3 and songshan["response_rate"] == pytest.approx(3 / 9)
    # the all-office line pools the shown office only: nothing to subtract
    assert section["overall"]["n"] == 5 and section["overall"]["offices"] == 1
    assert section["too_few"] == ["TPL-SONGSHAN"]
    assert any("回答不足 5 人" in s for s in report["summary"]["sentences"])
    # the case: for the office judged, its low items only; none for the office with 3 answers
    [case] = db.session.scalars(select(ImprovementCase)).all()
    assert case.office.code == "TPH-DAAN" and case.staff_round_id == round_id
    workload_low = daan["items"]["workload"]["rate"] < 0.6
    assert [i.item_key for i in case.items] == (["workload"] if workload_low else [])
    html = analyst.get(f"/reports/?period={this_half()}").get_data(as_text=True)
    assert "回答不足 5 人，不列出結果" in html and "41.7%" in html


def test_the_manager_answers_an_internal_case(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=6)
    for code in code_list(coordinator, round_id, "TPH-DAAN", 5):
        answer(app.test_client(), code, {"training": "2"})
    close(coordinator, round_id)
    case = db.session.scalar(select(ImprovementCase))
    assert [i.item_key for i in case.items] == ["training"]
    manager_user = factories.user("office")
    manager_user.office_id = case.office_id
    db.session.commit()
    manager = app.test_client()
    login(manager, manager_user.email, factories.PASSWORD)
    page = manager.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "內部同仁滿意度調查" in page and 'type="file"' not in page
    assert "內部同仁滿意度調查" in manager.get("/cases/").get_data(as_text=True)
    fields = hidden_fields(page)
    sent = manager.post(f"/cases/{case.id}", data={
        "csrf_token": fields["csrf_token"], "item": str(case.items[0].id),
        "answer": "每季辦理兩次系統操作訓練", "submit": "1"})
    assert sent.status_code == 302
    db.session.refresh(case.items[0])
    assert case.items[0].state == "answered"


def test_managers_see_their_own_office_under_the_same_rules(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=12, TPL_SONGSHAN=9)
    for code in code_list(coordinator, round_id, "TPH-DAAN", 5):
        answer(app.test_client(), code, comment="主管很支持")
    for code in code_list(coordinator, round_id, "TPL-SONGSHAN", 2):
        answer(app.test_client(), code)
    close(coordinator, round_id)
    pages = {}
    for code in ("TPH-DAAN", "TPL-SONGSHAN"):
        manager_user = factories.user("office", email=f"{code}@example.tw")
        manager_user.office_id = db.session.scalar(
            select(Office.id).where(Office.code == code))
        db.session.commit()
        manager = app.test_client()
        login(manager, manager_user.email, factories.PASSWORD)
        pages[code] = manager.get(f"/reports/office/{code}?period={this_half()}").get_data(
            as_text=True)
    assert "滿意的同仁" in pages["TPH-DAAN"] and "100.0%" in pages["TPH-DAAN"]
    assert "文字意見 5 則" in pages["TPH-DAAN"] and "主管很支持" not in pages["TPH-DAAN"]
    assert "回答不足 5 人，為保護填答同仁不列出結果" in pages["TPL-SONGSHAN"]
    assert "滿意的同仁" not in pages["TPL-SONGSHAN"]


def test_the_next_report_shows_how_the_internal_cases_stand(app, coordinator):
    half = this_half()
    earlier = staff.open_round(half.previous(), {db.session.scalar(
        select(Office).where(Office.code == "TPH-DAAN")): 6})
    db.session.commit()
    for code in staff.issue(earlier, earlier.offices[0].office_id, 5):
        staff.cast(staff.lookup(code), instruments.current("staff")[0], {
            k: Stored(2 if k == "training" else 4) for k in ITEMS},
            today=half.previous().start())
    db.session.commit()
    staff.close(earlier)
    db.session.commit()
    [case] = db.session.scalars(select(ImprovementCase)).all()
    round_id = open_round(coordinator, TPH_DAAN=6)
    for code in code_list(coordinator, round_id, "TPH-DAAN", 5):
        answer(app.test_client(), code)
    close(coordinator, round_id)
    analyst = app.test_client()
    login(analyst, factories.user("analyst").email, factories.PASSWORD)
    report = json.loads(analyst.get(f"/reports/download.json?period={half}").data)
    [standing] = report["staff"]["followups"]
    assert (standing["code"], standing["opened"], standing["closed"]) == ("TPH-DAAN", 1, 0)
    assert case.period == str(half.previous())
    # the inspection cases' line does not count the internal case
    assert report["followups"] == []
    # training went from 0 % to 100 % agreeing: the change is named, Holm-adjusted
    change = next(o for o in report["staff"]["offices"] if o["code"] == "TPH-DAAN")[
        "items"]["training"]["change"]
    assert change["before_rate"] == 0 and change["direction"] == "up"



def test_a_blank_count_makes_up_the_office_staff_number(app, coordinator):
    round_id = open_round(coordinator, TPH_DAAN=7)
    assert len(code_list(coordinator, round_id, "TPH-DAAN", 3)) == 3
    page = coordinator.get(f"/staff-rounds/{round_id}").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    rest = coordinator.post(f"/staff-rounds/{round_id}/codes", data={
        "csrf_token": token, "office": "TPH-DAAN", "count": "", "shape": "csv"})
    assert rest.status_code == 200 and len(rest.get_data(as_text=True).splitlines()) == 1 + 4
    full = coordinator.post(f"/staff-rounds/{round_id}/codes", data={
        "csrf_token": token, "office": "TPH-DAAN", "count": "", "shape": "csv"})
    assert full.status_code == 400 and "已達同仁人數" in full.get_data(as_text=True)
