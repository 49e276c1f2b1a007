"""The question types an instrument may use, in one registry.

Each type says, in one place, how it appears as a WTForms field, how it reads a paper-CSV cell,
how its answer is stored (an integer SQL can count, and/or a text), and how it scores.  Adding a
type means adding one class here; an instrument naming an unknown type fails when it is loaded,
never when a citizen opens the page.

Storage convention (what ``GROUP BY office, item, value`` sees):
- Likert: value 1..5, NULL = no answer (its own category, never a zero).
- yes / no / not applicable: 1 = yes, 0 = no, NULL = not applicable.
- count: the integer.  single choice: the 1-based option position, its key in ``text``.
- free text and date-time: ``text`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from wtforms import DateTimeLocalField, Field, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from .i18n import _, _l

Text = Callable[[dict[str, str] | str], str]
"""Picks a label in the current language from an instrument's ``{"zh_TW": .., "en": ..}``."""

NO_ANSWER = "na"


@dataclass(frozen=True, slots=True)
class Stored:
    """One answer as it is written to the ``answers`` table."""

    value: int | None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """Points earned out of points possible; ``possible == 0`` means not applicable."""

    earned: float
    possible: float

    @property
    def applies(self) -> bool:
        return self.possible > 0

    @property
    def lost_points(self) -> bool:
        """An item that lost points: the rule an improvement case lists items by, and the
        report counts an item's failures by."""
        return self.applies and self.earned < self.possible


class QuestionType:
    """Base of every question type; subclasses register themselves by ``name``."""

    name: ClassVar[str]
    #: what the analysis does with it: "likert", "binary", "count", "choice" or "none"
    stat_kind: ClassVar[str] = "none"
    #: a scored instrument may give points to this type
    scorable: ClassVar[bool] = False

    def check_definition(self, question: dict[str, Any]) -> None:
        """Raise ``ValueError`` if the instrument data is unusable for this type."""

    def field(self, question: dict[str, Any], label: str, text: Text, required: bool) -> Field:
        raise NotImplementedError

    def to_stored(self, question: dict[str, Any], data: Any) -> Stored | None:
        """The form's cleaned data as a stored answer; ``None`` when nothing was given."""
        raise NotImplementedError

    def to_form_value(self, question: dict[str, Any], stored: Stored) -> Any:
        """The stored answer back as the form's data (to re-open a draft)."""
        raise NotImplementedError

    def from_csv(self, question: dict[str, Any], cell: str) -> str:
        """A paper-questionnaire cell as the string a browser would post."""
        return cell.strip()

    def choice_labels(self, question: dict[str, Any]) -> dict[str, dict[str, str] | str] | None:
        """The values the form posts for this question, each with its label; ``None`` when the
        answer is typed (a number, a text).  Conditions, the spreadsheet's choices sheet and
        the condition hints under a question all read this."""
        return None

    def display(self, question: dict[str, Any], stored: Stored | None, text: Text) -> str:
        """The answer as a reader sees it on a record page."""
        if stored is None:
            return "—"
        return stored.text if stored.text is not None else str(stored.value)

    def score(self, question: dict[str, Any], stored: Stored | None) -> Score | None:
        """Points for this answer; ``None`` when the question carries no points, and
        ``Score(0, 0)`` (not applicable) when it does but was not answered."""
        points = float(question.get("points", 0))
        if points == 0:
            return None
        if stored is None:
            return Score(0.0, 0.0)
        return self.score_answer(question, stored, points)

    def score_answer(self, question: dict[str, Any], stored: Stored, points: float) -> Score:
        """Points for a given answer to a question worth ``points`` (scorable types)."""
        raise NotImplementedError


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def get_type(name: str) -> QuestionType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown question type {name!r}; known: {sorted(REGISTRY)}") from None


def _requirement(required: bool) -> list:
    if required:
        return [InputRequired(message=_l("此題必須作答"))]
    return [Optional()]


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
        return RadioField(label, choices=choices, validators=_requirement(required))

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
        return RadioField(label, choices=choices, validators=_requirement(required))

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


