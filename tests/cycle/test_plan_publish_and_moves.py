"""A plan is a draft until published, and moving tasks respects the rotation (issue 27, item
15): inspectors hear of a plan once, when it is published, not on every change before; moving a
task shows who checked the office lately and warns before it breaks the rotation; several tasks
move at once, with one notification."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support import factories
from support.flows import client_for, full_phone_answers, post_form, post_page

from webapp.cycle.notifications.models import Notification
from webapp.cycle.plans import services as plans
from webapp.cycle.plans.models import Assignment, CheckPlan
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db

TODAY = date(2025, 7, 15)


@pytest.fixture
def office_plan(app, monkeypatch):
    """Four offices, three inspectors; last quarter 陳 checked office 1; a draft Q3 plan."""
    monkeypatch.setattr(plans, "today", lambda: TODAY)
    offices = [factories.office(f"TPH-{n:02d}", f"臺北市第{n}戶政事務所") for n in range(1, 5)]
    people = [factories.user("inspector") for _ in range(3)]
    for person, name in zip(people, ("陳查核", "李查核", "林查核"), strict=True):
        person.display_name = name
    coordinator = factories.user("coordinator")
    db.session.add(CheckPlan(period="2025Q2", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=offices[0].id, inspector_id=people[0].id,
                   window_start=date(2025, 4, 1), due_on=date(2025, 6, 30))]))
    db.session.commit()
    as_coordinator = client_for(app, coordinator)
    made = post_page(as_coordinator, "/plans/", {"which": "phone:2025Q3", "per_office": "1"})
    assert made.status_code == 302
    plan = db.session.scalars(select(CheckPlan).where(CheckPlan.period == "2025Q3")).one()
    return {"offices": offices, "people": people, "plan": plan, "client": as_coordinator,
            "app": app}


def told(person) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == person.id,
                                                              Notification.kind == "assigned")))


def publish(setup):
    plan_id = setup["plan"].id
    return post_page(setup["client"], f"/plans/{plan_id}/publish", {},
                     page_url=f"/plans/{plan_id}", only_token=True)


def task_of(setup, office) -> Assignment:
    db.session.expire_all()
    return next(a for a in db.session.get(CheckPlan, setup["plan"].id).assignments
                if a.office_id == office.id)


def test_a_draft_is_moved_silently_and_published_once(office_plan):
    page = office_plan["client"].get(f"/plans/{office_plan['plan'].id}").get_data(as_text=True)
    assert "這是草稿" in page and "發布排程並通知查核人員" in page
    task = task_of(office_plan, office_plan["offices"][1])
    other = next(p for p in office_plan["people"] if p.id != task.inspector_id)
    moved = post_page(office_plan["client"], f"/plans/assignments/{task.id}", {
        "inspector": str(other.id), "window_start": "2025-08-01", "due_on": "2025-09-15"})
    assert moved.status_code == 302
    assert all(told(p) == [] for p in office_plan["people"])        # nobody hears of a draft
    inspector = client_for(office_plan["app"], other)
    assert "臺北市第2戶政事務所" not in inspector.get("/inspect/").get_data(as_text=True)

    assert publish(office_plan).status_code == 302
    db.session.expire_all()
    counts = {p.id: [n.params["count"] for n in told(p)] for p in office_plan["people"]}
    mine = {p.id: sum(a.inspector_id == p.id for a in db.session.get(
        CheckPlan, office_plan["plan"].id).assignments) for p in office_plan["people"]}
    assert counts == {pid: [n] if n else [] for pid, n in mine.items()}   # one each, all theirs
    assert "臺北市第2戶政事務所" in inspector.get("/inspect/").get_data(as_text=True)
    again = publish(office_plan)
    assert again.status_code == 302
    assert "這個排程已經發布" in office_plan["client"].get(again.headers["Location"]).get_data(
        as_text=True)
    assert sum(len(told(p)) for p in office_plan["people"]) == sum(1 for n in mine.values() if n)


def test_an_overdue_task_of_a_draft_plan_is_not_announced(office_plan, monkeypatch):
    monkeypatch.setattr(plans, "today", lambda: date(2025, 10, 2))
    assert plans.notify_overdue() == 1      # last quarter's (published) task only
    db.session.commit()
    publish(office_plan)
    assert plans.notify_overdue() == 4


def test_moving_a_task_to_last_quarters_inspector_warns_and_needs_a_confirmation(office_plan):
    first_office, chen = office_plan["offices"][0], office_plan["people"][0]
    task = task_of(office_plan, first_office)
    assert task.inspector_id != chen.id            # the suggestion already rotated
    url = f"/plans/assignments/{task.id}"
    page = office_plan["client"].get(url).get_data(as_text=True)
    assert "最近查核這個機關的人" in page
    form = {"inspector": str(chen.id), "window_start": "2025-07-15", "due_on": "2025-09-30"}
    warned = post_page(office_plan["client"], url, form)
    assert warned.status_code == 409
    html = warned.get_data(as_text=True)
    assert "打破輪替" in html and "陳查核 上一期查核過臺北市第1戶政事務所" in html
    assert task_of(office_plan, first_office).inspector_id != chen.id     # nothing moved
    confirmed = post_page(office_plan["client"], url, {**form, "confirm": "y"})
    assert confirmed.status_code == 302
    assert task_of(office_plan, first_office).inspector_id == chen.id


def test_the_recent_checks_of_the_office_are_listed_on_the_move_page(office_plan):
    office, chen = office_plan["offices"][2], office_plan["people"][0]
    publish(office_plan)
    inspector = client_for(office_plan["app"], chen)
    assert post_form(inspector, "/inspect/new/phone", full_phone_answers(), office,
                     when="2025-07-10T10:00").status_code == 302
    task = task_of(office_plan, office)
    page = office_plan["client"].get(f"/plans/assignments/{task.id}").get_data(as_text=True)
    assert "陳查核 · 2025-07-10 · 已送出" in page


def test_ticked_tasks_move_together_with_one_notification(office_plan):
    publish(office_plan)
    lin = office_plan["people"][2]
    tasks = [task_of(office_plan, o) for o in office_plan["offices"][1:]]
    ticked = [t.id for t in tasks if t.inspector_id != lin.id]
    before = len(told(lin))
    url = f"/plans/{office_plan['plan'].id}/move"
    moved = post_page(office_plan["client"], url, {"tasks": ticked, "inspector": str(lin.id)},
                      page_url=f"/plans/{office_plan['plan'].id}", only_token=True)
    assert moved.status_code == 302
    assert all(task_of(office_plan, o).inspector_id == lin.id for o in office_plan["offices"][1:])
    assert [n.params["count"] for n in told(lin)[before:]] == [len(ticked)]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "plan")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.detail["moved"] == ticked


def test_a_bulk_move_that_breaks_the_rotation_moves_nothing_until_confirmed(office_plan):
    lin = office_plan["people"][2]
    plan_url = f"/plans/{office_plan['plan'].id}"
    everything = [task_of(office_plan, o) for o in office_plan["offices"]]
    ticked = [t.id for t in everything if t.inspector_id != lin.id]
    form = {"tasks": ticked + [everything[0].id] if everything[0].id not in ticked else ticked,
            "inspector": str(office_plan["people"][0].id)}
    warned = post_page(office_plan["client"], f"{plan_url}/move", form, page_url=plan_url,
                       only_token=True)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 409 and "上一期查核過臺北市第1戶政事務所" in html
    assert html.count('checked aria-label="選取') == len(set(form["tasks"]))   # ticks kept
    db.session.expire_all()
    assert [task_of(office_plan, o).inspector_id for o in office_plan["offices"]] == [
        t.inspector_id for t in everything]


@pytest.mark.parametrize(("form", "message"), [
    ({"inspector": "1"}, "請先勾選要改派的任務"),
    ({"tasks": ["999999"], "inspector": "1"}, "已完成或不在這個排程"),
    ({"tasks": ["abc"], "inspector": "1"}, "已完成或不在這個排程"),
])
def test_a_bad_bulk_move_is_refused_with_a_reason(office_plan, form, message):
    plan_url = f"/plans/{office_plan['plan'].id}"
    refused = post_page(office_plan["client"], f"{plan_url}/move", form, page_url=plan_url,
                        only_token=True)
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True)
