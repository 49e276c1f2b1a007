"""Kept kiosk answers on the data-quality page (issue 25, finding 4): eight answers posted
within a minute with a kiosk's link, each claiming to have been kept offline hours apart, are
judged by when they arrived as well, and flagged like eight sent at once; a tablet that really
was offline all morning is not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from support import factories
from support.web import hidden_fields, login

from analysis.periods import Period
from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.submissions import Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments

ANSWERS = {"attitude": "4", "knowledge": "4", "efficiency": "4", "overall": "4",
           "service_used": "household"}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@pytest.fixture
def now():
    moment = datetime.now(UTC)
    started = datetime.combine(Period.half_of(moment.astimezone(TAIPEI)).start(),
                               datetime.min.time(), TAIPEI)
    if moment - started < timedelta(hours=8):
        pytest.skip("the half-year began less than 8 hours ago: the morning is in the last one")
    return moment


def live(kiosk, at: datetime) -> None:
    """A live answer the tablet sent at ``at``: stored as the route stores it, then dated then
    (the tablet's history before the attack)."""
    version, survey = instruments.current("satisfaction")
    row, _new = storage.store(
        version=version, instrument=survey, office=kiosk.office, channel="kiosk",
        status="submitted", occurred_at=minute(at), kiosk=kiosk, idempotency_key=uuid.uuid4().hex,
        answers={"overall": Stored(4), "attitude": Stored(4)})
    db.session.execute(update(Submission).where(Submission.id == row.id)
                       .values(created_at=minute(at), submitted_at=minute(at)))
    db.session.commit()


def send_kept(client, kiosk, answered: list[datetime], now: datetime) -> None:
    url = f"/kiosk/{kiosk.token}"
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    for moment in answered:
        response = client.post(url, data={**fields, **ANSWERS, "idempotency_key": uuid.uuid4().hex,
                                          "queued_at": stamp(moment), "sent_at": stamp(now)})
        assert response.status_code == 302, response.get_data(as_text=True)[-400:]


def quality_page(app, now) -> str:
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    period = Period.half_of(now.astimezone(TAIPEI))
    return analyst.get(f"/reports/quality?period={period}").get_data(as_text=True)


def test_eight_claimed_kept_answers_from_a_tablet_in_use_are_a_burst(app, client, kiosk, now):
    for hours in (7, 6, 5, 4, 3, 2, 1):           # the counter tablet in use all day
        live(kiosk, now - timedelta(hours=hours))
    claimed = [now - timedelta(hours=6, minutes=50) + timedelta(minutes=50 * i) for i in range(8)]
    send_kept(client, kiosk, claimed, now)        # all eight within a minute
    rows = db.session.scalars(select(Submission).where(Submission.delayed.is_(True))).all()
    assert len(rows) == 8                         # stored (a real citizen's answer may be one)
    page = quality_page(app, now)
    sent_at = minute(now).astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")
    burst = page.split("單一平板短時間內大量送出")[1].split("</section>")[0]
    assert sent_at in burst and "沒有發現" not in burst
    offline = page.split("補傳的回覆")[1].split("</section>")[0]
    assert "補傳 8 筆" in offline and "同一分鐘內最多收到 8 筆" in offline
    # the last claim (an hour ago, as the last live answer) could be true; the seven before
    # it were "kept" while the tablet sent live answers
    assert "其中 7 筆不合理" in offline and "flash error" in offline


def test_a_tablet_really_offline_all_morning_is_not_flagged(app, client, kiosk, now):
    live(kiosk, now - timedelta(hours=8))         # used yesterday evening, then offline
    claimed = [now - timedelta(hours=6, minutes=50) + timedelta(minutes=50 * i) for i in range(8)]
    send_kept(client, kiosk, claimed, now)        # the morning's answers, sent on reconnecting
    page = quality_page(app, now)
    burst = page.split("單一平板短時間內大量送出")[1].split("</section>")[0]
    assert "沒有發現" in burst
    offline = page.split("補傳的回覆")[1].split("</section>")[0]
    assert "補傳 8 筆" in offline and "不合理" not in offline
