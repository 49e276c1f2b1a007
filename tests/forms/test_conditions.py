"""Questions that apply only when an earlier answer has a given value (XLSForm's ``relevant``).

What users rely on: a transfer item on a call that needed no transfer is not applicable, never a
failure, whatever the inspector clicked before changing their mind; the server decides this, so
it holds without JavaScript and for paper rows too; and a typo in a condition fails when the
instrument is loaded, not in the field.
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from support import factories
from support.flows import full_phone_answers, post_form, signed_in

from forms import conditions, scoring
from forms.instrument import check, load_default
from forms.types import Stored
from webapp.capture.submissions import Answer, Submission
from webapp.platform.extensions import db
from webapp.programme import instruments

TRANSFER = ("confirms_target", "tells_extension", "transfer_connects")


def answers(**given: str) -> callable:
    return lambda key: given.get(key, "")


@pytest.mark.parametrize(("text", "given", "expected"), [
    ("${a} = 'yes'", {"a": "yes"}, True),
    ("${a} = 'yes'", {"a": "no"}, False),
    ("${a} = 'yes'", {}, False),
    ("${a} != 'yes'", {}, True),                      # XLSForm: an empty answer is "not yes"
    ("${n} < 99", {"n": "4"}, True),
    ("${n} < 99", {"n": "99"}, False),
    ("${n} >= 3", {"n": ""}, False),                  # no answer satisfies no comparison
    ("${n} <= 2.5", {"n": "2"}, True),
    ("selected(${c}, 'land')", {"c": "land"}, True),
    ('${a} = "yes" and ${b} = \'no\'', {"a": "yes", "b": "no"}, True),
    ("${a} = 'yes' and ${b} = 'no'", {"a": "yes", "b": "yes"}, False),
    # and binds tighter than or: (a and b) or c
    ("${a} = '1' and ${b} = '1' or ${c} = '1'", {"c": "1"}, True),
    ("${a} = '1' and ${b} = '1' or ${c} = '1'", {"a": "1"}, False),
    ("${a} = '1' OR ${b} = '1'", {"b": "1"}, True),
])
def test_expressions_mean_what_xlsform_means(text, given, expected):
    assert conditions.parse(text).holds(answers(**given)) is expected


@pytest.mark.parametrize("text", ["", "a = 'yes'", "${a} == 'yes'", "${a} = yes", "${a} = 'x' ${b} = 'y'",
                                  "${a} < 'x'", "${a} = 'yes' and", "(${a} = 'yes')", "${a} = 'yes' xor ${b} = '1'"])
def test_unreadable_expressions_are_refused_with_the_place(text):
    with pytest.raises(ValueError, match="relevant"):
        conditions.parse(text)


def phone_with(change) -> dict:
    definition = copy.deepcopy(load_default("phone").definition)
    change(definition)
    return definition


def question(definition: dict, key: str) -> dict:
    return next(q for s in definition["sections"] for q in s["questions"] if q["key"] == key)


@pytest.mark.parametrize(("relevant", "message"), [
    ("${needs_transfer} = 'maybe'", "has no value 'maybe'"),
    ("${nobody} = 'yes'", "not an earlier question"),
    ("${polite_close} = 'yes'", "not an earlier question"),          # a later question
    ("${rings} = 'many'", "is a number"),
    ("${needs_transfer} = 'na'", "has no value 'na'"),               # this item has no N/A
])
def test_a_wrong_condition_fails_when_the_instrument_is_loaded(relevant, message):
    definition = phone_with(lambda d: question(d, "confirms_target").update(relevant=relevant))
    with pytest.raises(ValueError, match=message):
        check(definition)


def test_a_condition_cannot_depend_on_free_text():
    definition = phone_with(lambda d: question(d, "remarks").update(relevant="${scenario} = 'x'"))
    with pytest.raises(ValueError, match="cannot depend on 'scenario'"):
        check(definition)


def test_a_section_gate_switches_off_its_questions_and_chains():
    def gate(d):
        for section in d["sections"]:
            if section["key"] == "content":
                section["relevant"] = "${transfer_connects} = 'yes'"
    phone = check(phone_with(gate))
    no_transfer = phone.not_applicable(answers(needs_transfer="no", transfer_connects="yes"))
    # transfer_connects does not apply, so it counts as unanswered for the content section
    assert no_transfer == set(TRANSFER) | {"correct", "all_at_once", "no_brush_off", "offers_callback"}
    assert phone.not_applicable(answers(needs_transfer="yes", transfer_connects="yes")) == set()


def stored_phone(**values: int | None) -> dict:
    phone = load_default("phone")
    result = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    result["rings"] = Stored(3)
    result.update({k: (None if v is None else Stored(v)) for k, v in values.items()})
    return result


def test_items_that_do_not_apply_score_as_not_applicable_never_as_failures():
    phone = load_default("phone")
    failed_transfer = stored_phone(needs_transfer=0, confirms_target=0, tells_extension=0,
                                   transfer_connects=0)
    result = scoring.score(phone, failed_transfer)
    assert result.score == 100.0
    assert {s.key: s.possible for s in result.sections}["transfer"] == 0
    needed = scoring.score(phone, stored_phone(needs_transfer=1, confirms_target=0))
    assert needed.score == round(100 * (105 - 3) / 105, 2)


def test_the_sentence_under_a_conditional_question_names_the_question_and_answer():
    phone = load_default("phone")
    text = question(phone.definition, "confirms_target")["relevant"]
    assert phone.describe_condition(text, "zh_TW") == "僅在「這通電話是否需要轉接」為「是」時作答。"


@pytest.fixture
def inspector(app):
    return factories.user("inspector")


def test_a_call_without_transfer_needs_no_transfer_answers_and_drops_any_given(
        client, office, inspector):
    """Without JavaScript: the inspector answered the transfer items, then said no transfer."""
    signed_in(client, inspector)
    given = full_phone_answers(needs_transfer="no", confirms_target="no", tells_extension="no")
    del given["transfer_connects"]                      # required, but it does not apply
    response = post_form(client, "/inspect/new/phone", given, office)
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalars(select(Submission)).one()
    assert record.score == 100.0
    stored = {a.item_key: a.value for a in db.session.scalars(select(Answer))}
    assert all(stored.get(key) is None for key in TRANSFER)
    assert stored["needs_transfer"] == 0


def test_a_call_with_a_transfer_still_requires_the_transfer_items(client, office, inspector):
    signed_in(client, inspector)
    given = full_phone_answers(needs_transfer="yes")
    del given["transfer_connects"]
    response = post_form(client, "/inspect/new/phone", given, office)
    assert response.status_code == 400
    assert 'href="#q-transfer_connects"' in response.get_data(as_text=True)
    assert db.session.scalars(select(Submission)).first() is None


def test_the_form_page_carries_the_condition_and_its_sentence(client, office, inspector):
    signed_in(client, inspector)
    page = client.get("/inspect/new/phone").get_data(as_text=True)
    assert """data-relevant="${needs_transfer} = &#39;yes&#39;\"""" in page
    assert "僅在「這通電話是否需要轉接」為「是」時作答。" in page
    script = '<script src="/static/conditions.js'
    assert script in page
    assert script not in client.get("/inspect/new/mystery").get_data(as_text=True)


