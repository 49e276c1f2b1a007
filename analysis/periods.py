"""Half-years and quarters, written ``2025H2`` / ``2025Q3`` in URLs and shown in the ROC calendar.

Offices report per half-year (Jan-Jun in July, Jul-Dec in January) and some inspections run per
quarter, so a submission carries both.  The ROC year is the Gregorian year minus 1911.

A ``Period`` is its own text: a ``str`` (``"2025H2"``) that knows its year, kind and neighbours.
So it goes into SQL, JSON, a URL or a dict key as it is, compares equal to the text it was read
from, and sorts in time order within a kind (the year has four digits).  This is the one place
a period is read, refused and labelled; the web app adds a column type and a URL converter on top
(``webapp.platform.periods``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

_PATTERN = re.compile(r"^(\d{4})(H[12]|Q[1-4])$")
ROC_OFFSET = 1911
#: The years a period may name: the programme's records begin after 2000, and a year far ahead
#: is a typing mistake (9999H2), not a plan.
FIRST_YEAR, LAST_YEAR = 2000, 2099
FORMAT_MESSAGE = "期間格式應為 2025H2 或 2025Q3，收到：{text!r}"


class Period(str):
    """A half-year (``kind == "H"``) or a quarter (``kind == "Q"``) of a Gregorian year."""

    __slots__ = ()

    def __new__(cls, year: int | str, kind: str | None = None, index: int | None = None):
        """``Period(2025, "H", 2)``, or ``Period("2025H2")`` for text already checked
        (``parse`` is the way to read what people typed)."""
        text = year if kind is None else f"{int(year):04d}{kind}{index}"
        if not isinstance(text, str) or not _PATTERN.match(text):
            raise ValueError(FORMAT_MESSAGE.format(text=text))
        return super().__new__(cls, text)

    @classmethod
    def parse(cls, text: object) -> Period:
        """Read ``2025H2`` or ``2025q3``; raise ``ValueError`` with a usable message otherwise,
        the same message wherever a period is typed (a URL, a form, the command line)."""
        match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
        if not match:
            raise ValueError(FORMAT_MESSAGE.format(text=text))
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"期間的年份應在 {FIRST_YEAR} 到 {LAST_YEAR} 之間，收到：{year}")
        return cls(match.group(0))

    @classmethod
    def is_shaped(cls, text: object) -> bool:
        """Whether ``text`` is written like a period (``2025H2``), whatever its year."""
        return isinstance(text, str) and bool(_PATTERN.match(text.strip().upper()))

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether ``text`` names a period ``parse`` accepts (stored data may hold odd ones)."""
        try:
            cls.parse(text)
        except ValueError:
            return False
        return True

    @classmethod
    def half_of(cls, moment: date | datetime) -> Period:
        return cls(moment.year, "H", 1 if moment.month <= 6 else 2)

    @classmethod
    def quarter_of(cls, moment: date | datetime) -> Period:
        return cls(moment.year, "Q", (moment.month - 1) // 3 + 1)

    @property
    def year(self) -> int:
        return int(self[:4])

    @property
    def kind(self) -> str:
        return self[4]

    @property
    def index(self) -> int:
        return int(self[5])

    def __repr__(self) -> str:
        return f"Period({str(self)!r})"

    @property
    def roc_year(self) -> int:
        return self.year - ROC_OFFSET

    def roc_label(self) -> str:
        """``114年下半年`` / ``114年第3季``: how offices write periods."""
        if self.kind == "H":
            return f"{self.roc_year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.roc_year}年第{self.index}季"

    def english_label(self) -> str:
        if self.kind == "H":
            return f"{self.year} H{self.index} (ROC {self.roc_year})"
        return f"{self.year} Q{self.index} (ROC {self.roc_year})"

    def label(self, locale: str) -> str:
        """The period as a reader of ``locale`` writes it (English, else the ROC calendar)."""
        return self.english_label() if locale.startswith("en") else self.roc_label()

    def start(self) -> date:
        months = 6 if self.kind == "H" else 3
        return date(self.year, (self.index - 1) * months + 1, 1)

    def end(self) -> date:
        """First day after the period (exclusive bound for SQL ranges)."""
        return self.next().start()

    def next(self) -> Period:
        last = 2 if self.kind == "H" else 4
        if self.index == last:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.index + 1)

    def previous(self) -> Period:
        last = 2 if self.kind == "H" else 4
        if self.index == 1:
            return Period(self.year - 1, self.kind, last)
        return Period(self.year, self.kind, self.index - 1)

    def contains(self, moment: date | datetime) -> bool:
        day = moment.date() if isinstance(moment, datetime) else moment
        return self.start() <= day < self.end()


def label(text: object, locale: str) -> str:
    """Any period, as read from stored data: its label, or the text as it is when it names no
    period (an odd period already stored never breaks a page)."""
    if isinstance(text, Period):
        return text.label(locale)
    return Period.parse(text).label(locale) if Period.is_valid(text) else str(text or "")
