"""Counter tablets as the tests drive them: the survey posted through a kiosk link, live or as
the tablet's outbox sends an answer it kept offline (``queued_at``/``sent_at``), with the
server's clock pinned so that "when it arrived" is a moment the test chooses; and the
data-quality page read back as an analyst reads it."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from analysis.periods import Period
from support import factories
from support.web import hidden_fields, login
from webapp.platform.db import TAIPEI

ANSWERS = {"attitude": "5", "knowledge": "4", "efficiency": "na", "overall": "4",
           "service_used": "household"}


def stamp(moment: datetime) -> str:
    """A moment as the tablet's script writes it (``Date.toISOString``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def pin_clock(monkeypatch, moment: datetime) -> None:
    """The server's clock reads ``moment`` (to the minute, plus 30 s: never about to turn) for
    the survey route and the store: what arrives now arrives then."""
    pinned = minute(moment).replace(second=30)
    monkeypatch.setattr("webapp.capture.store.utcnow", lambda: pinned)
    monkeypatch.setattr("webapp.capture.survey.views.utcnow", lambda: pinned)


def post_survey(client, kiosk, answers: dict | None = None, **fields: str | None):
    """The survey page fetched and posted back through ``kiosk``'s link, as the tablet does;
    ``fields`` add or replace posted fields (None leaves one out).  The form data and the
    response."""
    url = f"/kiosk/{kiosk.token}"
    data = hidden_fields(client.get(url).get_data(as_text=True))
    data |= ANSWERS if answers is None else answers
    data |= {"idempotency_key": uuid.uuid4().hex}
    for name, value in fields.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data, client.post(url, data=data)


def send_live(client, monkeypatch, kiosk, at: datetime) -> None:
    """A citizen's answer sent at once from the tablet at ``at``."""
    pin_clock(monkeypatch, at)
    _data, response = post_survey(client, kiosk)
    assert response.status_code == 302, response.get_data(as_text=True)[-400:]


def send_kept(client, monkeypatch, kiosk, answered: list[datetime], at: datetime) -> None:
    """Answers the tablet says it kept, each given at one of ``answered``, all arriving at
    ``at`` (the tablet's clock right): what the outbox sends, or anyone with the link."""
    pin_clock(monkeypatch, at)
    for moment in answered:
        _data, response = post_survey(client, kiosk, queued_at=stamp(moment), sent_at=stamp(at))
        assert response.status_code == 302, response.get_data(as_text=True)[-400:]


def chosen(page: str, name: str) -> str | None:
    """The option of question ``name`` the page shows as chosen."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def quality_page(app, moment: datetime) -> str:
    """The data-quality page of the half-year of ``moment``, as an analyst opens it."""
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    period = Period.half_of(moment.astimezone(TAIPEI))
    response = analyst.get(f"/reports/quality?period={period}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(page: str, heading: str) -> str:
    """One screen of the data-quality page: from its heading to the end of its section."""
    return page.split(f"<h2>{heading}")[1].split("</section>")[0]


def tablet_line(page: str, kiosk) -> str:
    """The line of the offline section that reports ``kiosk``, with its class."""
    offline = section(page, "平板離線時收下、之後補傳的回覆")
    (line,) = [p for p in re.findall(r"<p\b[^>]*>.*?</p>", offline, re.S)
               if f"{kiosk.label}：" in p]
    return line


def local_minute(moment: datetime) -> str:
    """A moment as the burst screen names its window (Taipei time, to the minute)."""
    return minute(moment).astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")


def implausible_by_the_rule(rows: list[dict], slack_seconds: int) -> set[int]:
    """The implausible kept answers by the rule as written, pair by pair (a test's oracle for
    ``reporting.kiosk_counts``): a live answer of the same tablet given more than the slack
    after the kept one, arriving more than the slack before it, and not within the slack of
    any kept answer's arrival.  ``rows``: id, kiosk_id, delayed, occurred_at, created_at."""
    def seconds(row, key):
        return row[key].timestamp()

    kept = [r for r in rows if r["delayed"]]
    telling = [live for live in rows if not live["delayed"] and not any(
        f["kiosk_id"] == live["kiosk_id"]
        and abs(seconds(f, "created_at") - seconds(live, "created_at")) <= slack_seconds
        for f in kept)]
    return {k["id"] for k in kept if any(
        live["kiosk_id"] == k["kiosk_id"]
        and seconds(live, "occurred_at") > seconds(k, "occurred_at") + slack_seconds
        and seconds(live, "created_at") < seconds(k, "created_at") - slack_seconds
        for live in telling)}
