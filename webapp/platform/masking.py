"""Masking personal data in what citizens typed, before anyone reads or exports it.

The survey never asks for a name or an ID, yet people write them into the comment box ("我的
身分證 A123456789，請回電 0912-345-678").  Every place that shows or exports a comment passes
it through :func:`mask` first; the stored text is left as typed, so a better rule later masks
old comments too.

Detection runs on a copy where full-width letters, digits and the few signs that matter
(＠ ＋ － （ ） ．) are folded to ASCII one character for one, so positions line up with the
original and only the matched spans change.  No Flask imports: the CLI, the web and the open
data use the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: what a masked span becomes, per kind; brackets people read as "something was here"
REPLACEMENTS = {
    "national_id": "〔已遮蔽身分證號〕",
    "email": "〔已遮蔽電子郵件〕",
    "phone": "〔已遮蔽電話〕",
}

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII block
_FOLD[0x3000] = 0x20  # ideographic space

# A letter and nine digits (the national ID and the 2021 resident certificate), or two letters
# and eight digits (the old resident certificate); spaces or hyphens typed between are allowed.
_ID = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z][ -]?\d(?:[ -]?\d){8}|[A-Za-z]{2}\d{8})(?![0-9])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Digit runs with the separators people type in phone numbers; judged by _looks_like_phone.
_DIGITS = re.compile(r"(?<![A-Za-z0-9.])\+?\(?\d[\d \-()/.]{5,}\d(?:\s?(?:#|分機|ext\.?)\s?\d{1,5})?(?!\d)")
_LOCAL = re.compile(r"\d{3,4}-\d{4}")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def _looks_like_phone(span: str) -> bool:
    """Taiwan numbers: domestic ones start with 0 (02-2345-6789, 0912 345 678), international
    ones with +886 / 886; a local number alone is written 2345-6789.  A date (2024-12-01,
    113/12/01) or an amount has neither shape."""
    digits = re.sub(r"\D", "", span.split("#")[0].split("分機")[0].split("ext")[0])
    head = span.lstrip("(+ ")
    if re.fullmatch(_LOCAL, span):
        return True
    if "/" in span and not head.startswith("0"):
        return False
    if head.startswith("886") or span.startswith("+"):
        return 10 <= len(digits) <= 13
    return head.startswith("0") and 9 <= len(digits) <= 11


def findings(text: str) -> list[Finding]:
    """The spans of personal data in ``text``, in order, never overlapping."""
    folded = text.translate(_FOLD)
    found: list[Finding] = []

    def free(start: int, end: int) -> bool:
        return all(end <= f.start or start >= f.end for f in found)

    for match in _ID.finditer(folded):
        found.append(Finding("national_id", match.start(), match.end()))
    for match in _EMAIL.finditer(folded):
        if free(match.start(), match.end()):
            found.append(Finding("email", match.start(), match.end()))
    for match in _DIGITS.finditer(folded):
        span = match.group().rstrip(" -./")
        if _looks_like_phone(span) and free(match.start(), match.start() + len(span)):
            found.append(Finding("phone", match.start(), match.start() + len(span)))
    return sorted(found, key=lambda f: f.start)


def mask(text: str | None) -> str | None:
    """``text`` with every national ID, e-mail address and phone number replaced by a label."""
    if not text:
        return text
    pieces, last = [], 0
    for finding in findings(text):
        pieces.append(text[last:finding.start])
        pieces.append(REPLACEMENTS[finding.kind])
        last = finding.end
    pieces.append(text[last:])
    return "".join(pieces)
