"""The fixed scales: a five-point satisfaction item and a checklist's yes / no / not applicable."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice

from .base import NO_ANSWER, QuestionType, Score, Stored, register, requirement

LIKERT_LEVELS = (
    (5, {"zh_TW": "非常滿意", "en": "Very satisfied"}),
    (4, {"zh_TW": "滿意", "en": "Satisfied"}),
    (3, {"zh_TW": "普通", "en": "Neutral"}),
    (2, {"zh_TW": "不滿意", "en": "Dissatisfied"}),
    (1, {"zh_TW": "非常不滿意", "en": "Very dissatisfied"}),
)
LIKERT_NO_ANSWER = {"zh_TW": "不作答", "en": "No answer"}


@register
class Likert5(QuestionType):
    """Five-point satisfaction scale with a separate "no answer" choice."""

    name = "likert5"
    stat_kind = "likert"

    def field(self, question, label, text, required):
        choices = [SelectChoice(str(v), text(lbl)) for v, lbl in LIKERT_LEVELS]
        choices.append(SelectChoice(NO_ANSWER, text(LIKERT_NO_ANSWER)))
        return RadioField(label, choices=choices, validators=requirement(required))

    def to_stored(self, question, data):
        if data in (None, "", NO_ANSWER):
            return Stored(None)
        return Stored(int(data))

    def to_form_value(self, question, stored):
        return NO_ANSWER if stored.value is None else str(stored.value)

    def choice_labels(self, question):
        return {str(v): lbl for v, lbl in LIKERT_LEVELS} | {NO_ANSWER: LIKERT_NO_ANSWER}

    def from_csv(self, question, cell):
        cell = cell.strip()
        return cell if cell else NO_ANSWER

    def display(self, question, stored, text):
        if stored is None or stored.value is None:
            return text(LIKERT_NO_ANSWER)
        return f"{stored.value} {text(dict(LIKERT_LEVELS)[stored.value])}"


YES_NO_NA = (
    ("yes", 1, {"zh_TW": "是", "en": "Yes"}),
    ("no", 0, {"zh_TW": "否", "en": "No"}),
    (NO_ANSWER, None, {"zh_TW": "不適用", "en": "Not applicable"}),
)
_CSV_YES_NO = {"是": "yes", "y": "yes", "1": "yes", "否": "no", "n": "no", "0": "no",
               "不適用": NO_ANSWER, "n/a": NO_ANSWER}


@register
class YesNoNA(QuestionType):
    """A checklist item: met, not met, or not applicable (removed from the denominator)."""

    name = "yes_no_na"
    stat_kind = "binary"
    scorable = True

    def field(self, question, label, text, required):
        choices = [SelectChoice(key, text(lbl)) for key, _, lbl in YES_NO_NA]
        if not question.get("allow_na", True):
            choices = choices[:2]
        return RadioField(label, choices=choices, validators=requirement(required))

    def to_stored(self, question, data):
        if data in (None, ""):
            return None
        return Stored({key: value for key, value, _ in YES_NO_NA}[data])

    def to_form_value(self, question, stored):
        return {1: "yes", 0: "no", None: NO_ANSWER}[stored.value]

    def choice_labels(self, question):
        choices = YES_NO_NA if question.get("allow_na", True) else YES_NO_NA[:2]
        return {key: lbl for key, _, lbl in choices}

    def from_csv(self, question, cell):
        cell = cell.strip()
        return _CSV_YES_NO.get(cell.lower(), cell.lower())

    def display(self, question, stored, text):
        if stored is None:
            return "—"
        return text({value: lbl for _, value, lbl in YES_NO_NA}[stored.value])

    def score(self, question, stored):
        points = float(question.get("points", 0))
        if stored is None or stored.value is None or points == 0:
            return Score(0.0, 0.0)
        return Score(points if stored.value == 1 else 0.0, points)