@register
class Count(QuestionType):
    """A whole number such as rings before the phone was answered, or minutes of waiting.

    Scored instruments give ``bands``: ``[[max_value, fraction_of_points], ...]`` in ascending
    order, e.g. rings ``[[4, 1.0], [6, 0.5]]``: full points up to 4 rings, half at 5-6, none after.
    """

    name = "count"
    stat_kind = "count"
    scorable = True

    def check_definition(self, question):
        low, high = question.get("min", 0), question.get("max")
        if high is None or not isinstance(low, int) or not isinstance(high, int) or low > high:
            raise ValueError(f"count question {question.get('key')!r} needs integer min <= max")
        bands = question.get("bands", [])
        if [b[0] for b in bands] != sorted(b[0] for b in bands):
            raise ValueError(f"count question {question.get('key')!r}: bands must ascend")

    def field(self, question, label, text, required):
        low, high = question.get("min", 0), question["max"]
        validators = _requirement(required) + [
            NumberRange(low, high, message=_l("請輸入 %(low)s 到 %(high)s 之間的整數",
                                              low=low, high=high))
        ]
        field = IntegerField(label, validators=validators,
                             render_kw={"inputmode": "numeric", "min": low, "max": high})
        return field

    def to_stored(self, question, data):
        return None if data is None else Stored(int(data))

    def to_form_value(self, question, stored):
        return stored.value

    def display(self, question, stored, text):
        if stored is None:
            return "—"
        unit = question.get("unit")
        return f"{stored.value} {text(unit)}" if unit else str(stored.value)

    def score_answer(self, question, stored, points):
        for limit, fraction in question.get("bands", []):
            if stored.value <= limit:
                return Score(points * float(fraction), points)
        return Score(0.0, points)


@register
class SingleChoice(QuestionType):
    """One of a fixed list of options (e.g. the service used); options may carry points."""

    name = "single_choice"
    stat_kind = "choice"
    scorable = True

    def check_definition(self, question):
        options = question.get("options") or []
        keys = [o.get("key") for o in options]
        if not options or len(set(keys)) != len(keys) or not all(keys):
            raise ValueError(f"choice question {question.get('key')!r} needs unique option keys")

    def field(self, question, label, text, required):
        choices = [SelectChoice(o["key"], text(o["label"])) for o in question["options"]]
        return RadioField(label, choices=choices, validators=_requirement(required))

    def to_stored(self, question, data):
        if data in (None, ""):
            return None
        keys = [o["key"] for o in question["options"]]
        return Stored(keys.index(data) + 1, data)

    def to_form_value(self, question, stored):
        return stored.text

    def choice_labels(self, question):
        return {o["key"]: o["label"] for o in question["options"]}

    def from_csv(self, question, cell):
        """An option's key, or its label as a paper-keying drop-down shows it."""
        cell = cell.strip()
        for option in question["options"]:
            label = option["label"]
            if cell in ((label.get("zh_TW"), label.get("en")) if isinstance(label, dict) else (label,)):
                return option["key"]
        return cell

    def display(self, question, stored, text):
        if stored is None:
            return "—"
        for option in question["options"]:
            if option["key"] == stored.text:
                return text(option["label"])
        return stored.text or "—"

    def score_answer(self, question, stored, points):
        option = next((o for o in question["options"] if o["key"] == stored.text), None)
        if option is None or option.get("not_applicable"):
            return Score(0.0, 0.0)  # an option a later version dropped counts as N/A
        return Score(points * float(option.get("fraction", 0)), points)


def _no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_("文字含有無法辨識的控制字元"))


@register
class FreeText(QuestionType):
    """An optional comment; kept as text, escaped wherever it is shown."""

    name = "text"

    def field(self, question, label, text, required):
        limit = int(question.get("max_length", 1000))
        validators = _requirement(required) + [
            Length(max=limit, message=_l("最多 %(n)s 個字", n=limit)),
            _no_control_characters,
        ]
        return TextAreaField(label, validators=validators, render_kw={"maxlength": limit})

    def to_stored(self, question, data):
        data = (data or "").strip()
        return Stored(None, data) if data else None

    def to_form_value(self, question, stored):
        return stored.text


@register
class DateTimeQuestion(QuestionType):
    """A moment such as when a visit started; stored as ISO text, minutes precision."""

    name = "datetime"

    def field(self, question, label, text, required):
        return DateTimeLocalField(
            label, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            validators=_requirement(required),
            render_kw={"title": _l("格式：2025-07-01 09:30")},
        )

    def to_stored(self, question, data):
        return None if data is None else Stored(None, data.strftime("%Y-%m-%dT%H:%M"))

    def to_form_value(self, question, stored):
        return datetime.strptime(stored.text, "%Y-%m-%dT%H:%M")
