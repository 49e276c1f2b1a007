"""Options to choose from: one (a service used) or several (XLSForm's ``select_multiple``).

Options are ``{"key", "label", "fraction"?, "not_applicable"?, "office_kinds"?}``; a key never
holds a space, since XLSForm writes several chosen keys space separated.
"""

from __future__ import annotations

import re

from wtforms import RadioField, SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from .base import QuestionType, Score, Stored, labels_of, register, requirement

#: options a multiple-choice question may have: one bit each in the answers' integer column
MAX_MULTIPLE_OPTIONS = 30


def _check_options(question, most: int | None = None) -> None:
    """Unique keys; a multiple choice's (``most`` given) also without spaces, since several are
    written space separated (a single choice published before that rule keeps loading)."""
    options = question.get("options") or []
    keys = [str(o.get("key") or "") for o in options]
    if not options or len(set(keys)) != len(keys) or not all(keys):
        raise ValueError(f"choice question {question.get('key')!r} needs unique option keys")
    if most is not None and any(re.search(r"\s", k) for k in keys):
        raise ValueError(f"choice question {question.get('key')!r} needs option keys without spaces")
    if most is not None and len(options) > most:
        raise ValueError(f"choice question {question.get('key')!r} has {len(options)} options; "
                         f"a multiple choice takes at most {most}")


def _option_key(question, cell: str) -> str:
    """An option's key, or its label as a paper-keying drop-down shows it."""
    for option in question["options"]:
        if cell in labels_of(option["label"]):
            return option["key"]
    return cell


def _option_label(question, key: str | None, text) -> str:
    for option in question["options"]:
        if option["key"] == key:
            return text(option["label"])
    return key or "—"


@register
class SingleChoice(QuestionType):
    """One of a fixed list of options (e.g. the service used); options may carry points."""

    name = "single_choice"
    stat_kind = "choice"
    scorable = True

    def check_definition(self, question):
        _check_options(question)

    def field(self, question, label, text, required):
        choices = [SelectChoice(o["key"], text(o["label"])) for o in question["options"]]
        return RadioField(label, choices=choices, validators=requirement(required))

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
        return _option_key(question, cell)

    def display(self, question, stored, text):
        if stored is None:
            return "—"
        return _option_label(question, stored.text, text)

    def score_answer(self, question, stored, points):
        option = next((o for o in question["options"] if o["key"] == stored.text), None)
        if option is None or option.get("not_applicable"):
            return Score(0.0, 0.0)  # an option a later version dropped counts as N/A
        return Score(points * float(option.get("fraction", 0)), points)


class CheckboxesField(SelectMultipleField):
    """Several options as checkboxes (the page's macro writes them out, as it does radios)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@register
class MultipleChoice(QuestionType):
    """Any number of a fixed list of options (XLSForm's ``select_multiple``).

    Scored, an answer earns the sum of its options' ``fraction``s, at most the question's
    points; an answer of only not-applicable options does not apply.
    """

    name = "multiple_choice"
    stat_kind = "multi"
    scorable = True

    def check_definition(self, question):
        _check_options(question, most=MAX_MULTIPLE_OPTIONS)

    def field(self, question, label, text, required):
        choices = [SelectChoice(o["key"], text(o["label"])) for o in question["options"]]
        return CheckboxesField(label, choices=choices, validators=requirement(required))

    def to_stored(self, question, data):
        chosen = set(data or ())
        keys = [o["key"] for o in question["options"] if o["key"] in chosen]
        if not keys:
            return None
        bits = sum(1 << i for i, o in enumerate(question["options"]) if o["key"] in chosen)
        return Stored(bits, " ".join(keys))

    def to_form_value(self, question, stored):
        return (stored.text or "").split()

    def choice_labels(self, question):
        return {o["key"]: o["label"] for o in question["options"]}

    def from_csv(self, question, cell):
        """Keys or labels, separated by spaces, commas or 、 (a label with a space: use its key)."""
        parts = [p for p in re.split(r"[\s,;\uff0c\u3001\uff1b]+", cell.strip()) if p]
        return [_option_key(question, p) for p in parts]

    def display(self, question, stored, text):
        if stored is None or not stored.text:
            return "—"
        return "、".join(_option_label(question, key, text) for key in stored.text.split())

    def score_answer(self, question, stored, points):
        chosen = [o for o in question["options"] if o["key"] in (stored.text or "").split()]
        counted = [o for o in chosen if not o.get("not_applicable")]
        if not counted:
            return Score(0.0, 0.0)
        earned = sum(float(o.get("fraction", 0)) for o in counted)
        return Score(points * min(1.0, max(0.0, earned)), points)

