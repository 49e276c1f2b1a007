"""Questions that apply only when an earlier answer has a given value (XLSForm's ``relevant``).

A question or a whole section may carry ``"relevant": "${needs_transfer} = 'yes'"``.  The
expression language is the part of XLSForm's that a checklist needs: clauses
``${key} = 'value'``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` (numbers) and
``selected(${key}, 'value')`` (the value is among a multiple choice's answers), joined by
``and`` and ``or`` (``and`` binds tighter), no parentheses.  Values are what the form posts:
``yes``/``no``/``na``, ``1``..``5``, an option's key, a count.  Keeping the XLSForm text in
the JSON makes a spreadsheet round trip lossless.

Why it lives here and not in the page: the server decides what applies (an answer to a question
that does not apply is dropped, and it scores as not applicable, never as a failure), the page's
script only hides what the server would drop.  The two read the same expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .i18n import _

__all__ = ["Condition", "parse", "not_applicable", "check_references", "describe"]

_CLAUSE = re.compile(
    r"""\s*(?:
        \$\{(?P<key>[A-Za-z_]\w*)\}\s*(?P<op>!=|<=|>=|=|<|>)\s*(?P<literal>'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?)
      | selected\(\s*\$\{(?P<skey>[A-Za-z_]\w*)\}\s*,\s*(?P<sliteral>'[^']*'|"[^"]*")\s*\)
    )\s*""", re.VERBOSE)
_JOIN = re.compile(r"(and|or)\b\s*", re.IGNORECASE)
NUMERIC = ("<", "<=", ">", ">=")


@dataclass(frozen=True, slots=True)
class Clause:
    key: str
    op: str
    value: str

    def holds(self, answer: str) -> bool:
        if self.op == "selected":
            return self.value in answer.split()
        if self.op == "=":
            return answer == self.value
        if self.op == "!=":
            return answer != self.value
        try:
            left, right = float(answer), float(self.value)
        except ValueError:
            return False  # no answer (or not a number) satisfies no comparison
        return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[self.op]


@dataclass(frozen=True, slots=True)
class Condition:
    """Alternatives (``or``) of conjunctions (``and``) of clauses."""

    text: str
    alternatives: tuple[tuple[Clause, ...], ...]

    def holds(self, answer_of: Callable[[str], str]) -> bool:
        return any(all(c.holds(answer_of(c.key)) for c in group) for group in self.alternatives)


@lru_cache(maxsize=512)
def parse(text: str) -> Condition:
    """Parse a ``relevant`` expression; ``ValueError`` says where it stops making sense.
    Cached: every form check, score and record page reads the same few expressions."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("relevant must be a non-empty expression such as ${key} = 'yes'")
    position, groups, group = 0, [], []
    while True:
        match = _CLAUSE.match(text, position)
        if match is None:
            raise ValueError(f"relevant {text!r}: cannot read from {text[position:]!r}; "
                             "write ${key} = 'value', joined by and / or")
        if match["skey"]:
            group.append(Clause(match["skey"], "selected", match["sliteral"][1:-1]))
        else:
            literal = match["literal"]
            op = match["op"]
            quoted = literal[0] in "'\""
            if op in NUMERIC and quoted:
                raise ValueError(f"relevant {text!r}: {op} compares numbers, not {literal}")
            group.append(Clause(match["key"], op, literal[1:-1] if quoted else literal))
        position = match.end()
        if position == len(text):
            groups.append(tuple(group))
            return Condition(text, tuple(groups))
        join = _JOIN.match(text, position)
        if join is None:
            raise ValueError(f"relevant {text!r}: expected and / or before {text[position:]!r}")
        if join[1].lower() == "or":
            groups.append(tuple(group))
            group = []
        position = join.end()


def not_applicable(definition: dict[str, Any], answer_of: Callable[[str], str]) -> set[str]:
    """The keys of the questions that do not apply, given the answers so far.

    ``answer_of(key)`` is the answer as the form posts it, ``""`` for none.  A question that
    does not apply counts as unanswered for the conditions after it, so a chain of conditions
    (a section gated on a question that is itself gated) switches off as a whole.
    """
    skipped: set[str] = set()

    def answer(key: str) -> str:
        return "" if key in skipped else answer_of(key)

    for section in definition["sections"]:
        gate = section.get("relevant")
        section_applies = parse(gate).holds(answer) if gate else True
        for question in section["questions"]:
            own = question.get("relevant")
            if not section_applies or (own and not parse(own).holds(answer)):
                skipped.add(question["key"])
    return skipped


def check_references(definition: dict[str, Any], choices_of: Callable[[dict], Mapping | None],
                     conditional_kind: Callable[[dict], bool]) -> None:
    """Every condition parses and names an earlier question that can be compared, with a value
    that question can have: a typo fails when the instrument is loaded, not in the field."""
    earlier: dict[str, dict] = {}

    def check(where: str, name: str | None, text: str | None) -> None:
        if not text:
            return
        for clause in (c for group in parse(text).alternatives for c in group):
            source = earlier.get(clause.key)
            if source is None:
                raise ValueError(f"{where} {name!r}: relevant refers to {clause.key!r}, "
                                 "which is not an earlier question")
            if not conditional_kind(source):
                raise ValueError(f"{where} {name!r}: relevant cannot depend on "
                                 f"{clause.key!r} (type {source['type']})")
            choices = choices_of(source)
            if clause.value == "" and clause.op in ("=", "!="):
                continue   # XLSForm's "${x} != ''": answered (or not) at all
            if choices is not None and clause.op in ("=", "!=", "selected") and clause.value not in choices:
                raise ValueError(f"{where} {name!r}: {clause.key!r} has no value "
                                 f"{clause.value!r}; it has {sorted(choices)}")
            if choices is None and not _number(clause.value):
                raise ValueError(f"{where} {name!r}: {clause.key!r} is a number, "
                                 f"not {clause.value!r}")

    for section in definition["sections"]:
        check("section", section.get("key"), section.get("relevant"))
        for question in section["questions"]:
            check("question", question.get("key"), question.get("relevant"))
            earlier[question["key"]] = question


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _ops() -> dict[str, str]:
    return {"=": _("為"), "selected": _("包括"), "!=": _("不是"), "<": _("小於"), "<=": _("不大於"), ">": _("大於"),
            ">=": _("不小於")}


def describe(text: str, label_of: Callable[[str], str], value_label: Callable[[str, str], str]) -> str:
    """The condition as a sentence people read under the question: 僅在「需要轉接」為「是」時作答。"""
    ops = _ops()
    alternatives = []
    for group in parse(text).alternatives:
        parts = [_("「%(question)s」%(op)s「%(value)s」", question=label_of(c.key), op=ops[c.op],
                   value=value_label(c.key, c.value)) for c in group]
        alternatives.append(_("且").join(parts))
    return _("僅在%(condition)s時作答。", condition=_("或").join(alternatives))
