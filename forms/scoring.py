"""Scoring an inspector's checklist: points per item, N/A out of the denominator, rescaled to 100.

The phone-courtesy and mystery-shopper instruments give each item points; an item answered
"not applicable" is removed from both the points earned and the points possible, so an office
is not punished for a situation that did not arise.  Sections report their own percentage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .instrument import Instrument
from .types import Stored, get_type

#: (lowest score, grade) in descending order: 優等 >=90, 甲 80-89, 乙 70-79, 丙 60-69, 丁 <60.
DEFAULT_BANDS: tuple[tuple[float, str], ...] = (
    (90.0, "優等"), (80.0, "甲"), (70.0, "乙"), (60.0, "丙"), (0.0, "丁"),
)


@dataclass(frozen=True, slots=True)
class SectionScore:
    key: str
    earned: float
    possible: float

    @property
    def percent(self) -> float | None:
        return None if self.possible == 0 else 100.0 * self.earned / self.possible


@dataclass(frozen=True, slots=True)
class Result:
    """The score of one submission; ``score`` is ``None`` when every item was N/A."""

    score: float | None
    grade: str | None
    sections: tuple[SectionScore, ...]
    earned: float
    possible: float


def grade_for(score: float | None, bands: Sequence[Sequence] = DEFAULT_BANDS) -> str | None:
    if score is None:
        return None
    for lowest, label in sorted(bands, key=lambda b: -float(b[0])):
        if score >= float(lowest) - 1e-9:
            return label
    return None


def bands_of(instrument: Instrument) -> tuple[tuple[float, str], ...]:
    bands = instrument.definition.get("grade_bands")
    return tuple((float(b[0]), str(b[1])) for b in bands) if bands else DEFAULT_BANDS


def lost_points(instrument: Instrument, answers: Mapping[str, Stored | None]) -> list[dict]:
    """The questions ``answers`` lost points on (those that do not apply lose none), in the
    instrument's order."""
    skipped = instrument.not_applicable_stored(answers)
    lost = []
    for question in instrument.questions():
        if question["key"] in skipped:
            continue
        result = get_type(question["type"]).score(question, answers.get(question["key"]))
        if result is not None and result.lost_points:
            lost.append(question)
    return lost


def score(instrument: Instrument, answers: Mapping[str, Stored | None]) -> Result:
    """Score ``answers`` (question key → stored answer) against ``instrument``."""
    sections = []
    skipped = instrument.not_applicable_stored(answers)  # not applicable: out of both sums
    for section in instrument.sections:
        earned = possible = 0.0
        for question in section["questions"]:
            if question["key"] in skipped:
                continue
            result = get_type(question["type"]).score(question, answers.get(question["key"]))
            if result is not None:
                earned += result.earned
                possible += result.possible
        sections.append(SectionScore(section["key"], earned, possible))
    earned = sum(s.earned for s in sections)
    possible = sum(s.possible for s in sections)
    total = None if possible == 0 else round(100.0 * earned / possible, 2)
    return Result(total, grade_for(total, bands_of(instrument)), tuple(sections), earned, possible)
