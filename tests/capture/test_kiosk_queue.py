"""What the server does with a counter tablet's answers kept offline and sent later (issue 14,
item 3): taken with the kiosk's token up to ``KIOSK_QUEUE_MAX_HOURS``, stored once by key,
marked delayed, dated when the citizen answered by the tablet's clock corrected by how far it
was off, and a clock far off flagged on the data-quality page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields, login

from webapp.capture.submissions import Submission
from webapp.platform.extensions import db

ANSWERS = {"attitude": "5", "knowledge": "4", "efficiency": "na", "overall": "4",
           "service_used": "household"}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def send(client, kiosk, queued, sent, **extra):
    url = f"/kiosk/{kiosk.token}"
    data = hidden_fields(client.get(url).get_data(as_text=True))
    data |= ANSWERS | extra
    if queued is not None:
        data["queued_at"] = stamp(queued)
    if sent is not None:
        data["sent_at"] = stamp(sent)
    return data, client.post(url, data=data)


def rows():
    return db.session.scalars(select(Submission)).all()


def test_an_answer_kept_two_hours_is_stored_delayed_at_the_time_it_was_given(client, kiosk):
    now = datetime.now(UTC)
    _data, response = send(client, kiosk, now - timedelta(hours=2), now)
    assert response.status_code == 302 and response.location.endswith("/thanks")
    (row,) = rows()
    assert row.delayed and abs(row.clock_skew) <= 5
    answered = row.occurred_at.astimezone(UTC)
    assert abs((answered - (now - timedelta(hours=2))).total_seconds()) <= 65   # to the minute
    assert row.kiosk_id == kiosk.id and row.channel == "kiosk"


def test_a_tablet_clock_an_hour_slow_is_corrected_and_flagged(app, client, kiosk):
    now = datetime.now(UTC)
    slow = timedelta(hours=1)          # the tablet's clock reads an hour early
    answered = now - timedelta(minutes=30)
    send(client, kiosk, answered - slow, now - slow)
    (row,) = rows()
    assert abs(row.clock_skew - 3600) <= 5
    assert abs((row.occurred_at.astimezone(UTC) - answered).total_seconds()) <= 65
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    from analysis.periods import Period
    period = Period.half_of(row.occurred_at.astimezone(UTC))
    page = analyst.get(f"/reports/quality?period={period}").get_data(as_text=True)
    assert "補傳 1 筆，平板時鐘最多相差 60 分鐘" in page and "請校正平板時鐘" in page


def test_the_same_kept_answer_sent_twice_is_stored_once(client, kiosk):
    now = datetime.now(UTC)
    data, first = send(client, kiosk, now - timedelta(minutes=10), now)
    second = client.post(f"/kiosk/{kiosk.token}", data=data | {"sent_at": stamp(now)})
    assert first.status_code == second.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 1


@pytest.mark.parametrize(("queued", "sent", "message"), [
    (timedelta(hours=-25), timedelta(0), "已超過 24 小時"),
    (timedelta(minutes=5), timedelta(0), "時間有誤"),        # answered after it was sent
    (timedelta(hours=-1), None, "缺少時間資訊"),
    (None, timedelta(0), "缺少時間資訊"),
])
def test_a_kept_answer_that_cannot_be_taken_is_refused_with_a_reason(client, kiosk, queued,
                                                                     sent, message):
    now = datetime.now(UTC)
    _data, response = send(client, kiosk, None if queued is None else now + queued,
                           None if sent is None else now + sent)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert rows() == []


def test_a_malformed_stamp_is_a_400_and_only_kiosks_may_send_kept_answers(client, kiosk, office):
    _data, response = send(client, kiosk, None, None, queued_at="yesterday", sent_at="now")
    assert response.status_code == 400
    url = factories.personal_url(office)
    data = hidden_fields(client.get(url).get_data(as_text=True)) | ANSWERS
    data |= {"queued_at": stamp(datetime.now(UTC)), "sent_at": stamp(datetime.now(UTC))}
    assert client.post(url, data=data).status_code == 400
    assert rows() == []


def test_the_worker_is_served_for_the_kiosk_pages_only(client, kiosk):
    worker = client.get("/kiosk/sw.js")
    assert b"kiosk-outbox" in worker.get_data()
    worker.close()
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-store"     # a new release reaches tablets at once
    page = client.get(f"/kiosk/{kiosk.token}").get_data(as_text=True)
    assert 'data-worker="/kiosk/sw.js" data-scope="/kiosk/"' in page


def test_a_kiosk_link_is_installable_full_screen_in_chinese(client, kiosk):
    page = client.get(f"/kiosk/{kiosk.token}").get_data(as_text=True)
    href = f"/kiosk/{kiosk.token}/manifest.webmanifest"
    assert f'<link rel="manifest" href="{href}">' in page
    response = client.get(href)
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["lang"] == "zh-TW" and manifest["display"] == "standalone"
    assert manifest["start_url"] == f"/kiosk/{kiosk.token}" and manifest["scope"] == "/kiosk/"
    assert kiosk.office.name in manifest["name"]
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        from io import BytesIO

        from PIL import Image
        with Image.open(BytesIO(image.get_data())) as picture:
            assert f"{picture.width}x{picture.height}" == icon["sizes"]
        image.close()
    assert client.get("/kiosk/not-a-kiosk/manifest.webmanifest").status_code == 404


def test_the_inspectors_app_is_installable_and_its_worker_stays_in_its_scope(app, client):
    inspector = app.test_client()
    assert login(inspector, factories.user("inspector").email, factories.PASSWORD).status_code == 302
    page = inspector.get("/inspect/").get_data(as_text=True)
    assert '<link rel="manifest" href="/inspect/manifest.webmanifest">' in page
    assert 'data-worker="/inspect/sw.js" data-scope="/inspect/"' in page
    manifest = client.get("/inspect/manifest.webmanifest").get_json(force=True)
    assert (manifest["lang"], manifest["display"], manifest["scope"]) == (
        "zh-TW", "standalone", "/inspect/")
    worker = client.get("/inspect/sw.js")
    body = worker.get_data(as_text=True)
    worker.close()
    assert worker.mimetype == "text/javascript" and "inspect-outbox" in body
    reviewer = app.test_client()   # only inspectors' pages start the worker
    assert login(reviewer, factories.user("reviewer").email, factories.PASSWORD).status_code == 302
    assert "inspect-offline" not in reviewer.get("/review/").get_data(as_text=True)

