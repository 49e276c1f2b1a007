"""The question types XLSForm brought: multiple choice, decimal, date and note, each through the
form a person fills, the stored answer, the draft it re-opens, the score and the conditions."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from forms.builder import answers_from_form, build_form, form_data_from_answers
from forms.instrument import check
from forms.types import MAX_MULTIPLE_OPTIONS, Score, Stored, get_type

DEFINITION = {
    "key": "visit", "version": 1, "kind": "survey", "title": {"zh_TW": "來訪調查"},
    "sections": [{"key": "main", "title": {"zh_TW": "來訪"}, "questions": [
        {"key": "intro_note", "type": "note", "label": {"zh_TW": "以下問題關於今天的來訪。"}},
        {"key": "services", "type": "multiple_choice", "required": True,
         "label": {"zh_TW": "今天辦了哪些業務？", "en": "Services used today"},
         "hint": {"zh_TW": "可複選"},
         "options": [{"key": "transcript", "label": {"zh_TW": "謄本"}},
                     {"key": "move", "label": {"zh_TW": "遷徙"}},
                     {"key": "other", "label": {"zh_TW": "其他"}}]},
        {"key": "other_text", "type": "text", "label": {"zh_TW": "其他業務"},
         "relevant": "selected(${services}, 'other')"},
        {"key": "distance_km", "type": "decimal", "min": 0, "max": 500,
         "label": {"zh_TW": "住處到這裡的距離（公里）"}},
        {"key": "filed_on", "type": "date", "label": {"zh_TW": "申請日期"}},
    ]}],
}


def form(data: dict):
    instrument = check(DEFINITION)
    return instrument, build_form(instrument, "zh_TW")(formdata=MultiDict(data))


def test_a_full_answer_is_stored_as_sql_can_count_it_and_reopens_as_given():
    instrument, filled = form([("services", "transcript"), ("services", "other"),
                               ("other_text", "戶籍謄本英文版"), ("distance_km", "12.50"),
                               ("filed_on", "2026-11-30")])
    assert filled.validate(), filled.errors
    answers = answers_from_form(instrument, filled)
    assert answers["services"] == Stored(0b101, "transcript other")   # a bit per option
    assert answers["distance_km"] == Stored(None, "12.5")
    assert answers["filed_on"] == Stored(None, "2026-11-30")
    assert answers["intro_note"] is None and answers["other_text"] == Stored(None, "戶籍謄本英文版")
    again = form_data_from_answers(instrument, {k: v for k, v in answers.items() if v})
    assert again["services"] == ["transcript", "other"]
    assert again["distance_km"] == Decimal("12.5") and again["filed_on"] == date(2026, 11, 30)
    assert "intro_note" not in instrument.keys()   # a note holds no answer: no column anywhere


def test_the_condition_on_a_multiple_choice_reads_whether_the_option_is_among_the_chosen():
    instrument, filled = form([("services", "transcript"), ("other_text", "不該留下")])
    assert filled.validate()
    assert answers_from_form(instrument, filled)["other_text"] is None   # does not apply
    assert instrument.not_applicable_stored({"services": Stored(4, "other")}) == set()
    assert instrument.not_applicable_stored({"services": Stored(1, "transcript")}) == {"other_text"}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("services", "passport", "不是此欄位的有效選擇"),
    ("distance_km", "-1", "0 到 500 之間的數字"),
    ("distance_km", "NaN", "請輸入一般的數字"),
    ("distance_km", "1e999999", "請輸入一般的數字"),
    ("distance_km", "十二", "不是有效的十進位數值"),
    ("filed_on", "2026-13-01", "不是有效的日期值"),
])
def test_bad_answers_are_refused_with_a_message(field, value, message):
    data = [("services", "move"), (field, value)] if field != "services" else [(field, value)]
    _instrument, filled = form(data)
    assert not filled.validate()
    assert message in " ".join(str(e) for e in filled.errors[field])


def test_a_required_multiple_choice_needs_one_option():
    _instrument, filled = form([("distance_km", "3")])
    assert not filled.validate() and "此題必須作答" in str(filled.errors["services"][0])


def test_scores_sum_the_chosen_options_fractions_up_to_the_points_and_decimals_use_bands():
    several = get_type("multiple_choice")
    question = {"key": "q", "type": "multiple_choice", "points": 10, "options": [
        {"key": "a", "fraction": 0.5}, {"key": "b", "fraction": 0.75}, {"key": "na", "not_applicable": True}]}
    assert several.score(question, Stored(1, "a")) == Score(5.0, 10.0)
    assert several.score(question, Stored(3, "a b")) == Score(10.0, 10.0)      # capped
    assert several.score(question, Stored(4, "na")) == Score(0.0, 0.0)         # not applicable
    assert several.score(question, None) == Score(0.0, 0.0)
    number = get_type("decimal")
    banded = {"key": "d", "type": "decimal", "points": 4, "bands": [[2.5, 1.0], [5, 0.5]]}
    assert number.score(banded, Stored(None, "2.5")) == Score(4.0, 4.0)
    assert number.score(banded, Stored(None, "4.75")) == Score(2.0, 4.0)
    assert number.score(banded, Stored(None, "5.01")) == Score(0.0, 4.0)


def test_definitions_that_cannot_be_stored_are_refused_when_loaded():
    def with_options(n: int, key: str = "o"):
        options = [{"key": f"{key}{i}", "label": {"zh_TW": str(i)}} for i in range(n)]
        question = {"key": "many", "type": "multiple_choice", "label": {"zh_TW": "多"},
                    "options": options}
        return {**DEFINITION, "sections": [{"key": "s", "title": {"zh_TW": "s"},
                                            "questions": [question]}]}
    check(with_options(MAX_MULTIPLE_OPTIONS))
    with pytest.raises(ValueError, match="at most"):
        check(with_options(MAX_MULTIPLE_OPTIONS + 1))          # one bit each in an integer
    with pytest.raises(ValueError, match="without spaces"):
        check(with_options(2, key="a b"))                      # several keys: space separated
    with pytest.raises(ValueError, match="cannot carry points"):
        check({**DEFINITION, "sections": [{"key": "s", "title": {"zh_TW": "s"}, "questions": [
            {"key": "d", "type": "date", "label": {"zh_TW": "d"}, "points": 3}]}]})


def test_paper_cells_read_keys_or_labels_separated_as_people_write_them():
    question = DEFINITION["sections"][0]["questions"][1]
    several = get_type("multiple_choice")
    assert several.from_csv(question, "謄本、其他") == ["transcript", "other"]
    assert several.from_csv(question, "move, transcript") == ["move", "transcript"]
    assert several.from_csv(question, " ") == []
    assert several.display(question, Stored(5, "transcript other"), lambda lbl: lbl["zh_TW"]) == "謄本、其他"


@pytest.mark.parametrize("value", ["sNaN", "1e-999999", "Infinity", "1e999999"])
def test_numbers_a_person_would_not_type_are_refused_before_any_range_check(value):
    _instrument, filled = form([("services", "move"), ("distance_km", value)])
    assert not filled.validate()
    assert [str(e) for e in filled.errors["distance_km"]] == ["請輸入一般的數字"]


def test_a_whole_number_without_an_upper_bound_still_fits_the_answers_column():
    definition = {**DEFINITION, "sections": [{"key": "s", "title": {"zh_TW": "s"}, "questions": [
        {"key": "n", "type": "count", "label": {"zh_TW": "人數"}}]}]}
    instrument = check(definition)
    filled = build_form(instrument, "zh_TW")(formdata=MultiDict([("n", "100000000000000000000")]))
    assert not filled.validate() and "數字太大" in str(filled.errors["n"])
    with pytest.raises(ValueError, match="within"):
        check({**definition, "sections": [{"key": "s", "title": {"zh_TW": "s"}, "questions": [
            {"key": "n", "type": "count", "label": {"zh_TW": "人數"}, "max": 10 ** 12}]}]})
    with pytest.raises(ValueError, match="max_length"):
        check({**definition, "sections": [{"key": "s", "title": {"zh_TW": "s"}, "questions": [
            {"key": "t", "type": "text", "label": {"zh_TW": "意見"}, "max_length": -5}]}]})


def test_a_condition_on_a_decimal_reads_it_as_stored():
    definition = copy.deepcopy(DEFINITION)
    definition["sections"][0]["questions"][-1]["relevant"] = "${distance_km} = '2.5'"
    instrument = check(definition)
    filled = build_form(instrument, "zh_TW")(formdata=MultiDict([
        ("services", "move"), ("distance_km", "2.50"), ("filed_on", "2026-11-30")]))
    assert filled.validate()
    assert answers_from_form(instrument, filled)["filed_on"] == Stored(None, "2026-11-30")


def test_a_single_choice_published_with_a_space_in_an_option_key_still_loads():
    definition = {**DEFINITION, "sections": [{"key": "s", "title": {"zh_TW": "s"}, "questions": [
        {"key": "c", "type": "single_choice", "label": {"zh_TW": "選"},
         "options": [{"key": "a b", "label": {"zh_TW": "甲"}}]}]}]}
    check(definition)
