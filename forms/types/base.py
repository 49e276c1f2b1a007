"""The question types' common ground: what a type must say, the registry, stored answers, scores.

Each type says, in one place, how it appears as a WTForms field, how it reads a paper-CSV cell,
how its answer is stored (an integer SQL can count, and/or a text), and how it scores.  Adding a
type means adding one class here; an instrument naming an unknown type fails when it is loaded,
never when a citizen opens the page.

Storage convention (what ``GROUP BY office, item, value`` sees):
- Likert: value 1..5, NULL = no answer (its own category, never a zero).
- yes / no / not applicable: 1 = yes, 0 = no, NULL = not applicable.
- count: the integer.  single choice: the 1-based option position, its key in ``text``.
- multiple choice: a bit per option (bit 0 = the first option), so one ``GROUP BY value``
  counts every combination and each option's count is a sum over them; the keys, space
  separated as XLSForm writes them, in ``text``.
- decimal: ``text`` only, the number as written without exponent (an integer column cannot
  hold it, and the answers table stays one shape).
- free text, date (ISO) and date-time: ``text`` only.  A note stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from wtforms import Field
from wtforms.validators import InputRequired, Optional

from ..i18n import _l

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
    #: what the analysis does with it: "likert", "binary", "count", "number", "choice",
    #: "multi" or "none"
    stat_kind: ClassVar[str] = "none"
    #: a scored instrument may give points to this type
    scorable: ClassVar[bool] = False
    #: whether it holds an answer at all (a note is only read)
    stores: ClassVar[bool] = True

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

    def from_csv(self, question: dict[str, Any], cell: str) -> str | list[str]:
        """A paper-questionnaire cell as what a browser would post (a list for several)."""
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


def requirement(required: bool) -> list:
    if required:
        return [InputRequired(message=_l("此題必須作答"))]
    return [Optional()]


def labels_of(label: dict[str, str] | str) -> tuple[str, ...]:
    """Every language's wording of a label, to recognise a paper cell written in any."""
    return tuple(v for v in label.values() if v) if isinstance(label, dict) else (label,)
