"""Reading a comment into themes and a tone, offline and explainably.

The comment (already masked: the coding never sees an ID, phone or e-mail) is normalised --
full-width letters folded, Simplified characters and Taiwanese variants made standard by OpenCC,
the catalogue's typos read as meant -- and segmented by jieba.  jieba's shipped dictionary is
Simplified, so it segments a Simplified copy of the same length; only the word boundaries are
taken from it.  A catalogue signal counts where it starts and ends on a word boundary, so 很快
is found in 很快就好 but not in 很快樂, and 等 never in 等等.

Then, clause by clause (split at punctuation and at turns such as 但是):
- a signal preceded by a negator, perhaps with a degree word between (不會很久, 不太親切, 沒有
  不耐煩), has its tone turned around;
- in a clause that wishes (希望, 建議) praise is only a mention: a suggestion praises nobody;
- a longer signal wins over one of its theme inside it, over a tone word and over a mention
  (不專業 over 專業, 停車很方便 over 方便, 等候區 is a place, not waiting); a complaint or
  praise of another theme inside it still counts.
A comment is a complaint when any clause complains, so it can be followed up even when it also
praises; praise when it praises and complains of nothing; neutral otherwise.  Each theme found
keeps its own tone and the words that signalled it, shown to analysts as the reason.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from analysis.themes.catalogue import REGEX, Catalogue

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
#: where a clause ends; turns (但是 …) end one too
_STOPS = set("，。！？；：、～…（）「」『』") | set(",.!?;:~()/\n\r")
_LOCK = threading.Lock()
#: what is read of a comment: the survey takes 500 characters; a longer text (a paper form
#: keyed in without the limit) is read for its beginning only, so reading stays quick
MAX_CHARACTERS = 2000
#: catalogues kept ready per process: the current one and a few previewed ones
KEPT = 4
_TOOLS: dict[str, object] = {}


def _tools():
    """jieba's tokenizer and OpenCC's converters, made once per process (loading jieba's
    dictionary takes a second; its cache is kept in the temporary directory)."""
    with _LOCK:
        if not _TOOLS:
            import jieba
            import opencc

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            # jieba trusts the dictionary cache it finds; keep ours in a folder of our own user
            # rather than the shared /tmp/jieba.cache anyone (or another jieba) could write
            folder = Path(tempfile.gettempdir()) / f"service-quality-jieba-{os.getuid()}"
            folder.mkdir(mode=0o700, exist_ok=True)
            tokenizer.tmp_dir = str(folder)
            tokenizer.initialize()
            _TOOLS.update(tokenizer=tokenizer, to_traditional=opencc.OpenCC("s2tw"),
                          to_simplified=opencc.OpenCC("tw2s"))
    return _TOOLS["tokenizer"], _TOOLS["to_traditional"], _TOOLS["to_simplified"]


@dataclass(frozen=True)
class Mention:
    tone: str                     #: complaint, praise or neutral
    words: tuple[str, ...]        #: as written after normalising, negator included (不會很久)


@dataclass(frozen=True)
class Coding:
    themes: dict[str, Mention]
    tone: str
    words: tuple[str, ...]        #: the words that set the tone without a theme (謝謝, 很失望)

    def as_json(self) -> dict:
        return {"themes": {k: {"tone": m.tone, "words": list(m.words)} for k, m in self.themes.items()},
                "tone": self.tone, "words": list(self.words)}


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    theme: str | None     #: None for a tone word
    kind: str             #: complaint, praise or mention
    shown_from: int       #: where the shown words start (the negator's start when negated)


class _Words:
    """The words of ``text`` by jieba, on a Simplified copy where that keeps the positions."""

    def __init__(self, text: str) -> None:
        tokenizer, _, to_simplified = _tools()
        simplified = to_simplified.convert(text)
        self.source = simplified if len(simplified) == len(text) else text
        self.freq = tokenizer.FREQ
        self.spans: list[tuple[int, int]] = []
        self.owner: list[int] = []          #: the word each character is in
        for word in tokenizer.cut(self.source, HMM=False):
            at = self.spans[-1][1] if self.spans else 0
            self.owner += [len(self.spans)] * len(word)
            self.spans.append((at, at + len(word)))

    def _splits(self, at: int) -> bool:
        """``at`` is between words: at a word's edge, or where a word is two words of two
        characters or more (謝謝|你們 in 謝謝你們, but not 第一|線 in 第一線)."""
        if at in (0, len(self.owner)):
            return True
        s, e = self.spans[self.owner[at]]
        return s == at or all(len(p) >= 2 and self.freq.get(p, 0) > 0
                              for p in (self.source[s:at], self.source[at:e]))

    def starts_word(self, at: int) -> bool:
        return at < len(self.owner) and self._splits(at)

    def ends_word(self, at: int) -> bool:
        return self._splits(at)


def _found(text: str, signal: str) -> Iterator[tuple[int, int]]:
    if signal.startswith(REGEX):
        for match in re.finditer(signal[len(REGEX):], text):
            if match.end() > match.start():
                yield match.start(), match.end()
        return
    start = text.find(signal)
    while start >= 0:
        yield start, start + len(signal)
        start = text.find(signal, start + 1)


class _Prepared:
    """A catalogue made ready to match: its variants as one pattern, its signals and word
    lists normalised once."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.variants = catalogue.variants
        self.pattern = re.compile("|".join(
            re.escape(v) for v in sorted(self.variants, key=len, reverse=True))) \
            if self.variants else None

        def norm(word: str) -> str:
            return word if word.startswith(REGEX) else self.normalise(word)

        self.signals = [(norm(w), t.key, kind) for t in catalogue.themes
                        for kind, words in t.signals.items() for w in words]
        self.signals += [(norm(w), None, kind) for kind, words in catalogue.tone_words.items()
                         for w in words]
        self.words = {name: {norm(w) for w in catalogue.words(name)}
                      for name in ("negators", "degrees", "wishes", "turns")}

    def normalise(self, text: str) -> str:
        """Full-width letters folded, lower case, Taiwan's standard characters, typos mended."""
        _tokenizer, to_traditional, _ = _tools()
        standard = to_traditional.convert(text.translate(_FOLD).lower())
        if self.pattern is None:
            return standard
        return self.pattern.sub(lambda m: self.variants[m.group()], standard)

    @classmethod
    def of(cls, catalogue: Catalogue) -> _Prepared:
        if catalogue.checksum not in _PREPARED:
            if len(_PREPARED) >= KEPT:   # previews come and go: keep the cache small
                _PREPARED.clear()
            _PREPARED[catalogue.checksum] = cls(catalogue)
        return _PREPARED[catalogue.checksum]


