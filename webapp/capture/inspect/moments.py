"""The checklist's 查核時間 as typed text: one rule that reads it, one field that uses the rule.

The browser's ``datetime-local`` input took seven tab stops in Chromium (one per part and the
picker) and drew no focus ring, so the time is a plain text box instead.  Inspectors type it
the way they write it -- ``2025-08-12 14:30``, ``2025/8/12 9:05``, full-width digits from a
Chinese input method, an ideographic space -- and the older pages, the tablet's backups and
its offline outbox send ``2025-08-12T14:30``; every one of those is read.  What cannot be read
is refused with what was typed and the expected shape, in the page's language, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from flask_babel import gettext as _
from wtforms import StringField

from analysis.periods import FIRST_YEAR, LAST_YEAR

#: the shape the field shows and the hint and every refusal name
EXAMPLE = "2025-08-12 14:30"
SHOWN = "%Y-%m-%d %H:%M"
# year, month, day with one separator ("-" or "/") used twice; then a space or a T; hour and
# minute (seconds, as an older page's datetime-local may send them, are read and dropped)
SHAPE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?: ?[Tt] ?| )(\d{1,2}):(\d{2})(?::(\d{2}))?",
                   re.ASCII)


class Unreadable(ValueError):
    """Typed text that is not a time of a check: ``why`` is ``shape`` (not year-month-day
    hour:minute), ``date`` (no such day or time, e.g. 2025-8-32 or 25:00) or ``year`` (outside
    the years a report can have a period for)."""

    def __init__(self, typed: str, why: str) -> None:
        super().__init__(f"{why}: {typed!r}")
        self.typed, self.why = typed, why


def normalised(text: str) -> str:
    """NFKC (full-width digits, colon, slash, hyphen and the ideographic space become ASCII),
    outer space dropped and inner runs of space made one."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def read_moment(text: str, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> datetime | None:
    """The naive (Taipei) minute ``text`` names; None when nothing was typed; ``Unreadable``
    otherwise.  Years run ``first``..``last``, those ``analysis.periods`` gives a period."""
    plain = normalised(text)
    if not plain:
        return None
    found = SHAPE.fullmatch(plain)
    if found is None:
        raise Unreadable(text, "shape")
    year, _sep, month, day, hour, minute, second = found.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second or 0))
    except ValueError:   # year 0000, month 13, day 32, 25 o'clock, minute 61
        raise Unreadable(text, "year" if int(year) < 1 else "date") from None
    if not first <= moment.year <= last:
        raise Unreadable(text, "year")
    return moment.replace(second=0)


def shown(text: str, room: int = 40) -> str:
    """What was typed, as a refusal quotes it: printable characters only, cut to ``room``."""
    text = "".join(c for c in text if c.isprintable())
    return text if len(text) <= room else text[:room - 1] + "…"


def refusal(error: Unreadable) -> str:
    """Why the typed time is refused, naming it and the shape wanted, in the page's language."""
    typed = shown(error.typed)
    if error.why == "year":
        return _("「%(typed)s」：時間應在 %(first)s 年之後，且不晚於明天；請檢查年份。",
                 typed=typed, first=FIRST_YEAR)
    if error.why == "date":
        return _("沒有「%(typed)s」這個日期或時刻；請依 %(example)s 的格式填寫（年-月-日 時:分）。",
                 typed=typed, example=EXAMPLE)
    return _("看不懂「%(typed)s」這個時間；請依 %(example)s 的格式填寫（年-月-日 時:分）。",
             typed=typed, example=EXAMPLE)


class MomentField(StringField):
    """A date and time in one text box (one tab stop): ``data`` is the naive Taipei minute read
    by ``read_moment``; the box shows it as ``2025-08-12 14:30``, or, when refused, exactly what
    was typed so it can be corrected.  ``description`` is the format hint the template shows
    and points the input's aria-describedby at.  No ``inputmode``: a phone's digits-only pad
    has no space, colon or hyphen to type the time with."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("render_kw", {"autocomplete": "off", "spellcheck": "false"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0]:
            return   # nothing posted: InputRequired says so
        try:
            self.data = read_moment(valuelist[0])
        except Unreadable as error:
            raise ValueError(refusal(error)) from None
        if self.data is None:   # only spaces: InputRequired let them through
            raise ValueError(_("請填寫查核日期與時間"))

    def _value(self) -> str:
        if self.data is not None:
            return self.data.strftime(SHOWN)
        return self.raw_data[0] if self.raw_data else ""
