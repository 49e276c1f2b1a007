"""A kept answer's stamps (``queued_at``, ``sent_at``) that are no real moment (issue 25,
finding 5): each posted through a kiosk link gets a 4xx with the reason in the citizen's
language on the survey page, the answers still chosen there, and nothing stored -- never a
500, never a clock offset that overflows the 32-bit column on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from support.kiosk import chosen, post_survey, stamp

from webapp.capture.submissions import Answer, Submission
from webapp.capture.survey.webforms import KioskMeta, queued
from webapp.platform.extensions import db

SHAPE = "這筆離線回覆的時間格式有誤，無法接收。"
WRONG = "這筆離線回覆的時間有誤，無法接收。"
NOW = datetime.now(UTC)
HOUR_AGO = stamp(NOW - timedelta(hours=1))


def nothing_stored() -> bool:
    return (db.session.scalar(select(func.count()).select_from(Submission)) == 0
            and db.session.scalar(select(func.count()).select_from(Answer)) == 0)


@pytest.mark.parametrize(("queued_at", "sent_at", "status", "message"), [
    ("2026-13-01T08:00:00Z", None, 400, SHAPE),             # a 13th month
    ("2026-02-30T08:00:00Z", None, 400, SHAPE),             # 30 February
    ("2026-01-01T25:00:00Z", None, 400, SHAPE),             # 25 o'clock
    ("2026-01-01T08:00:60Z", None, 400, SHAPE),             # a 61st second
    (None, "0001-01-01T00:00:00Z", 400, WRONG),             # year 1: the offset overflows
    (None, "9999-12-31T23:59:59Z", 400, WRONG),             # year 9999
    ("0001-01-01T00:00:00.000Z", "0001-01-01T00:00:01.000Z", 400, WRONG),
    ("9999-12-31T23:59:59.999Z", None, 400, WRONG),
    (None, "2099-12-31T00:00:00.000Z", 422, WRONG),          # a clock 73 years fast
    ("２０２６-01-01T08:00:00Z", None, 400, SHAPE),           # another script's digits
    (None, stamp(NOW) + "\n", 400, SHAPE),                   # "$" would let a newline through
    (" ", None, 400, SHAPE),                                 # blank is not "no stamp"
], ids=["month-13", "feb-30", "hour-25", "second-60", "sent-year-1", "sent-year-9999",
        "both-year-1", "queued-year-9999", "sent-2099", "fullwidth-digits", "newline", "blank"])
def test_a_stamp_that_is_no_real_moment_is_refused_with_a_reason(client, kiosk, queued_at,
                                                                 sent_at, status, message):
    _data, response = post_survey(client, kiosk, queued_at=queued_at or HOUR_AGO,
                                  sent_at=sent_at or stamp(datetime.now(UTC)))
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page.split('<form method="post"')[0]      # said at the top, once
    assert page.count(message) == 1
    assert "還有題目需要您作答" not in page                         # not a question left out
    assert chosen(page, "attitude") == "5" and chosen(page, "overall") == "4"   # kept
    assert nothing_stored()


def test_a_stamp_missing_or_too_old_keeps_the_answers_on_the_page_too(client, kiosk):
    _data, response = post_survey(client, kiosk, queued_at=HOUR_AGO, sent_at=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "缺少時間資訊" in page
    assert chosen(page, "attitude") == "5"
    assert nothing_stored()


def _written(moment: datetime) -> str:
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


#: the tablet's format: any digits in it, any real moment from year 1 to 9999, and moments
#: around now (the ones that can be taken)
MOMENTS = (st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z\Z")
    | st.datetimes().map(_written)
    | st.datetimes(min_value=NOW.replace(tzinfo=None) - timedelta(days=2),
                   max_value=NOW.replace(tzinfo=None) + timedelta(hours=2)).map(_written))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(queued_at=MOMENTS | st.sampled_from([HOUR_AGO, ""]),
       sent_at=MOMENTS | st.sampled_from([stamp(NOW), ""]))
def test_whatever_the_pattern_lets_through_is_refused_or_fits_the_column(app, queued_at, sent_at):
    """Every pair of stamps the tablet's format allows: the form refuses it, or ``queued`` says
    why not, or gives a moment and an offset that fits a 32-bit integer -- never an error."""
    data = {"idempotency_key": "k" * 32, "version": "1", "queued_at": queued_at,
            "sent_at": sent_at}
    with app.test_request_context("/kiosk/x", method="POST", data=data):
        form = KioskMeta(meta={"csrf": False})
        if not form.validate():
            assert not any(field.errors for field in form)      # said as the page's message
            assert set(form.form_errors) <= {SHAPE, WRONG}
            return
        result = queued(form, NOW, timedelta(hours=24))
    if isinstance(result, tuple):
        answered, skew = result
        assert abs(skew) < 2 ** 31 and answered <= NOW + timedelta(minutes=1)
    else:
        assert result is None or isinstance(result, str)
