"""Staff lists paged, sorted and filtered by the database, not the browser.

An inspector's records, the review queue, the audit log and the accounts grow without bound, so
a list page reads one page of rows (``LIMIT``/``OFFSET`` after a ``COUNT``), in an order the user
picks from the column headers, narrowed by filters in the query string.  Every value from the
query string is checked against what may be chosen: a hand-edited URL gets a 400 that names the
bad value, never a 500 and never a silently different list.  Links keep the other filters, so a
filtered list can be bookmarked and paged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from flask import abort, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.sql import ColumnElement

from analysis.periods import FIRST_YEAR, LAST_YEAR, Period
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db

PER_PAGE = 25
SEARCH_LENGTH = 100
NOT_FILTERS = {"page", "sort", "lang", "forget"}
NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits only: '²'.isdigit() is true


@dataclass(frozen=True)
class Listing:
    """One page of a list and what the page needs to draw its headers and pager."""

    rows: list
    page: int
    pages: int
    total: int
    per_page: int
    sort: str  # the column key, with a leading "-" when descending
    default: str = ""  # the order the list has when none is asked for

    @property
    def reordered(self) -> bool:
        """Whether the order was asked for (the filter box then stays open to show it)."""
        return self.sort != self.default

    @property
    def filtered(self) -> int:
        """How many filters the query string applies (paging and order are not filters)."""
        return sum(1 for k, v in request.args.items() if v and k not in NOT_FILTERS)

    @property
    def first(self) -> int:
        """The number of the page's first row, counting from 1."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def url(self, **changes: Any) -> str:
        """This list with ``changes`` to its query string (``None`` drops a key)."""
        args = request.args.to_dict() | changes
        args = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def sorted_by(self, key: str) -> str | None:
        """``ascending``/``descending`` for the column the list is sorted by, as aria-sort."""
        if self.sort.lstrip("-") != key:
            return None
        return "descending" if self.sort.startswith("-") else "ascending"

    def sort_url(self, key: str) -> str:
        """Sorting by ``key``: a second click on the same header reverses it, back to page 1."""
        flipped = key if self.sort == f"-{key}" else f"-{key}" if self.sort == key else key
        return self.url(sort=flipped, page=None)


def choice(name: str, allowed: Iterable[str], what: str) -> str | None:
    """A filter picked from a list; blank means all, anything not on the list is a 400."""
    value = request.args.get(name) or None
    if value is not None and value not in set(allowed):
        abort(400, description=_("%(what)s「%(value)s」不在可選的項目中", what=what, value=value[:50]))
    return value


def period(name: str = "period", default: str | None = None, kind: str | None = None
           ) -> Period | None:
    """A period from the query string (``2025H2``, ``2025q3``), or ``default`` when there is
    none; a malformed one, a year outside the programme's, or a quarter where only half-years
    are offered (``kind="H"``) is the request's fault: 400, the same words on every page."""
    text = request.args.get(name) or default
    if text is None:
        return None
    try:
        found = Period.parse(text)
    except ValueError:
        shaped = Period.is_shaped(text)
        abort(400, description=_("期間的年份應在 %(first)s 到 %(last)s 之間，收到：%(value)s",
                                 first=FIRST_YEAR, last=LAST_YEAR, value=str(text)[:20])
              if shaped else _("期間格式應為 2025H2 或 2025Q3，收到：%(value)s", value=str(text)[:20]))
    if kind is not None and found.kind != kind:
        abort(400, description=_("只能選半年期，例如 2025H2；收到：%(value)s", value=str(text)[:20]))
    return found


def day(name: str, end: bool = False) -> datetime | None:
    """A date filter as the start (or the end) of that day in Taipei; a malformed or absurd
    date (0001-01-01) is the request's fault: 400."""
    text = request.args.get(name) or None
    if text is None:
        return None
    try:
        found = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        abort(400, description=_("日期格式應為 YYYY-MM-DD，例如 2025-07-01。"))
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        abort(400, description=_("日期應在 %(first)s 到 %(last)s 年之間。", first=FIRST_YEAR,
                                 last=LAST_YEAR))
    return datetime.combine(found, time.max if end else time.min, TAIPEI)


def between(query: Select, column, start: str = "from", end: str = "to") -> Select:
    """``query`` narrowed to the dates the ``from`` and ``to`` filters give, both inclusive."""
    if (low := day(start)) is not None:
        query = query.where(column >= low)
    if (high := day(end, end=True)) is not None:
        query = query.where(column <= high)
    return query


def search(query: Select, *columns) -> Select:
    """Free text (``q``) found anywhere in any of ``columns``, ignoring case."""
    text = (request.args.get("q") or "").strip()[:SEARCH_LENGTH]
    if not text:
        return query
    # LIKE's own wildcards in what was typed are searched for as themselves
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return query.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))


def page(query: Select, sorts: Mapping[str, ColumnElement | tuple], default: str,
         tiebreak: ColumnElement, per_page: int = PER_PAGE) -> Listing:
    """One page of ``query`` sorted as asked (``sort=office`` or ``sort=-office``), with
    ``tiebreak`` last so that rows never swap between pages.  Past the last page shows the last."""
    sort = request.args.get("sort") or default
    if sort.lstrip("-") not in sorts:
        abort(400, description=_("無法依「%(value)s」排序", value=sort[:50]))
    number = request.args.get("page") or "1"
    if not NUMBER.fullmatch(number) or int(number) < 1:
        abort(400, description=_("頁碼應為正整數"))
    columns = sorts[sort.lstrip("-")]
    columns = columns if isinstance(columns, tuple) else (columns,)
    descending = sort.startswith("-")
    order = [c.desc() if descending else c.asc() for c in columns]
    order.append(tiebreak.desc() if descending else tiebreak.asc())
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    current = min(int(number), pages)
    rows = db.session.scalars(query.order_by(*order).limit(per_page)
                              .offset((current - 1) * per_page)).all()
    return Listing(list(rows), current, pages, total, per_page, sort, default)
