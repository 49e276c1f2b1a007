"""Instruments as data: a versioned JSON definition, checked once when it is loaded.

An instrument is a dict (the JSON file's content) with ``key``, ``version``, ``kind``
(``survey`` or ``inspection``), a bilingual ``title``, optional ``grade_bands`` and ``sections``,
each holding ``questions``.  Submissions point at the exact version they were made with, so a
definition is never edited in place: a change is a new version (see ``webapp.instruments``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from importlib import resources
from typing import Any

from . import conditions
from .catalogue import KEYS
from .types import Stored, decimal_text, get_type

KINDS = ("survey", "inspection")
#: the kinds of office an option can be limited to (``office_kinds`` on an option)
OFFICE_KINDS = ("household", "land")
DEFAULT_KEYS = KEYS  # the shipped instruments (``forms.catalogue``)


@dataclass(frozen=True)
class Instrument:
    """A checked, immutable view of one instrument version."""

    definition: dict[str, Any]

    @property
    def key(self) -> str:
        return self.definition["key"]

    @property
    def version(self) -> int:
        return self.definition["version"]

    @property
    def kind(self) -> str:
        return self.definition["kind"]

    @property
    def scored(self) -> bool:
        return bool(self.definition.get("scored"))

    @property
    def sections(self) -> list[dict[str, Any]]:
        return self.definition["sections"]

    def questions(self) -> Iterator[dict[str, Any]]:
        for section in self.sections:
            yield from section["questions"]

    def question(self, key: str) -> dict[str, Any]:
        for question in self.questions():
            if question["key"] == key:
                return question
        raise KeyError(key)

    def keys(self) -> list[str]:
        """The keys of the questions that hold answers (a note holds none)."""
        return [q["key"] for q in self.answered()]

    def answered(self) -> Iterator[dict[str, Any]]:
        """The questions that hold answers: what exports, paper sheets and records list."""
        return (q for q in self.questions() if get_type(q["type"]).stores)

    def likert_keys(self) -> list[str]:
        return [q["key"] for q in self.questions() if get_type(q["type"]).stat_kind == "likert"]

    def text_keys(self) -> list[str]:
        """The free-text questions: on a survey, what people wrote (the comments)."""
        return [q["key"] for q in self.questions() if q["type"] == "text"]

    @cached_property
    def conditional(self) -> bool:
        """Whether any section or question applies only under a condition."""
        return any(s.get("relevant") for s in self.sections) or any(
            q.get("relevant") for q in self.questions())

    def not_applicable(self, answer_of) -> set[str]:
        """Keys of the questions that do not apply; ``answer_of(key)`` gives the answer as the
        form posts it ("" for none).  See :mod:`forms.conditions`."""
        return conditions.not_applicable(self.definition, answer_of) if self.conditional else set()

    def not_applicable_stored(self, answers: Mapping[str, Stored | None]) -> set[str]:
        """The same for stored answers (scoring, a record page, a paper row)."""
        def answer_of(key: str) -> str:
            stored = answers.get(key)
            if stored is None:
                return ""
            question = self.question(key)
            return answer_text(get_type(question["type"]).to_form_value(question, stored))
        return self.not_applicable(answer_of)

    def describe_condition(self, text: str, locale: str) -> str:
        """A ``relevant`` expression as the sentence shown under its question."""
        def value_label(key: str, value: str) -> str:
            question = self.question(key)
            labels = get_type(question["type"]).choice_labels(question)
            return pick(labels[value], locale) if labels and value in labels else value
        return conditions.describe(text, lambda key: pick(self.question(key)["label"], locale),
                                   value_label)

    def checksum(self) -> str:
        """Content hash without the version number: equal content means the same version."""
        body = {k: v for k, v in self.definition.items() if k != "version"}
        return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def answer_text(data: Any) -> str:
    """An answer as conditions read it (a form's data, or a stored answer back as one): several
    chosen keys space separated, as XLSForm writes them; a decimal as stored (2.50 as 2.5)."""
    if data is None:
        return ""
    if isinstance(data, Decimal):
        return decimal_text(data)
    return " ".join(map(str, data)) if isinstance(data, list | tuple) else str(data)


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def check(definition: dict[str, Any]) -> Instrument:
    """Validate a definition; raise ``ValueError`` naming the first problem found."""
    for field in ("key", "version", "kind", "title", "sections"):
        if field not in definition:
            raise ValueError(f"instrument is missing {field!r}")
    if definition["kind"] not in KINDS:
        raise ValueError(f"instrument kind must be one of {KINDS}")
    if not isinstance(definition["version"], int) or definition["version"] < 1:
        raise ValueError("instrument version must be a positive integer")
    threshold = definition.get("improvement_threshold")
    if threshold is not None and (not isinstance(threshold, int | float) or not 0 <= threshold <= 100):
        raise ValueError("improvement_threshold must be a score between 0 and 100")
    for band in definition.get("grade_bands") or ():
        if (not isinstance(band, list | tuple) or len(band) != 2 or not isinstance(band[0], int | float)
                or not str(band[1]).strip()):
            raise ValueError("grade_bands must be [lowest score, grade] pairs")
    seen: set[str] = set()
    for section in definition["sections"]:
        if not section.get("key") or not section.get("questions"):
            raise ValueError("every section needs a key and at least one question")
        for question in section["questions"]:
            key = question.get("key", "")
            if not key.isidentifier() or key in seen or key.startswith("_"):
                raise ValueError(f"question key {key!r} is not a unique identifier")
            seen.add(key)
            if "label" not in question:
                raise ValueError(f"question {key!r} has no label")
            qtype = get_type(question.get("type", ""))
            qtype.check_definition(question)
            for option in question.get("options") or ():
                kinds = option.get("office_kinds")
                if kinds is not None and (not isinstance(kinds, list) or not kinds
                                          or not set(kinds) <= set(OFFICE_KINDS)):
                    raise ValueError(f"question {key!r}: office_kinds must list some of {OFFICE_KINDS}")
            if question.get("points") and not qtype.scorable:
                raise ValueError(f"question {key!r}: type {qtype.name} cannot carry points")
    conditions.check_references(
        definition, choices_of=lambda q: get_type(q["type"]).choice_labels(q),
        conditional_kind=lambda q: get_type(q["type"]).stat_kind != "none")
    return Instrument(definition)


def load_default(key: str) -> Instrument:
    """The instrument shipped with the code, in forms/instruments/KEY.json."""
    text = resources.files("forms").joinpath("instruments", f"{key}.json").read_text("utf-8")
    return check(json.loads(text))


def pick(label: dict[str, str] | str, locale: str) -> str:
    """A label in ``locale`` (``zh_TW`` or ``en``), falling back to Traditional Chinese."""
    if isinstance(label, str):
        return label
    lang = "en" if locale.startswith("en") else "zh_TW"
    return label.get(lang) or label.get("zh_TW") or next(iter(label.values()), "")
