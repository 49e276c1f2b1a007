"""A mistyped year, an absurd date filter or an odd period already stored never becomes a 500.

Visit and call times are refused outside 2000 to one day ahead (Taipei) with a field error;
every period or date parameter out of range is a 400 that says why; a record stored with an
odd period (seeded directly, as an older release or a bad import could have left it) is left
out of the period lists and breaks no page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from support import factories
from support.flows import full_phone_answers, post_form, signed_in

from forms.types import Stored
from webapp.capture import store as storage
from webapp.capture.submissions import Answer, Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.programme import instruments


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


@pytest.mark.parametrize("when", ["0999-06-01T10:00", "0001-01-01T00:00", "1999-12-31T23:59",
                                  "9999-12-31T23:59"])
def test_an_inspection_time_outside_the_window_is_a_field_error(client, office, when):
    signed_in(client, factories.user("inspector"))
    response = post_form(client, "/inspect/new/phone", full_phone_answers(), office, when=when)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:300]
    assert "時間應在 2000 年之後，且不晚於明天" in html
    assert count() == 0


def test_tomorrow_is_allowed_the_day_after_is_not(client, office):
    signed_in(client, factories.user("inspector"))
    now = datetime.now(TAIPEI)
    soon = (now + timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")
    late = (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert post_form(client, "/inspect/new/phone", full_phone_answers(), office,
                     when=late).status_code == 400
    assert post_form(client, "/inspect/new/phone", full_phone_answers(), office,
                     when=soon).status_code == 302


@pytest.mark.parametrize("url, message", [
    ("/reports/quality?period=9999H2", "期間的年份應在 2000 到 2099 之間"),
    ("/reports/?period=9999H2", "期間的年份應在 2000 到 2099 之間"),
    ("/reports/?period=2025H2&compare_to=0999H1", "期間的年份應在 2000 到 2099 之間"),
    ("/reports/download.json?period=1999H1", "期間的年份應在 2000 到 2099 之間"),
    ("/admin/audit?from=0001-01-01", "日期應在 2000 到 2099 年之間"),
    ("/admin/audit?to=9999-12-31", "日期應在 2000 到 2099 年之間"),
    ("/admin/audit?from=2025-02-30", "日期格式應為 YYYY-MM-DD"),
])
def test_an_out_of_range_period_or_date_parameter_is_a_400_with_a_message(client, url, message):
    signed_in(client, factories.user("admin"))
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_record_stored_with_an_odd_period_breaks_no_page(client, office):
    inspector = factories.user("inspector")
    version, phone = instruments.current("phone")
    whole = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    record, _ = storage.store(version=version, instrument=phone, office=office,
                              channel="inspector", status="approved",
                              occurred_at=datetime(2025, 8, 1, 10, tzinfo=TAIPEI),
                              answers={**whole, "rings": Stored(2)},
                              idempotency_key="odd-period-record-1", inspector=inspector)
    survey_version, survey = instruments.current("satisfaction")
    storage.store(version=survey_version, instrument=survey, office=office, channel="paper",
                  status="submitted", occurred_at=datetime(2025, 8, 1, 10, tzinfo=TAIPEI),
                  answers={"overall": Stored(4)}, idempotency_key="odd-period-survey-1")
    # what an older release stored for a visit typed as year 0999
    db.session.execute(update(Submission).values(half="999H1", quarter="999Q2"))
    db.session.execute(update(Answer).values(half="999H1", quarter="999Q2"))
    db.session.commit()
    signed_in(client, factories.user("admin"))
    for url in ("/reports/", "/reports/quality", "/inspect/", f"/inspect/{record.id}",
                "/review/", f"/review/{record.id}", "/reports/?period=2025H2"):
        assert client.get(url).status_code == 200, url


def test_a_paper_row_dated_before_2000_is_a_line_error(runner, office, tmp_path):
    file = tmp_path / "paper.csv"
    file.write_text("office_code,submitted_on,overall\n"
                    f"{office.code},2025-03-01,5\n{office.code},0999-03-01,4\n", "utf-8-sig")
    result = runner.invoke(args=["responses", "import", "satisfaction", str(file)])
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "日期應在 2000 年之後" in result.output
    assert count() == 0
