"""Periods in the database and in URLs: a column type and a URL converter for
``analysis.periods.Period``, the one value type (read, refused and labelled there).

A period column gives back a ``Period`` (a ``str`` that knows its year, kind and label), or the
text as stored when a row holds an odd one (a year typed as 0999 before dates were checked):
such a row is left out of period lists and breaks no page.  ``<period:name>`` in a route takes
only a well-formed period in range; anything else is no page (404).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, TypeDecorator
from werkzeug.routing import BaseConverter, ValidationError

from analysis.periods import Period


class PeriodType(TypeDecorator):
    """``2025H2`` / ``2025Q3`` in a ``VARCHAR(6)``, a ``Period`` in Python."""

    impl = String(6)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Period | str | None:
        if value is None or not Period.is_valid(value):
            return value
        return Period(value)

    @property
    def python_type(self) -> type:
        return Period


class PeriodConverter(BaseConverter):
    """``<period:period>``: a half-year or quarter in the programme's years, as a ``Period``."""

    regex = r"\d{4}(?:[Hh][12]|[Qq][1-4])"

    def to_python(self, value: str) -> Period:
        try:
            return Period.parse(value)
        except ValueError:
            raise ValidationError() from None

    def to_url(self, value: Any) -> str:
        return str(value)
