"""The theme catalogue as data: which themes a comment can be about and the words that say so.

Like the instruments, the catalogue is a versioned JSON definition (``catalogue.json`` is the
shipped one) that analysts edit as a workbook and publish as a new version; a comment's coding
names the version it was read with.  Other tools read the theme keys (``wait``, ``attitude`` …),
so a version may add themes but never drop or rename the shipped ones.

Each theme lists its signals in three lists: ``complaint`` and ``praise`` say both the theme and
the tone (等太久, 很快), ``mention`` only the theme (排隊).  A signal starting ``re:`` is a
regular expression (等了一個小時 has too many spellings to list).  ``tone`` holds words that
carry a tone without a theme (謝謝, 很失望); ``negators`` turn a tone around (不會很久);
``wishes`` mark a suggestion, which praises nobody (希望更快); ``turns`` start a new clause
(但是); ``variants`` are typos and variant characters read as their standard form (態肚 → 態度).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

#: the shipped themes; other tools read these keys, so no version may drop one
REQUIRED_KEYS = ("wait", "attitude", "competence", "facilities", "guidance", "online",
                 "parking", "procedure")
TONES = ("complaint", "praise", "neutral")
SIGNAL_LISTS = ("complaint", "praise", "mention")
WORD_LISTS = ("negators", "degrees", "wishes", "turns")
LANGUAGES = ("zh_TW", "en")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
REGEX = "re:"
#: a group repeated by *, + or {n,}: (a|aa)+ backtracks exponentially on a citizen's comment,
#: inside the transaction that stores it, so a catalogue may not hold one
_REPEATED_GROUP = re.compile(r"(?<!\\)\)\s*[*+{]")


class CatalogueError(ValueError):
    """The definition is not a usable catalogue; ``problems`` says every reason, in Chinese
    and English (the caller picks), each with where it is."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.where}: {p.message['en']}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    where: str                 #: "themes[2].complaint" and the like
    message: dict[str, str]    #: {"zh_TW": …, "en": …}


@dataclass(frozen=True)
class Theme:
    key: str
    label: dict[str, str]
    signals: dict[str, tuple[str, ...]]   #: complaint / praise / mention → words


@dataclass(frozen=True)
class Catalogue:
    """A checked, immutable view of one catalogue version."""

    definition: dict[str, Any] = field(compare=False)
    themes: tuple[Theme, ...]

    @property
    def version(self) -> int:
        return int(self.definition.get("version", 0))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.themes)

    def theme(self, key: str) -> Theme:
        return next(t for t in self.themes if t.key == key)

    def words(self, name: str) -> tuple[str, ...]:
        return tuple(self.definition.get(name, ()))

    @property
    def tone_words(self) -> dict[str, tuple[str, ...]]:
        tone = self.definition.get("tone", {})
        return {t: tuple(tone.get(t, ())) for t in ("complaint", "praise")}

    @property
    def variants(self) -> dict[str, str]:
        return dict(self.definition.get("variants", {}))

    @cached_property
    def checksum(self) -> str:
        """Content hash without the version number: equal content means the same version."""
        body = {k: v for k, v in self.definition.items() if k != "version"}
        text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _problem(where: str, zh: str, en: str) -> Problem:
    return Problem(where, {"zh_TW": zh, "en": en})


def _word_list(value: Any, where: str, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        problems.append(_problem(where, "應為一串不空白的詞", "should be a list of non-blank words"))
        return ()
    for word in value:
        if word.startswith(REGEX):
            try:
                re.compile(word[len(REGEX):])
            except re.error as error:
                problems.append(_problem(where, f"「{word}」不是正確的規則運算式（{error}）",
                                         f"“{word}” is not a valid regular expression ({error})"))
            if _REPEATED_GROUP.search(word):
                problems.append(_problem(
                    where, f"「{word}」重複了整個括號群組：這種規則可能讓判讀變得極慢",
                    f"“{word}” repeats a whole group (like (…)+): such a pattern can make "
                    f"reading a comment take ages"))
    return tuple(dict.fromkeys(w.strip() for w in value))


def check(definition: dict[str, Any]) -> Catalogue:
    """The catalogue in ``definition``, or ``CatalogueError`` listing every problem."""
    problems: list[Problem] = []
    if not isinstance(definition, dict):
        raise CatalogueError([_problem("", "不是主題目錄", "not a theme catalogue")])
    themes: list[Theme] = []
    raw = definition.get("themes")
    if not isinstance(raw, list) or not raw:
        problems.append(_problem("themes", "至少要有一個主題", "needs at least one theme"))
        raw = []
    for n, item in enumerate(raw):
        where = f"themes[{n}]"
        if not isinstance(item, dict):
            problems.append(_problem(where, "主題格式不對", "a theme should be an object"))
            continue
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            problems.append(_problem(f"{where}.key", "代碼應為小寫英文字母開頭的英數字",
                                     "a key is lower-case letters, digits and _"))
            continue
        label = item.get("label")
        if not isinstance(label, dict) or not all(
                isinstance(label.get(lang), str) and label[lang].strip() for lang in LANGUAGES):
            problems.append(_problem(f"{where}.label", "中文與英文名稱都要填",
                                     "needs a Chinese and an English label"))
            label = {lang: key for lang in LANGUAGES}
        signals = {name: _word_list(item.get(name, []), f"{where}.{name}", problems)
                   for name in SIGNAL_LISTS}
        if not any(signals.values()):
            problems.append(_problem(where, f"主題「{key}」沒有任何詞", f"theme “{key}” has no words"))
        themes.append(Theme(key, dict(label), signals))
    keys = [t.key for t in themes]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(_problem("themes", f"主題代碼「{key}」重複", f"theme key “{key}” repeats"))
    for key in REQUIRED_KEYS:
        if raw and key not in keys:
            problems.append(_problem("themes", f"缺少主題「{key}」；其他工具會讀這個代碼，不能刪除或改名",
                                     f"theme “{key}” is missing; other tools read it, so it "
                                     f"cannot be removed or renamed"))
    tone = definition.get("tone", {})
    if not isinstance(tone, dict):
        problems.append(_problem("tone", "語氣詞格式不對", "tone should map complaint and praise to words"))
        tone = {}
    for name in ("complaint", "praise"):
        _word_list(tone.get(name, []), f"tone.{name}", problems)
    for name in WORD_LISTS:
        _word_list(definition.get(name, []), name, problems)
    variants = definition.get("variants", {})
    if not isinstance(variants, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) and v for k, v in variants.items()):
        problems.append(_problem("variants", "異體字應為「寫法 → 標準寫法」",
                                 "variants map a spelling to its standard form"))
    if problems:
        raise CatalogueError(problems)
    return Catalogue(definition, tuple(themes))


def load_default() -> Catalogue:
    text = resources.files(__package__).joinpath("catalogue.json").read_text(encoding="utf-8")
    return check(json.loads(text))
