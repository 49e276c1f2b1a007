"""Changing an instrument makes a new version; old submissions keep theirs."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from forms.instrument import load_default
from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.submissions import Answer
from webapp.platform.db import TAIPEI, utcnow
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.instruments import InstrumentVersion


def test_republishing_unchanged_content_makes_no_new_version(app):
    first = instruments.sync_defaults()
    again = instruments.sync_defaults()
    assert [r.id for r in first] == [r.id for r in again]
    assert db.session.scalar(select(func.count()).select_from(InstrumentVersion)) == 4


def test_old_submissions_keep_their_version_and_still_count(app, client, office):
    v1_row, v1 = instruments.current("phone")
    inspector = factories.user("inspector")
    answers = {q["key"]: Stored(1) for q in v1.questions() if q["type"] == "yes_no_na"}
    answers["rings"] = Stored(3)
    old, _ = storage.store(version=v1_row, instrument=v1, office=office, channel="inspector",
                           status="submitted", occurred_at=utcnow(), answers=answers,
                           idempotency_key="k" * 32, inspector=inspector)
    # v2: a reworded item, a removed item, a new item, and different points.  A scored item
    # is retired in two versions: unscored first (forms.compat), then removed.
    changed = copy.deepcopy(load_default("phone").definition)
    greeting = changed["sections"][1]["questions"]
    greeting[0]["label"]["zh_TW"] = "接聽時清楚報出機關全銜"
    greeting[2].pop("points")                         # states_name no longer scored ...
    greeting.append({"key": "smiles", "type": "yes_no_na", "label": {"zh_TW": "聲音帶笑"},
                     "required": True, "points": 10})
    instruments.publish(changed)
    del greeting[2]                                   # ... then removed
    v2_row = instruments.publish(changed)
    assert (v2_row.version, v1_row.version) == (3, 1)
    assert instruments.current("phone")[0].id == v2_row.id

    db.session.expire_all()
    assert old.instrument_version_id == v1_row.id and old.score == 100.0
    login(client, inspector.email, factories.PASSWORD)
    page = client.get(f"/inspect/{old.id}").get_data(as_text=True)
    assert "報出機關或單位名稱" in page and "報出自己的姓名" in page   # v1 wording
    assert "機關全銜" not in page and "聲音帶笑" not in page
    counted = db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.item_key == "states_name", Answer.value == 1))
    assert counted == 1                                   # the removed item still counts

    new_form = client.get("/inspect/new/phone").get_data(as_text=True)
    assert "聲音帶笑" in new_form and "報出自己的姓名" not in new_form
    assert hidden_fields(new_form)["version"] == str(v2_row.id)


def test_a_form_open_across_an_update_is_stored_under_its_own_version(app, client, office):
    v1_row, _ = instruments.current("satisfaction")
    page = client.get(factories.personal_url(office)).get_data(as_text=True)
    changed = copy.deepcopy(v1_row.definition)
    changed["sections"][0]["questions"][0]["label"]["zh_TW"] = "服務態度親切"
    v2_row = instruments.publish(changed)
    data = hidden_fields(page) | {"overall": "5", "attitude": "4"}
    assert client.post(factories.personal_url(office), data=data).status_code == 302
    from webapp.capture.submissions import Submission

    submission = db.session.scalars(select(Submission)).one()
    assert submission.instrument_version_id == v1_row.id != v2_row.id


@pytest.mark.bare
def test_invalid_definition_is_not_published(app):
    broken = copy.deepcopy(load_default("staff").definition)
    broken["sections"][0]["questions"][0]["type"] = "stars"
    with pytest.raises(ValueError, match="unknown question type"):
        instruments.publish(broken)
    assert instruments.latest_version("staff") is None


def test_stamp_period_uses_taipei_time(app, office):
    from datetime import datetime

    row, instrument = instruments.current("satisfaction")
    # 2025-07-01 01:30 in Taipei is still 2025-06-30 in UTC: the office's calendar decides.
    moment = datetime(2025, 7, 1, 1, 30, tzinfo=TAIPEI)
    submission, _ = storage.store(version=row, instrument=instrument, office=office,
                                  channel="paper", status="submitted", occurred_at=moment,
                                  answers={"overall": Stored(5)}, idempotency_key="t" * 20)
    assert (submission.half, submission.quarter) == ("2025H2", "2025Q3")
