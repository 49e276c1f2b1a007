"""A plan per period (issue 13, item 1): the coordinator plans a quarter's phone tests, the
assignments are suggested balanced and rotated, each inspector sees 我的任務, a record filed
for the office fills its assignment, and the plan page shows coverage.  Offices never see a
date of an upcoming check."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support import factories
from support.flows import client_for, full_phone_answers, post_form, post_page

from webapp.capture.submissions import Submission
from webapp.cycle.notifications.models import Notification
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db

TODAY = date(2025, 7, 15)




@pytest.fixture
def programme(app, monkeypatch):
    monkeypatch.setattr(plans, "today", lambda: TODAY)
    offices = [factories.office(f"TPH-{n:02d}", f"臺北市第{n}戶政事務所") for n in range(1, 4)]
    first, second = factories.user("inspector"), factories.user("inspector")
    first.display_name, second.display_name = "陳查核", "李查核"
    coordinator = factories.user("coordinator")
    manager = factories.user("office")
    manager.office_id = offices[0].id
    db.session.commit()
    return {"offices": offices, "inspectors": [first, second], "coordinator": coordinator,
            "manager": manager, "as_coordinator": client_for(app, coordinator)}


def publish_plan(programme, plan_id: int):
    return post_page(programme["as_coordinator"], f"/plans/{plan_id}/publish", {},
                     page_url=f"/plans/{plan_id}", only_token=True)


def make_plan(programme, which="phone:2025Q3", per_office="1", publish=True):
    """Plan as the coordinator does: create the draft, then (unless told not to) publish it."""
    response = post_page(programme["as_coordinator"], "/plans/",
                         {"which": which, "per_office": per_office})
    if publish and response.status_code == 302:
        plan_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        assert publish_plan(programme, plan_id).status_code == 302
    return response


def test_a_quarter_plan_gives_every_office_a_check_balanced_over_the_inspectors(app, programme):
    response = make_plan(programme, publish=False)
    assert response.status_code == 302
    plan = db.session.scalars(select(CheckPlan)).one()
    assert (plan.period, plan.instrument_key, plan.per_office) == ("2025Q3", "phone", 1)
    assert sorted(a.office_id for a in plan.assignments) == sorted(
        o.id for o in programme["offices"])
    loads = sorted(sum(a.inspector_id == i.id for a in plan.assignments)
                   for i in programme["inspectors"])
    assert loads == [1, 2]
    # the window runs from today (a past day cannot be checked) to the quarter's last day
    assert {(a.window_start, a.due_on) for a in plan.assignments} == {
        (TODAY, date(2025, 9, 30))}
    # issue 27, item 15: a draft until published; nobody hears of it, nobody sees its tasks
    assert plan.published_at is None
    assert db.session.scalars(select(Notification)).all() == []
    assert all(plans.tasks_for(i) == [] for i in programme["inspectors"])
    inspector_page = client_for(app, programme["inspectors"][0]).get("/inspect/")
    assert "我的任務" not in inspector_page.get_data(as_text=True)
    assert publish_plan(programme, plan.id).status_code == 302
    told = db.session.scalars(select(Notification).where(Notification.kind == "assigned")).all()
    assert sorted(n.params["count"] for n in told) == [1, 2]   # one each, counting all theirs
    assert {n.user_id for n in told} == {i.id for i in programme["inspectors"]}
    assert [e.action for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "plan").order_by(AuditEvent.id))] == ["created", "published"]
    page = programme["as_coordinator"].get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "114年第3季" in page and "臺北市第1戶政事務所" in page and "陳查核" in page
    # issue 26: one check per office can never grade an office; the plan says so
    assert "少於報告給機關等第所需的 3 次" in page
    listing = programme["as_coordinator"].get("/plans/").get_data(as_text=True)
    assert "至少需要 3 次已核定的查核" in listing


def test_two_checks_per_office_go_to_two_inspectors_in_two_windows(programme):
    assert make_plan(programme, per_office="2").status_code == 302
    plan = db.session.scalars(select(CheckPlan)).one()
    assert len(plan.assignments) == 6
    for office in programme["offices"]:
        mine = [a for a in plan.assignments if a.office_id == office.id]
        assert len({a.inspector_id for a in mine}) == 2        # never the same person twice
        first, second = sorted(mine, key=lambda a: a.window_start)
        assert first.window_start == TODAY and second.due_on == date(2025, 9, 30)
        assert first.due_on < second.window_start               # consecutive, not overlapping
    loads = [sum(a.inspector_id == i.id for a in plan.assignments)
             for i in programme["inspectors"]]
    assert loads == [3, 3]


def test_whoever_checked_an_office_last_quarter_is_not_suggested_again(app, programme):
    daan, first, second = programme["offices"][0], *programme["inspectors"]
    db.session.add(CheckPlan(period="2025Q2", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=daan.id, inspector_id=first.id, window_start=date(2025, 4, 1),
                   due_on=date(2025, 6, 30))]))
    db.session.commit()
    with app.test_request_context():
        plan = plans.create("phone", "2025Q3", 1, by=programme["coordinator"])
    assert next(a for a in plan.assignments if a.office_id == daan.id).inspector_id == second.id


@pytest.mark.parametrize(("which", "per_office", "message"), [
    ("phone:2025H2", "1", "電話測試按季排程"),          # phone tests are planned per quarter
    ("mystery:2025Q3", "1", "神秘客按半年排程"),        # mystery visits per half-year
    ("phone:2025Q2", "1", "只能排本期與之後兩期"),      # a past quarter
    ("staff:2025Q3", "1", "只能為電話禮貌測試或神秘客查核排程"),
    ("phone:2099Q9", "1", "期間格式應為"),
    ("phone", "1", "期間格式應為"),
    ("phone:2025Q3", "0", "至少 1 次"),
    ("phone:2025Q3", "many", "有效的整數"),
])
def test_a_plan_that_breaks_the_rules_is_refused_with_a_reason(programme, which, per_office,
                                                               message):
    response = make_plan(programme, which, per_office)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(CheckPlan)).all() == []


def test_a_second_plan_for_the_same_period_is_refused_and_nothing_is_written(programme):
    assert make_plan(programme).status_code == 302
    again = make_plan(programme)
    assert again.status_code == 400 and "已有這類查核的排程" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Assignment)).all()) == 3


def test_mystery_visits_are_planned_for_the_half_year(programme):
    assert make_plan(programme, "mystery:2025H2").status_code == 302
    plan = db.session.scalars(select(CheckPlan)).one()
    assert {a.due_on for a in plan.assignments} == {date(2025, 12, 31)}


def test_the_inspector_sees_the_task_and_the_record_filed_for_it_fills_it(app, programme):
    make_plan(programme)
    plan = db.session.scalars(select(CheckPlan)).one()
    task = plan.assignments[0]
    inspector = client_for(app, task.inspector)
    page = inspector.get("/inspect/").get_data(as_text=True)
    assert "我的任務" in page and task.office.name in page and "2025-09-30" in page
    start = f"/inspect/new/phone?office={task.office.code}"
    assert start in page
    form = inspector.get(start).get_data(as_text=True)
    assert f'value="{task.office.code}" selected' in form or (
        f'selected value="{task.office.code}"' in form)
    assert post_form(inspector, start, full_phone_answers(), task.office).status_code == 302
    db.session.expire_all()
    record = db.session.scalars(select(Submission)).one()
    assert db.session.get(Assignment, task.id).submission_id == record.id
    assert start not in inspector.get("/inspect/").get_data(as_text=True)   # done: off the list
    coverage = plans.coverage(db.session.get(CheckPlan, plan.id))[0]
    assert (coverage.planned, coverage.filed, coverage.approved) == (3, 1, 0)


def test_a_draft_fills_nothing_and_another_office_fills_nothing(app, programme):
    make_plan(programme)
    task = db.session.scalars(select(CheckPlan)).one().assignments[0]
    inspector = client_for(app, task.inspector)
    post_form(inspector, "/inspect/new/phone", full_phone_answers(), task.office, action="draft")
    others = [o for o in programme["offices"] if o.id not in {
        a.office_id for a in task.plan.assignments if a.inspector_id == task.inspector_id}]
    if others:
        post_form(inspector, "/inspect/new/phone", full_phone_answers(), others[0])
    db.session.expire_all()
    assert db.session.scalars(select(Assignment).where(
        Assignment.submission_id.is_not(None))).all() == []


def test_a_record_moved_to_another_office_gives_its_assignment_back(app, programme):
    """Returned, moved to another office and sent again: the record no longer counts for the
    first office's check (which is open again, never "approved"), and fills the check the
    inspector has for the office it now names."""
    make_plan(programme)
    plan = db.session.scalars(select(CheckPlan)).one()
    busiest = max(programme["inspectors"], key=lambda i: len(plans.tasks_for(i)))
    first, second = [a for a in plan.assignments if a.inspector_id == busiest.id][:2]
    inspector = client_for(app, busiest)
    assert post_form(inspector, "/inspect/new/phone", full_phone_answers(),
                     first.office).status_code == 302
    record = db.session.scalars(select(Submission)).one()
    reviewer = client_for(app, factories.user("reviewer"))
    assert post_page(reviewer, f"/review/{record.id}",
                     {"send_back": "1", "comment": "機關選錯了"}).status_code == 302
    assert post_form(inspector, f"/inspect/{record.id}/edit", full_phone_answers(),
                     second.office).status_code == 302
    assert post_page(reviewer, f"/review/{record.id}", {"approve": "1"}).status_code == 302
    db.session.expire_all()
    first, second = db.session.get(Assignment, first.id), db.session.get(Assignment, second.id)
    assert first.submission_id is None and first.state_on(TODAY) == "planned"
    assert second.submission_id == record.id and second.state_on(TODAY) == "approved"
    # the same rule in SQL, as the plan page pages it
    approved = db.session.scalars(select(Assignment.id).where(
        Assignment.state_on(TODAY) == "approved")).all()
    assert approved == [second.id]


def test_a_record_moved_to_another_period_gives_its_assignment_back(app, programme):
    """Issue 25, finding 8, the period variant: a call filed in the plan's quarter, returned,
    re-dated into the quarter before and approved fills nothing of this plan."""
    make_plan(programme)
    plan = db.session.scalars(select(CheckPlan)).one()
    busiest = max(programme["inspectors"], key=lambda i: len(plans.tasks_for(i)))
    first = next(a for a in plan.assignments if a.inspector_id == busiest.id)
    inspector = client_for(app, busiest)
    assert post_form(inspector, "/inspect/new/phone", full_phone_answers(),
                     first.office).status_code == 302
    record = db.session.scalars(select(Submission)).one()
    reviewer = client_for(app, factories.user("reviewer"))
    post_page(reviewer, f"/review/{record.id}", {"send_back": "1", "comment": "日期填錯了"})
    assert post_form(inspector, f"/inspect/{record.id}/edit", full_phone_answers(),
                     first.office, when="2025-06-20T10:15").status_code == 302
    assert post_page(reviewer, f"/review/{record.id}", {"approve": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Submission, record.id).quarter == "2025Q2"
    assert db.session.get(Assignment, first.id).submission_id is None
    assert db.session.scalars(select(Assignment).where(
        Assignment.submission_id == record.id)).all() == []


def test_an_unfilled_assignment_past_its_due_date_is_overdue(programme, monkeypatch):
    make_plan(programme)
    plan = db.session.scalars(select(CheckPlan)).one()
    monkeypatch.setattr(plans, "today", lambda: date(2025, 10, 1))
    assert plans.coverage(plan)[0].overdue == 3
    listed = programme["as_coordinator"].get(f"/plans/{plan.id}?state=overdue")
    assert listed.status_code == 200 and "共 3 筆" in listed.get_data(as_text=True)
    assert programme["as_coordinator"].get(f"/plans/{plan.id}?state=late").status_code == 400


def test_the_coordinator_moves_a_task_and_the_new_inspector_hears_of_it(app, programme):
    make_plan(programme)
    plan = db.session.scalars(select(CheckPlan)).one()
    task = plan.assignments[0]
    other = next(i for i in programme["inspectors"] if i.id != task.inspector_id)
    url = f"/plans/assignments/{task.id}"
    outside = post_page(programme["as_coordinator"], url, {
        "inspector": str(other.id), "window_start": "2025-08-01", "due_on": "2025-10-15"})
    assert outside.status_code == 400 and "期限須在排程的期間內" in outside.get_data(as_text=True)
    moved = post_page(programme["as_coordinator"], url, {
        "inspector": str(other.id), "window_start": "2025-08-01", "due_on": "2025-08-31"})
    assert moved.status_code == 302
    db.session.expire_all()
    task = db.session.get(Assignment, task.id)
    assert (task.inspector_id, task.window_start, task.due_on) == (
        other.id, date(2025, 8, 1), date(2025, 8, 31))
    assert db.session.scalars(select(Notification).where(
        Notification.kind == "assigned", Notification.user_id == other.id,
        Notification.params["due"].as_string() == "2025-08-31")).all()


def test_offices_never_see_the_dates_of_a_check_to_come(app, programme):
    make_plan(programme)
    manager = client_for(app, programme["manager"])
    for path in ("/plans/", f"/plans/{db.session.scalars(select(CheckPlan)).one().id}"):
        assert manager.get(path).status_code == 403
    own = manager.get(f"/reports/office/{programme['offices'][0].code}").get_data(as_text=True)
    notes = manager.get("/notifications/").get_data(as_text=True)
    for page in (own, notes):
        assert "2025-09-30" not in page and "查核任務" not in page
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == programme["manager"].id)).all() == []


def test_the_coordinator_runs_the_programme_and_manages_no_accounts(app, programme):
    coordinator = programme["as_coordinator"]
    for path in ("/plans/", "/admin/offices", "/admin/kiosks", "/admin/instruments", "/paper/",
                 "/slips"):
        assert coordinator.get(path).status_code == 200, path
    for path in ("/admin/users", "/admin/api-tokens", "/admin/audit", "/review/", "/inspect/"):
        assert coordinator.get(path).status_code == 403, path
    nav = coordinator.get("/admin/offices").get_data(as_text=True)
    assert "/plans/" in nav and "/admin/users" not in nav and "/admin/audit" not in nav


@pytest.mark.parametrize(("offices", "people", "per_office"), [(23, 2, 1), (23, 3, 2), (7, 5, 3),
                                                               (40, 6, 1)])
def test_suggested_loads_stay_within_two_and_no_office_sees_one_inspector_twice(
        app, offices, people, per_office):
    from analysis.periods import Period
    from webapp.programme.accounts import User
    from webapp.programme.offices import Office

    rows = [Office(id=i + 1, code=f"X{i:03d}", name=f"機關{i}", kind="household") for i in
            range(offices)]
    staff = [User(id=100 + j, email=f"i{j}@x.tw", role="inspector") for j in range(people)]
    made = plans.suggest(rows, staff, per_office, Period.parse("2025Q3"), "phone", TODAY)
    loads = [sum(a.inspector_id == u.id for a in made) for u in staff]
    assert len(made) == offices * per_office and max(loads) - min(loads) <= 2
    for office in rows:
        mine = [a.inspector_id for a in made if a.office_id == office.id]
        assert len(set(mine)) == min(per_office, people)


def test_an_overdue_check_is_told_once_to_its_inspector_and_the_coordinator_never_the_office(
        app, programme, monkeypatch):
    make_plan(programme)
    monkeypatch.setattr(plans, "today", lambda: date(2025, 10, 1))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["plans", "notify-overdue"])
    assert first.exit_code == 0 and "3 overdue check(s)" in first.output
    again = runner.invoke(args=["plans", "notify-overdue"])
    assert "0 overdue check(s)" in again.output
    told = db.session.scalars(select(Notification).where(
        Notification.kind == "task_overdue")).all()
    people = {i.id for i in programme["inspectors"]} | {programme["coordinator"].id}
    assert {n.user_id for n in told} == people
    assert sum(n.user_id == programme["coordinator"].id for n in told) == 3
    assert programme["manager"].id not in {n.user_id for n in told}


def test_a_long_task_list_shows_the_five_most_urgent_and_folds_the_rest(app, programme):
    for n in range(4, 13):
        factories.office(f"TPH-{n:02d}", f"臺北市第{n}戶政事務所")
    make_plan(programme)
    busiest = max(programme["inspectors"], key=lambda i: len(plans.tasks_for(i)))
    assert len(plans.tasks_for(busiest)) == 6
    page = client_for(app, busiest).get("/inspect/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown, folded = html.split('<details class="more-tasks">')
    assert shown.count("/inspect/new/phone?office=") == 5
    assert folded.split("</details>")[0].count("/inspect/new/phone?office=") == 1
    assert "其餘 1 項任務" in folded
