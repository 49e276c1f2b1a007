"""What changes between two versions of an instrument, in the words of the people who check it.

Before an admin publishes an edited workbook they see which items were added, removed,
reworded or reweighted, and which settings (title, grade bands, threshold) changed; a new
version changes what offices are scored on, so nothing is published unseen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .instrument import canonical_json, pick

#: what a change to a question's field is called
WORDING = ("label", "short", "unit", "options")
WEIGHT = ("points", "bands")


@dataclass
class Change:
    key: str
    label: str
    details: list[str] = field(default_factory=list)


@dataclass
class Diff:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    reworded: list[Change] = field(default_factory=list)
    reweighted: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)     # type, required, condition, section
    settings: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.reworded, self.reweighted, self.other,
                        self.settings))


def _questions(definition: Mapping[str, Any]) -> dict[str, tuple[str, dict]]:
    return {q["key"]: (s["key"], q) for s in definition["sections"] for q in s["questions"]}


def _shown(value: Any, locale: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) <= {"zh_TW", "en"}:
        return pick(value, locale)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return canonical_json(value)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    return canonical_json(a) == canonical_json(b)


def _changed(was: Mapping[str, Any], now: Mapping[str, Any], names, locale: str) -> list[str]:
    """``name: before → after`` for each of ``names`` that differs."""
    return [f"{name}: {_shown(was.get(name), locale)} → {_shown(now.get(name), locale)}"
            for name in names if not _same(was.get(name), now.get(name))]


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any], locale: str = "zh_TW") -> Diff:
    """The changes from ``before`` (the current version, ``None`` for a new instrument)."""
    diff = Diff()
    old = _questions(before) if before else {}
    new = _questions(after)
    for key, (_section, question) in new.items():
        if key not in old:
            diff.added.append(Change(key, pick(question["label"], locale)))
    for key, (_section, question) in old.items():
        if key not in new:
            diff.removed.append(Change(key, pick(question["label"], locale)))
    for key, (section, question) in new.items():
        if key not in old:
            continue
        was_section, was = old[key]
        label = pick(question["label"], locale)
        for group, names in ((diff.reworded, WORDING), (diff.reweighted, WEIGHT)):
            if details := _changed(was, question, names, locale):
                group.append(Change(key, label, details))
        rest = sorted((set(was) | set(question)) - set(WORDING) - set(WEIGHT) - {"key"})
        details = _changed(was, question, rest, locale)
        if was_section != section:
            details.insert(0, f"section: {was_section} → {section}")
        if details:
            diff.other.append(Change(key, label, details))
    if before:
        names = sorted((set(before) | set(after)) - {"sections", "version", "key"})
        for name in names:
            if not _same(before.get(name), after.get(name)):
                diff.settings.append(Change(name, name, [
                    f"{_shown(before.get(name), locale)} → {_shown(after.get(name), locale)}"]))
        titles = {s["key"]: s.get("title") for s in before["sections"]}
        for section in after["sections"]:
            if section["key"] in titles and not _same(titles[section["key"]], section.get("title")):
                diff.settings.append(Change(section["key"], pick(section.get("title", ""), locale), [
                    f"{_shown(titles[section['key']], locale)} → {_shown(section.get('title'), locale)}"]))
    return diff
