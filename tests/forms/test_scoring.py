from forms.instrument import check, load_default
from forms.scoring import DEFAULT_BANDS, grade_for, score
from forms.types import Stored


def checklist():
    return check({
        "key": "c", "version": 1, "kind": "inspection", "scored": True, "title": "c",
        "sections": [
            {"key": "a", "questions": [
                {"key": "x", "type": "yes_no_na", "label": "x", "points": 10},
                {"key": "y", "type": "yes_no_na", "label": "y", "points": 10},
            ]},
            {"key": "b", "questions": [
                {"key": "rings", "type": "count", "label": "r", "min": 0, "max": 99,
                 "points": 20, "bands": [[4, 1.0], [6, 0.5]]},
                {"key": "note", "type": "text", "label": "n"},
            ]},
        ],
    })


def test_not_applicable_leaves_the_denominator():
    result = score(checklist(), {"x": Stored(1), "y": Stored(None), "rings": Stored(3)})
    assert (result.earned, result.possible) == (30.0, 30.0)
    assert result.score == 100.0 and result.grade == "優等"
    assert [s.percent for s in result.sections] == [100.0, 100.0]


def test_a_miss_counts_against_the_points_possible():
    result = score(checklist(), {"x": Stored(1), "y": Stored(0), "rings": Stored(5)})
    # 10 + 0 + 20 * 0.5 = 20 of 40
    assert result.score == 50.0 and result.grade == "丁"
    assert [s.percent for s in result.sections] == [50.0, 50.0]


def test_rings_bands_give_full_half_and_no_credit():
    instrument = checklist()
    full = score(instrument, {"x": Stored(None), "y": Stored(None), "rings": Stored(4)})
    half = score(instrument, {"x": Stored(None), "y": Stored(None), "rings": Stored(6)})
    none = score(instrument, {"x": Stored(None), "y": Stored(None), "rings": Stored(7)})
    assert (full.score, half.score, none.score) == (100.0, 50.0, 0.0)


def test_all_not_applicable_has_no_score_rather_than_zero():
    instrument = check({"key": "c", "version": 1, "kind": "inspection", "scored": True,
                        "title": "c", "sections": [{"key": "a", "questions": [
                            {"key": "x", "type": "yes_no_na", "label": "x", "points": 10}]}]})
    result = score(instrument, {"x": Stored(None)})
    assert result.score is None and result.grade is None


def test_grade_bands_edges():
    assert [grade_for(s, DEFAULT_BANDS) for s in (100, 90, 89.99, 80, 79.5, 70, 60, 59.99, 0)] == [
        "優等", "優等", "甲", "甲", "乙", "乙", "丙", "丁", "丁"]


def test_default_phone_test_rescales_to_100():
    phone = load_default("phone")
    perfect = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    perfect["rings"] = Stored(2)
    assert score(phone, perfect).score == 100.0
    missed_surname = {**perfect, "asks_surname": Stored(0)}
    assert score(phone, missed_surname).score == round(100 * 100 / 105, 2)
