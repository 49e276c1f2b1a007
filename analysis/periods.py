"""Half-years and quarters, written ``2025H2`` / ``2025Q3`` in URLs and shown in the ROC calendar.

Offices report per half-year (Jan-Jun in July, Jul-Dec in January) and some inspections run per
quarter, so a submission carries both.  The ROC year is the Gregorian year minus 1911.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_PATTERN = re.compile(r"^(\d{4})(H[12]|Q[1-4])$")
ROC_OFFSET = 1911
#: The years a period may name: the programme's records begin after 2000, and a year far ahead
#: is a typing mistake (9999H2), not a plan.
FIRST_YEAR, LAST_YEAR = 2000, 2099


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A half-year (``kind == "H"``) or a quarter (``kind == "Q"``) of a Gregorian year."""

    year: int
    kind: str
    index: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2025H2`` or ``2025Q3``; raise ``ValueError`` with a usable message otherwise."""
        match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
        if not match:
            raise ValueError(f"期間格式應為 2025H2 或 2025Q3,收到：{text!r}")
        year, part = int(match.group(1)), match.group(2)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"期間的年份應在 {FIRST_YEAR} 到 {LAST_YEAR} 之間，收到：{year}")
        return cls(year, part[0], int(part[1]))

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Whether ``text`` names a period ``parse`` accepts (stored data may hold odd ones)."""
        try:
            cls.parse(text)  # type: ignore[arg-type]
        except ValueError:
            return False
        return True

    @classmethod
    def half_of(cls, moment: date | datetime) -> Period:
        return cls(moment.year, "H", 1 if moment.month <= 6 else 2)

    @classmethod
    def quarter_of(cls, moment: date | datetime) -> Period:
        return cls(moment.year, "Q", (moment.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}{self.kind}{self.index}"

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
