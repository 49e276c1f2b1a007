"""The checklist's 查核時間 typed as text (issue 27, item 12): the shapes the rule reads, the
ones it refuses and why, and the field on the page -- a refusal naming what was typed and the
format, in the page's language, every other answer kept."""

from __future__ import annotations

from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import func, select
from support import factories
from support.flows import full_phone_answers, post_form, signed_in

from analysis.periods import FIRST_YEAR, LAST_YEAR
from webapp.capture.inspect.moments import Unreadable, read_moment
from webapp.capture.submissions import Submission
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db

NINE_O_FIVE = datetime(2025, 8, 12, 9, 5)


@pytest.mark.parametrize("typed", [
    "2025-08-12 09:05", "2025-8-12 9:05", "2025/08/12 09:05", "2025/8/12 9:05",
    "2025-08-12T09:05", "2025-08-12t09:05", "2025-08-12 T 09:05", "2025-08-12T09:05:00",
    "2025-08-12T09:05:59",                                  # a datetime-local with seconds
    "  2025-08-12   09:05 ", "2025-08-12\t09:05",
    "２０２５－０８－１２　０９：０５",                       # full width, ideographic space
    "２０２５/８/１２　９：０５", "２０２５／８／１２ ９:05",
])
def test_the_shapes_an_inspector_types_are_read(typed):
    assert read_moment(typed) == NINE_O_FIVE


def test_nothing_typed_is_none():
    assert read_moment("") is None and read_moment(" \u3000 ") is None


@pytest.mark.parametrize("typed", [
    "12 Aug 2025", "2025-08-12", "09:05", "2025-08-12 9", "2025-08-12 9:5", "2025-8/12 9:05",
    "2025.08.12 09:05", "25-08-12 09:05", "20250-08-12 09:05", "2025-08-12 09:05 PM",
    "2025-08-12 下午 2:30", "٢٠٢٥-08-12 09:05", "2025-08-12 09:05\x00", "a" * 5000, "1e309",
    "2025-08-12 09:05:1", "2025-008-12 09:05",
])
def test_other_shapes_are_refused_as_shapes(typed):
    with pytest.raises(Unreadable) as refused:
        read_moment(typed)
    assert (refused.value.why, refused.value.typed) == ("shape", typed)


@pytest.mark.parametrize("typed", [
    "2025-8-32 9:05", "2025-02-29 09:05", "2025-13-01 09:05", "2025-00-10 09:05",
    "2025-08-00 09:05", "2025-08-12 24:00", "2025-08-12 09:60", "2025-08-12 09:05:61",
])
def test_no_such_day_or_time_is_refused_as_a_date(typed):
    with pytest.raises(Unreadable) as refused:
        read_moment(typed)
    assert refused.value.why == "date"


def test_a_leap_day_is_a_day():
    assert read_moment("2024-2-29 23:59") == datetime(2024, 2, 29, 23, 59)


@pytest.mark.parametrize("typed", [
    "0000-01-01 00:00", "0001-01-01 00:00", "0999-06-01 10:00", f"{FIRST_YEAR - 1}-12-31 23:59",
    f"{LAST_YEAR + 1}-01-01 00:00", "9999-12-31 23:59",
])
def test_years_without_a_period_are_refused_as_years(typed):
    with pytest.raises(Unreadable) as refused:
        read_moment(typed)
    assert refused.value.why == "year"


def test_the_first_and_last_years_with_a_period_are_read():
    assert read_moment(f"{FIRST_YEAR}-01-01 00:00") == datetime(FIRST_YEAR, 1, 1)
    assert read_moment(f"{LAST_YEAR}-12-31 23:59") == datetime(LAST_YEAR, 12, 31, 23, 59)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def test_a_full_width_time_is_stored_and_shown_back_in_the_one_shape(client, office):
    signed_in(client, factories.user("inspector"))
    response = post_form(client, "/inspect/new/phone", full_phone_answers(), office,
                         action="draft", when="２０２５/８/１２　９：０５")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    record = db.session.scalars(select(Submission)).one()
    assert record.occurred_at.astimezone(TAIPEI).replace(tzinfo=None) == NINE_O_FIVE
    page = client.get(response.location).get_data(as_text=True)
    assert 'value="2025-08-12 09:05"' in page and 'aria-describedby="hint-occurred_at"' in page


@pytest.mark.parametrize(("lang", "typed", "says"), [
    ("zh_Hant_TW", "2025-8-32 9:05", ["沒有「2025-8-32 9:05」這個日期或時刻", "2025-08-12 14:30"]),
    ("zh_Hant_TW", "12 Aug 2025", ["看不懂「12 Aug 2025」", "2025-08-12 14:30"]),
    ("en", "2025-8-32 9:05", ["no such date or time as “2025-8-32 9:05”", "2025-08-12 14:30"]),
    ("en", "12 Aug 2025", ["“12 Aug 2025” is not a date and time", "2025-08-12 14:30"]),
    ("en", "1999-12-31 23:59", ["“1999-12-31 23:59”: the time must be in 2000 or later"]),
])
def test_a_refused_time_names_what_was_typed_in_the_page_language(client, office, lang, typed,
                                                                  says):
    signed_in(client, factories.user("inspector"))
    client.get(f"/inspect/?lang={lang}")
    response = post_form(client, "/inspect/new/phone", full_phone_answers(rings="4"), office,
                         when=typed)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and count() == 0
    error = html.split('id="err-occurred_at">', 1)[1].split("</p>", 1)[0]
    assert all(s in error for s in says), error
    assert ("請" in error) == (lang != "en")
    assert 'href="#q-occurred_at"' in html                   # in the error summary
    assert f'value="{typed}"' in html                        # kept as typed, to correct
    assert 'aria-describedby="hint-occurred_at err-occurred_at"' in html
    assert f'<option selected value="{office.code}">' in html
    assert 'value="4"' in html.split('id="q-rings"', 1)[1].split("</div>", 1)[0]


def test_only_spaces_is_asked_for_not_stored(client, office):
    signed_in(client, factories.user("inspector"))
    response = post_form(client, "/inspect/new/phone", full_phone_answers(), office,
                         action="draft", when="\u3000 ")
    assert response.status_code == 400 and count() == 0
    assert "請填寫查核日期與時間" in response.get_data(as_text=True)
