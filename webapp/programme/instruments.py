"""Instrument versions in the database: publish a definition, find the current one, freeze old ones.

A definition is never edited in place.  Publishing content that differs from the latest version
stores a new version; submissions keep pointing at the version they were made with, so they
still display and count as they were filled.
"""

from __future__ import annotations

import copy
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import JSON, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from analysis.satisfaction import MAIN_ITEM
from forms import compat
from forms.builder import build_form
from forms.catalogue import CATALOGUE, SURVEYS
from forms.instrument import DEFAULT_KEYS, Instrument, check, load_default
from webapp.platform import audit
from webapp.platform.db import UTCDateTime, row_id, utcnow
from webapp.platform.extensions import db
from webapp.programme import themes


class InstrumentVersion(db.Model):
    """One frozen version of an instrument definition; submissions point here."""

    __tablename__ = "instrument_versions"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_instrument_versions_key_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    # Deferred: each process parses a version once (instruments.instrument_of) and then needs
    # only id and checksum; loading the whole JSON on every citizen's request cost a tenth of it.
    definition: Mapped[dict] = mapped_column(JSON, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def kept_keys(key: str) -> tuple[str, ...]:
    """The questions of ``key`` the reports, open data and API are built on, which no version
    may drop (``forms.compat``): a reported survey's main item."""
    entry = CATALOGUE.get(key)
    return (MAIN_ITEM,) if entry is not None and entry.reported and entry.kind == "survey" else ()


def breaks(definition: dict, locale: str = "zh_TW") -> list[compat.Break]:
    """What ``definition`` would change that the answers stored on the newest version (and the
    reports on them) cannot follow; empty when it may be published."""
    latest = latest_version(definition["key"])
    if latest is None:
        return []
    found = compat.breaks(latest.definition, definition, kept=kept_keys(definition["key"]),
                          locale=locale)
    # a key dropped by one version and brought back by a later one keeps its first type: the
    # answers of every version are read together (reporting.counts.answered_on)
    seen = {b.key for b in found}
    for row in db.session.scalars(select(InstrumentVersion).where(
            InstrumentVersion.key == definition["key"], InstrumentVersion.id != latest.id)
            .order_by(InstrumentVersion.version.desc())):
        for problem in compat.breaks(row.definition, definition, drops=False, locale=locale):
            if problem.key not in seen:
                seen.add(problem.key)
                found.append(problem)
    return found


def publish(definition: dict) -> InstrumentVersion:
    """Store ``definition`` as the newest version of its key unless the newest already equals it;
    ``compat.Incompatible`` when it would retype a question or drop one the reports read."""
    instrument = check(definition)
    latest = latest_version(instrument.key)
    if latest is not None and latest.checksum == instrument.checksum():
        return latest
    if found := breaks(definition):
        raise compat.Incompatible(found, key=instrument.key)
    number = 1 if latest is None else latest.version + 1
    frozen = copy.deepcopy(definition)
    frozen["version"] = number
    row = InstrumentVersion(key=instrument.key, version=number, definition=frozen,
                            checksum=check(frozen).checksum())
    db.session.add(row)
    db.session.flush()
    # in the same transaction: every path that publishes (sync, an upload) is logged
    audit.record("instrument_published", "instrument", row.id,
                 {"key": row.key, "version": number})
    db.session.commit()
    return row


def latest_version(key: str) -> InstrumentVersion | None:
    newest = select(func.max(InstrumentVersion.version)).where(InstrumentVersion.key == key)
    return db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.key == key, InstrumentVersion.version == newest.scalar_subquery()
        )
    )


def kind_refusal(definition: dict) -> str | None:
    """Why ``definition`` cannot be a version of its key by its kind, or ``None``: a shipped
    instrument keeps its kind, and a new key can only be a survey (an inspection needs plans,
    reviewers and a report, which only the shipped ones have)."""
    entry = CATALOGUE.get(definition["key"])
    if entry is not None and definition["kind"] != entry.kind:
        return _("問卷類別不能改變（%(key)s 是 %(kind)s）", key=entry.key, kind=entry.kind)
    if entry is None and definition["kind"] != "survey":
        return _("新的問卷只能是 survey；查核表需要排程與報告，只能修改現有的 %(keys)s",
                 keys="、".join(k for k, e in CATALOGUE.items() if e.kind == "inspection"))
    return None


def published_keys() -> list[str]:
    """Every instrument with a version: the shipped ones and those made from an XLSForm."""
    return list(db.session.scalars(select(InstrumentVersion.key).distinct().order_by(
        InstrumentVersion.key)))


def added_surveys() -> list[str]:
    """The surveys an administrator made from an XLSForm (not in ``forms.catalogue``): keyed
    on paper and exported like the shipped ones, never compared in the half-year report."""
    return [key for key in published_keys() if key not in CATALOGUE
            and instrument_of(latest_version(key)).kind == "survey"]


def fillable_surveys() -> list[str]:
    """The surveys paper questionnaires are keyed for: the shipped ones, then the added."""
    return [*SURVEYS, *added_surveys()]


class NotPublished(LookupError):
    """No version of this instrument has been published yet (``flask instruments sync``, or
    the administrator's 問卷版本 page, publishes the shipped ones)."""


def current(key: str) -> tuple[InstrumentVersion, Instrument]:
    """The version new submissions use: the newest published.  Asking never publishes one
    (reads never write); ``NotPublished`` when there is none."""
    row = latest_version(key)
    if row is None:
        raise NotPublished(key)
    return row, instrument_of(row)


def instrument_of(row: InstrumentVersion) -> Instrument:
    # Versions are immutable, so (id, checksum) names a definition for the process's lifetime;
    # the definition column is loaded only on a miss.
    key = (row.id, row.checksum)
    if key not in _CACHE:
        _CACHE[key] = check(row.definition)
    return _CACHE[key]


_CACHE: dict[tuple[int, str], Instrument] = {}


_FORMS: dict[tuple, type] = {}


def form_class(row: InstrumentVersion, locale: str, *, base: type,
               enforce_required: bool = True, office_kind: str | None = None) -> type:
    """The version's form class for a language (and the options offered at ``office_kind``),
    built once per process (versions never change): building a WTForms class per request was a
    tenth of a citizen's submission."""
    key = (row.id, row.checksum, locale, base, enforce_required, office_kind)
    if key not in _FORMS:
        _FORMS[key] = build_form(instrument_of(row), locale, base=base,
                                 enforce_required=enforce_required, office_kind=office_kind)
    return _FORMS[key]


def posted_version(key: str, posted_id: str | None) -> tuple[InstrumentVersion, Instrument]:
    """The version a posted page was rendered with (its ``version`` field), so a form open
    across an update stays valid; the current one when the page names none (or another
    instrument's)."""
    posted = row_id(posted_id or "")
    if posted is not None:
        row = db.session.get(InstrumentVersion, posted)
        if row is not None and row.key == key:
            return row, instrument_of(row)
    return current(key)


def sync_defaults() -> list[InstrumentVersion | compat.Incompatible]:
    """Publish the shipped instruments (a no-op for those unchanged since the last sync), and
    the theme catalogue their comments are read with.  A shipped definition the stored versions
    cannot follow (an admin's version added a scored item the shipped file lacks) is left
    unpublished and given back as its ``Incompatible``; the others are published all the same."""
    themes.sync_default()
    done: list[InstrumentVersion | compat.Incompatible] = []
    for key in DEFAULT_KEYS:
        try:
            done.append(publish(load_default(key).definition))
        except compat.Incompatible as refused:
            done.append(refused)
    return done