def test_paper_rows_follow_the_same_conditions(runner, app, tmp_path):
    """A comment box shown only to the dissatisfied: a comment on a happy row is not stored."""
    factories.office()
    version, satisfaction = instruments.current("satisfaction")
    definition = copy.deepcopy(satisfaction.definition)
    question(definition, "comment")["relevant"] = "${overall} <= 2"
    definition["version"] = satisfaction.version + 1
    instruments.publish(definition)
    db.session.commit()
    header = ("office_code,submitted_on,attitude,knowledge,efficiency,fairness,environment,"
              "waiting,expectations,overall,service_used,age_band,comment")
    rows = ["TPH-DAAN,2025-03-02,5,5,5,5,5,5,5,5,household_transcript,65plus,很好",
            "TPH-DAAN,2025-03-02,2,2,2,2,2,2,2,1,household_transcript,65plus,等太久"]
    path = tmp_path / "paper.csv"
    path.write_text("\r\n".join([header, *rows]) + "\r\n", encoding="utf-8-sig")
    result = runner.invoke(args=["responses", "import", "satisfaction", str(path)])
    assert result.exit_code == 0, result.output
    comments = db.session.scalars(select(Answer.text).where(Answer.item_key == "comment")).all()
    assert [c for c in comments if c] == ["等太久"]


def test_the_record_page_says_which_items_did_not_apply(client, office, inspector):
    signed_in(client, inspector)
    response = post_form(client, "/inspect/new/phone", full_phone_answers(needs_transfer="no"), office)
    page = client.get(response.location).get_data(as_text=True)
    assert page.count("不適用（免答）") == len(TRANSFER)