_PREPARED: dict[str, _Prepared] = {}


def code(text: str | None, catalogue: Catalogue) -> Coding:
    """The themes and tone of one (masked) comment."""
    if not text or not text.strip():
        return Coding({}, "neutral", ())
    ready = _Prepared.of(catalogue)
    norm = ready.normalise(text[:MAX_CHARACTERS])
    words = _Words(norm)
    # the clause of every character: a new clause after a stop sign and at a turn (但是)
    clause_of: list[int] = []
    clause = 0
    for s, e in words.spans:
        piece = norm[s:e]
        if piece in ready.words["turns"]:
            clause += 1
        clause_of += [clause] * (e - s)
        if not piece.strip() or set(piece) <= _STOPS:
            clause += 1
    candidates = [(s, e, theme, kind) for signal, theme, kind in ready.signals
                  for s, e in _found(norm, signal)
                  if words.starts_word(s) and words.ends_word(e)]
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))   # longest first
    kept: list[tuple[int, int, str | None, str]] = []
    for s, e, theme, kind in candidates:   # inside a longer one of its theme, or a tone word
        if not any(ks <= s and e <= ke and (ke - ks) > (e - s)
                   and (theme in (kt, None) or kind == "mention") for ks, ke, kt, _kind in kept):
            kept.append((s, e, theme, kind))
    wishing = {clause_of[s] for s, e in words.spans if norm[s:e] in ready.words["wishes"]}
    matches = [_negated(norm, words, clause_of, ready.words, m) for m in kept]

    def kind_of(m: _Match) -> str:
        return "mention" if m.kind == "praise" and clause_of[m.start] in wishing else m.kind

    clause_tone: dict[int, set[str]] = {}
    for m in matches:
        clause_tone.setdefault(clause_of[m.start], set()).add(kind_of(m))
    themes: dict[str, Mention] = {}
    for theme in dict.fromkeys(m.theme for m in sorted(matches, key=lambda m: m.start) if m.theme):
        own = [m for m in matches if m.theme == theme]
        tones = {kind_of(m) for m in own} - {"mention"}
        if not tones:   # a mention takes its clause's tone: 停車 … 很方便
            tones = set().union(*(clause_tone[clause_of[m.start]] for m in own))
        themes[theme] = Mention(strongest(tones), _shown(norm, own))
    tone = strongest(set().union(*clause_tone.values()) if clause_tone else set())
    return Coding(themes, tone, _shown(norm, [m for m in matches if m.theme is None]))


def _negated(norm: str, words: _Words, clause_of: list[int], lists: dict[str, set[str]],
             match: tuple[int, int, str | None, str]) -> _Match:
    """The match with its tone turned around when a negator stands before it in its clause,
    perhaps with up to two degree words between (不是很親切)."""
    s, e, theme, kind = match
    if kind == "mention" or s == 0:
        return _Match(s, e, theme, kind, s)
    index, skipped = words.owner[s - 1], 0
    while index >= 0:
        ws, we = words.spans[index]
        if clause_of[ws] != clause_of[s]:
            break
        piece = norm[ws:we]
        if piece in lists["negators"]:
            return _Match(s, e, theme, "praise" if kind == "complaint" else "complaint", ws)
        if piece not in lists["degrees"] or skipped == 2:
            break
        skipped, index = skipped + 1, index - 1
    return _Match(s, e, theme, kind, s)


def strongest(tones: set[str]) -> str:
    """Complaint over praise over neutral: how tones combine, in a comment and across comments."""
    return next((t for t in ("complaint", "praise") if t in tones), "neutral")


def _shown(norm: str, matches: list[_Match]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(norm[m.shown_from:m.end] for m in sorted(matches, key=lambda m: m.start)))
