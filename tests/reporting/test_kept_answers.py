"""Kept kiosk answers on the data-quality page (issue 25, finding 4): eight answers posted
within a minute with a kiosk's link, each claiming to have been kept offline hours apart, are
judged by when they arrived as well, and flagged like eight sent at once; a tablet that really
was offline is not, even when its backlog goes up ten a minute between live answers.

Everything goes through the kiosk route, with the server's clock pinned to the moment each
answer arrives (``support.kiosk.pin_clock``)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from support import factories
from support.kiosk import (
    implausible_by_the_rule,
    local_minute,
    quality_page,
    section,
    send_kept,
    send_live,
    tablet_line,
)

from webapp.capture.submissions import Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.reporting import kiosk_counts

#: a Wednesday afternoon, well inside 2025H2
NOW = datetime(2025, 9, 10, 16, 30, tzinfo=TAIPEI)
BURSTS = "單一平板短時間內大量送出"


def kept_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission)
                             .where(Submission.delayed.is_(True)))


def test_eight_claimed_kept_answers_from_a_tablet_in_use_are_a_burst(app, client, monkeypatch,
                                                                     kiosk):
    for hours in (7, 6, 5, 4, 3, 2, 1):           # the counter tablet in use all day
        send_live(client, monkeypatch, kiosk, NOW - timedelta(hours=hours))
    # the attack: eight posts within a minute, each "kept" 50 minutes after the one before
    claimed = [NOW - timedelta(hours=6, minutes=50) + timedelta(minutes=50 * i) for i in range(8)]
    send_kept(client, monkeypatch, kiosk, claimed, NOW)
    assert kept_rows() == 8                       # stored (a real citizen's answer may be one)

    page = quality_page(app, NOW)
    bursts = section(page, BURSTS)
    assert local_minute(NOW) in bursts and "沒有發現" not in bursts   # flagged when they arrived
    line = tablet_line(page, kiosk)
    assert "補傳 8 筆" in line and "同一分鐘內最多收到 8 筆" in line
    # the last claim (an hour ago, as the last live answer) could be true; the seven before it
    # were "kept" while the tablet sent live answers
    assert "其中 7 筆不合理" in line and "冒用平板連結" in line and 'class="flash error"' in line
    (delays,) = kiosk_counts.kiosk_delays("2025H2").values()
    assert (delays["delayed"], delays["implausible"], delays["most_in_minute"]) == (8, 7, 8)


def test_the_same_eight_sent_live_are_the_same_burst(app, client, monkeypatch, kiosk):
    """The yardstick: what the screen says of eight live answers in one minute."""
    for hours in (7, 6, 5, 4, 3, 2, 1):
        send_live(client, monkeypatch, kiosk, NOW - timedelta(hours=hours))
    for _ in range(8):
        send_live(client, monkeypatch, kiosk, NOW)
    assert local_minute(NOW) in section(quality_page(app, NOW), BURSTS)


def test_a_tablet_really_offline_all_morning_is_not_flagged(app, client, monkeypatch, kiosk):
    send_live(client, monkeypatch, kiosk, NOW - timedelta(hours=8))   # in use, then offline
    claimed = [NOW - timedelta(hours=6, minutes=50) + timedelta(minutes=50 * i) for i in range(8)]
    send_kept(client, monkeypatch, kiosk, claimed, NOW)   # the morning's, sent on reconnecting
    page = quality_page(app, NOW)
    assert "沒有發現" in section(page, BURSTS)
    line = tablet_line(page, kiosk)
    assert "補傳 8 筆" in line and "不合理" not in line and "flash error" not in line


def test_a_long_backlog_sent_ten_a_minute_between_live_answers_is_not_flagged(
        app, client, monkeypatch, kiosk):
    """A real outbox after a long outage: the first live answer sets it going (its thank-you
    page flushes), the kiosk's limit of ten posts a minute stops it after nine, and the next
    citizen's thank-you page sends nine more -- for twelve minutes, live answers in between."""
    send_live(client, monkeypatch, kiosk, NOW - timedelta(hours=8))
    claimed = [NOW - timedelta(hours=7) + timedelta(minutes=10 * i) for i in range(36)]
    back = NOW - timedelta(minutes=12)
    for batch in range(4):
        send_live(client, monkeypatch, kiosk, back + timedelta(minutes=3 * batch))
        send_kept(client, monkeypatch, kiosk, claimed[9 * batch:9 * batch + 9],
                  back + timedelta(minutes=3 * batch + 1))
    assert kept_rows() == 36
    page = quality_page(app, NOW)
    assert "沒有發現" in section(page, BURSTS)
    line = tablet_line(page, kiosk)
    assert "補傳 36 筆" in line and "同一分鐘內最多收到 9 筆" in line
    assert "不合理" not in line and "flash error" not in line


def test_a_tablet_online_that_sends_kept_answers_minutes_later_is_flagged(
        app, client, monkeypatch, kiosk):
    """The slack is on both sides: a live answer more than five minutes after a kept one was
    given, and more than five minutes before it arrived, is a tablet that was online and did
    not send what it kept."""
    send_live(client, monkeypatch, kiosk, NOW - timedelta(minutes=20))
    send_kept(client, monkeypatch, kiosk, [NOW - timedelta(minutes=40)], NOW)   # 20 min late
    send_kept(client, monkeypatch, kiosk, [NOW - timedelta(minutes=22)], NOW)   # within slack
    line = tablet_line(quality_page(app, NOW), kiosk)
    assert "其中 1 筆不合理" in line and 'class="flash error"' in line


@pytest.mark.parametrize("seed", range(6))
def test_the_sql_finds_what_the_rule_says_pair_by_pair(app, office, seed):
    """``kiosk_counts.implausible`` sorts each tablet's answers once instead of pairing them;
    on crowded random afternoons (ties to the minute, flushes, answers on the slack's edge) it
    finds exactly the kept answers the rule finds pair by pair."""
    rng = random.Random(seed)
    version, _survey = instruments.current("satisfaction")
    tablets = [factories.kiosk(office) for _ in range(2)]
    rows = []
    for i in range(160):
        delayed = rng.random() < 0.4
        given = NOW - timedelta(minutes=rng.randrange(0, 180))
        came = given + timedelta(minutes=rng.randrange(1, 90)) if delayed else given
        rows.append({"idempotency_key": f"rule-{seed}-{i}", "office_id": office.id,
                     "instrument_key": "satisfaction", "instrument_version_id": version.id,
                     "channel": "kiosk", "status": "submitted", "half": "2025H2",
                     "quarter": "2025Q3", "occurred_at": given, "submitted_at": came,
                     "created_at": came, "updated_at": came, "delayed": delayed,
                     "kiosk_id": rng.choice(tablets).id, "clock_skew": 0 if delayed else None})
    db.session.execute(insert(Submission), rows)
    db.session.commit()
    stored = [dict(r._mapping) for r in db.session.execute(
        select(Submission.id, Submission.kiosk_id, Submission.delayed, Submission.occurred_at,
               Submission.created_at))]
    expected = implausible_by_the_rule(stored, int(kiosk_counts.KEPT_SLACK.total_seconds()))
    found = set(db.session.scalars(kiosk_counts.implausible("2025H2")))
    assert found == expected and 0 < len(found) < sum(r["delayed"] for r in rows)
