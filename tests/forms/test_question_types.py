"""Each question type: a valid answer, a missing required one, out of range, and the wrong type."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from forms.builder import answers_from_form, build_form
from forms.instrument import check
from forms.types import Stored, get_type


def instrument_with(question: dict) -> object:
    return check({"key": "t", "version": 1, "kind": "inspection", "title": "t",
                  "sections": [{"key": "s", "title": "s", "questions": [question]}]})


def submit(question: dict, data: dict | None, *, required: bool = True):
    instrument = instrument_with({**question, "required": required})
    form_class = build_form(instrument)
    form = form_class(formdata=MultiDict(data or {}), meta={"csrf": False})
    ok = form.validate()
    return ok, form.errors.get(question["key"], []), (
        answers_from_form(instrument, form)[question["key"]] if ok else None)


LIKERT = {"key": "q", "type": "likert5", "label": "滿意度"}
YES_NO = {"key": "q", "type": "yes_no_na", "label": "有問候", "points": 5}
COUNT = {"key": "q", "type": "count", "label": "響鈴", "min": 0, "max": 99}
CHOICE = {"key": "q", "type": "single_choice", "label": "業務",
          "options": [{"key": "a", "label": "甲"}, {"key": "b", "label": "乙"}]}
TEXT = {"key": "q", "type": "text", "label": "意見", "max_length": 10}
WHEN = {"key": "q", "type": "datetime", "label": "時間"}


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("question", "value", "stored"),
    [
        (LIKERT, "5", Stored(5)), (LIKERT, "1", Stored(1)), (LIKERT, "na", Stored(None)),
        (YES_NO, "yes", Stored(1)), (YES_NO, "no", Stored(0)), (YES_NO, "na", Stored(None)),
        (COUNT, "0", Stored(0)), (COUNT, "99", Stored(99)),
        (CHOICE, "b", Stored(2, "b")),
        (TEXT, "很好", Stored(None, "很好")),
        (WHEN, "2025-07-01T09:30", Stored(None, "2025-07-01T09:30")),
    ],
)
def test_valid_answer_is_stored_as_sql_can_count_it(question, value, stored):
    ok, errors, answer = submit(question, {"q": value})
    assert ok, errors
    assert answer == stored


@pytest.mark.parametrize("question", [LIKERT, YES_NO, COUNT, CHOICE, TEXT, WHEN])
def test_missing_required_answer_is_refused_in_chinese(question):
    ok, errors, _ = submit(question, {})
    assert not ok
    assert "此題必須作答" in " ".join(map(str, errors))


@pytest.mark.parametrize("question", [LIKERT, YES_NO, COUNT, CHOICE, TEXT, WHEN])
def test_missing_optional_answer_is_allowed(question):
    ok, errors, answer = submit(question, {}, required=False)
    assert ok, errors
    # A skipped Likert item is "no answer", its own category; other types store nothing.
    assert answer == (Stored(None) if question is LIKERT else None)


@pytest.mark.parametrize(
    ("question", "value"),
    [(LIKERT, "6"), (LIKERT, "0"), (YES_NO, "maybe"), (COUNT, "100"), (COUNT, "-1"),
     (CHOICE, "c"), (TEXT, "一二三四五六七八九十十一")],
)
def test_out_of_range_is_refused(question, value):
    ok, errors, _ = submit(question, {"q": value})
    assert not ok and errors


@pytest.mark.parametrize(
    ("question", "value"),
    [(LIKERT, "very"), (COUNT, "three"), (COUNT, "3.5"), (WHEN, "yesterday"),
     (WHEN, "2025-13-01T09:30"), (TEXT, "bad\x00byte")],
)
def test_wrong_type_is_refused(question, value):
    ok, errors, _ = submit(question, {"q": value})
    assert not ok and errors


def test_count_message_names_the_range(app):
    ok, errors, _ = submit(COUNT, {"q": "100"})
    assert "0 到 99" in " ".join(map(str, errors))


def test_unknown_question_type_fails_when_the_instrument_is_loaded():
    with pytest.raises(ValueError, match="unknown question type"):
        instrument_with({"key": "q", "type": "slider", "label": "x"})


def test_points_on_an_unscorable_type_are_refused():
    with pytest.raises(ValueError, match="cannot carry points"):
        instrument_with({"key": "q", "type": "text", "label": "x", "points": 3})


def test_duplicate_question_keys_are_refused():
    with pytest.raises(ValueError, match="unique"):
        check({"key": "t", "version": 1, "kind": "survey", "title": "t", "sections": [
            {"key": "s", "questions": [{**LIKERT}, {**LIKERT}]}]})


def test_csv_cells_map_to_what_a_browser_posts():
    assert get_type("likert5").from_csv(LIKERT, " ") == "na"
    assert get_type("yes_no_na").from_csv(YES_NO, "是") == "yes"
    assert get_type("yes_no_na").from_csv(YES_NO, "不適用") == "na"
