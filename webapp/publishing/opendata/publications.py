"""A period's results as open data: built from the count tables, suppressed, then frozen; and
read back as rows (the open-data files and ``/api/v1/results`` show the same rows).

What is published, per half-year: for the citizen survey, per office and Likert item, n, the
answers per level, the satisfaction rate with its Wilson interval, and the mean (withheld
below ``OPEN_DATA_MIN_N`` respondents, with complementary suppression: ``analysis.opendata``);
for each inspection, per office, the approved checks, their mean score and grades; per office
and theme, how many commenters mention it (``themes``, withheld below ``OPEN_DATA_MIN_N``
commenters).  Nothing below the office: no comment's text, no time, no channel, no inspector.  Only half-years are
published: a quarter beside its half-year would give the other quarter by subtraction.

For the same reason a correction may not differ from any earlier version of its period, in any
cell, by fewer than ``OPEN_DATA_MIN_N`` respondents (``analysis.opendata.small_changes``): the
two files subtracted would give those few people's answers.  Each version keeps, unpublished, the
counts it was built from (``basis``) so a later correction can be judged against them.  Answers
that arrive after a period was published (paper keyed in late, a counter tablet's kept answers)
are stored and counted in the reports at once; a published version never changes, and the
publish page says by how many respondents the counts have moved since, for the next correction
to pick up once it is big enough.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Integer, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from analysis import opendata
from analysis.periods import Period
from forms.scoring import bands_of
from webapp.capture.records import INSPECTION_KEYS
from webapp.platform import audit
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.periods import PeriodType
from webapp.programme.accounts import User
from webapp.publishing.opendata import themes as opendata_themes
from webapp.reporting import counts as aggregates
from webapp.reporting import rollups


class Publication(db.Model):
    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("period", "version", name="uq_publications_period_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[Period] = mapped_column(PeriodType, index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    #: {"min_n", "survey": [rows], "inspections": {key: [rows]}, "offices": [...], ...}
    data: Mapped[dict] = mapped_column(JSON)
    #: never published: {item: {office code or "ALL": [answers per level]}}, the counts this
    #: version was built from, withheld cells included (None for versions before 0018)
    basis: Mapped[dict | None] = mapped_column(JSON)

    published_by: Mapped[User | None] = relationship()


SURVEY = "satisfaction"
#: the columns of the published survey rows, and the fixed ones of the inspection rows (the
#: grade columns, one per grade name, go before ``suppressed``)
SURVEY_COLUMNS = ("period", "instrument", "office_code", "office_name", "office_kind", "item",
                  "item_label", "n", "level_1", "level_2", "level_3", "level_4", "level_5",
                  "satisfied_rate", "wilson_low", "wilson_high", "mean", "suppressed")
INSPECTION_COLUMNS = ("period", "instrument", "office_code", "office_name", "office_kind",
                      "checks", "mean_score")


class PublishError(ValueError):
    """Why a period cannot be published (now), in the user's language."""


def publishable() -> list[str]:
    """Ended half-years with survey or inspection data, newest first."""
    halves = set(aggregates.periods_with_data(SURVEY))
    for key in INSPECTION_KEYS:
        halves |= set(aggregates.periods_with_data(key))
    return sorted((p for p in halves if rollups.closed(p)), reverse=True)


def _labels(question: dict) -> dict:
    label = question.get("short") or question["label"]
    return {"zh_TW": label.get("zh_TW", ""), "en": label.get("en", "")}


def _basis(codes: list[str], counts: dict) -> dict:
    return {item: {**{code: [int(v) for v in row] for code, row in zip(codes, table, strict=True)},
                   opendata.ALL: [int(v) for v in table.sum(axis=0)]}
            for item, table in counts.items()}


def build(period: str) -> tuple[dict, dict]:
    """The de-identified tables of ``period``, as they would be published now, and the counts
    they were built from (the ``basis`` kept beside them, never published)."""
    config = current_app.config
    offices = aggregates.offices()
    ids, codes = [o.id for o in offices], [o.code for o in offices]
    survey = aggregates.answered_on(SURVEY, period)   # the period's own version
    items = survey.likert_keys()
    counts = aggregates.likert_counts(SURVEY, period, items, ids)
    cells = opendata.survey_cells(codes, counts.counts, config["OPEN_DATA_MIN_N"])
    basis = _basis(codes, counts.counts)
    inspections = {}
    for key in INSPECTION_KEYS:
        instrument = aggregates.answered_on(key, period)
        totals = aggregates.inspection_scores(key, period, ids)
        grades = aggregates.inspection_grades(key, period, ids)
        names = [name for _low, name in sorted(bands_of(instrument), reverse=True)]
        names += sorted({g for found in grades for g in found} - set(names))
        found = opendata.inspection_cells(codes, totals.n, totals.total, grades,
                                          config["OPEN_DATA_MIN_CHECKS"])
        inspections[key] = {"title": instrument.definition["title"], "grades": names,
                            "rows": [c.as_row(names) for c in found]}
    themes, theme_basis = opendata_themes.build(period, offices, config["OPEN_DATA_MIN_N"])
    return {"period": period, "min_n": config["OPEN_DATA_MIN_N"],
            "min_checks": config["OPEN_DATA_MIN_CHECKS"],
            "offices": [{"code": o.code, "name": o.name, "name_en": o.name_en, "kind": o.kind,
                         "city": o.city} for o in offices],
            "survey": {"title": survey.definition["title"],
                       "items": {k: _labels(survey.question(k)) for k in items},
                       "rows": [c.as_row() for c in cells]},
            "inspections": inspections, "themes": themes}, basis | theme_basis


def log_until(publication: Publication) -> list:
    """The correction log as it stood when ``publication`` came out: its version and those
    before it (a file of version 1 never mentions version 2)."""
    return [p for p in correction_logs(publication.period).get(publication.period, [])
            if p.version <= publication.version]


def latest(period: str, version: int | None = None) -> Publication | None:
    query = select(Publication).where(Publication.period == period)
    if version is not None:
        return db.session.scalar(query.where(Publication.version == version))
    return db.session.scalar(query.order_by(Publication.version.desc()).limit(1))


def correction_logs(period: str | None = None) -> dict[str, list]:
    """Every published period's correction log (period, version, published_at, note), newest
    period first, or only ``period``'s, in one query that leaves the frozen data behind: a
    period's snapshot can be megabytes, and a list of versions needs none of it."""
    query = select(Publication.period, Publication.version, Publication.published_at,
                   Publication.note).order_by(Publication.period.desc(), Publication.version)
    if period is not None:
        query = query.where(Publication.period == period)
    logs: dict[str, list] = {}
    for row in db.session.execute(query):
        logs.setdefault(row.period, []).append(row)
    return logs


def publish(period: str, note: str | None, user: User | None) -> Publication:
    """Freeze ``period`` as its next version.  A correction (any version after the first)
    needs a note; a version that would change nothing is refused.  The caller commits."""
    if not Period.is_valid(period) or Period.parse(period).kind != "H":
        raise PublishError(_("只能發布半年期，例如 2025H2。"))
    if not rollups.closed(period):
        raise PublishError(_("%(period)s 尚未結束，結束後才能發布。", period=period))
    note = (note or "").strip() or None
    previous = latest(period)
    if previous is not None and not note:
        raise PublishError(_("這個期間已發布過；更正時請說明修改了什麼、為什麼修改。"))
    data, basis = build(period)
    if previous is not None and previous.data == data:
        raise PublishError(_("資料與第 %(version)s 版相同，不需要再發布。", version=previous.version))
    _refuse_small_corrections(period, data, basis)
    number = (db.session.scalar(select(func.max(Publication.version))
                                .where(Publication.period == period)) or 0) + 1
    publication = Publication(period=period, version=number, note=note, data=data, basis=basis,
                              published_by_id=user.id if user else None)
    db.session.add(publication)
    db.session.flush()
    audit.record("published", "publication", publication.id,
                 {"period": period, "version": number, "note": note})
    return publication


def basis_of(publication: Publication) -> dict:
    """The counts ``publication`` was built from; for a version from before they were kept,
    its published cells (a withheld cell was never out, so there is nothing to subtract)."""
    if publication.basis is not None:
        return publication.basis
    basis: dict[str, dict] = {}
    for row in publication.data["survey"]["rows"]:
        if not row.get("suppressed") and row.get("n") is not None:
            basis.setdefault(row["item"], {})[row["office_code"]] = [
                row[f"level_{level}"] for level in range(1, 6)]
    return basis


def _refuse_small_corrections(period: str, data: dict, basis: dict) -> None:
    """Refuse a version that differs from an earlier one of ``period`` by fewer than ``min_n``
    respondents in some cell, naming the cells and how many it takes."""
    min_n = data["min_n"]
    names = {o["code"]: o["name"] for o in data["offices"]}
    items = data["survey"]["items"] | {f"theme:{key}": label for key, label
                                       in (data.get("themes") or {}).get("labels", {}).items()}
    for earlier in db.session.scalars(select(Publication).where(Publication.period == period)
                                      .order_by(Publication.version)):
        before = basis_of(earlier)
        # theme cells only where both versions have them: a version from before themes were
        # published, or before a theme was added, published none of them to subtract from
        themes = {k for k in before.keys() | basis.keys() if k.startswith("theme:")}
        both = themes & before.keys() & basis.keys()
        found = opendata.small_changes(
            {k: v for k, v in before.items() if k not in themes or k in both},
            {k: v for k, v in basis.items() if k not in themes or k in both}, min_n)
        if not found:
            continue
        shown = "、".join(
            _("%(office)s「%(item)s」差 %(n)s 人",
              office=names.get(office, _("全部機關")),
              item=items.get(item, {}).get("zh_TW", item), n=moved)
            for item, office, moved in found[:3])
        raise PublishError(_(
            "這次更正與第 %(version)s 版相比，%(cells)s%(more)s：兩版相減就能得知這幾位民眾的"
            "作答，因此不能發布。請待同一格累積到至少 %(min_n)s 人的更正（或補登）後再發布。",
            version=earlier.version, cells=shown,
            more=_("等 %(n)s 格", n=len(found)) if len(found) > 3 else "", min_n=min_n))


def changed_since(publication: Publication) -> int:
    """How many respondents the survey counts of ``publication``'s period have moved by since it
    came out, in the cell that moved most (late paper forms, a counter tablet's kept answers):
    what the next correction would publish, and whether it is yet big enough to."""
    offices = aggregates.offices()
    survey = aggregates.answered_on(SURVEY, publication.period)
    now = _basis([o.code for o in offices], aggregates.likert_counts(
        SURVEY, publication.period, survey.likert_keys(), [o.id for o in offices]).counts)
    before = basis_of(publication)
    return max((opendata.changed_respondents(before.get(item, {}).get(office, [0] * 5), levels)
                for item, cells in now.items() for office, levels in cells.items()), default=0)


def _offices(data: dict) -> dict[str, dict]:
    return {o["code"]: o for o in data["offices"]}


def survey_rows(publication: Publication) -> list[dict]:
    data, offices = publication.data, _offices(publication.data)
    items = data["survey"]["items"]
    rows = []
    for row in data["survey"]["rows"]:
        office = offices.get(row["office_code"], {})
        rows.append({"period": data["period"], "instrument": "satisfaction",
                     "office_code": row["office_code"],
                     "office_name": office.get("name", "全部機關"), "office_kind": office.get("kind", ""),
                     "item": row["item"], "item_label": items[row["item"]]["zh_TW"],
                     **{k: row[k] for k in SURVEY_COLUMNS if k in row and k not in ("office_code", "item")}})
    return rows


def inspection_rows(publication: Publication) -> tuple[list[str], list[dict]]:
    data, offices = publication.data, _offices(publication.data)
    grades: list[str] = []
    for section in data["inspections"].values():
        grades += [g for g in section["grades"] if g not in grades]
    rows = []
    for key, section in data["inspections"].items():
        for row in section["rows"]:
            office = offices.get(row["office_code"], {})
            rows.append({"period": data["period"], "instrument": key,
                         "office_code": row["office_code"], "office_name": office.get("name", ""),
                         "office_kind": office.get("kind", ""), "checks": row["checks"],
                         "mean_score": row["mean_score"],
                         **{f"grade_{g}": row.get(f"grade_{g}") for g in grades},
                         "suppressed": row["suppressed"]})
    columns = [*INSPECTION_COLUMNS, *[f"grade_{g}" for g in grades], "suppressed"]
    return columns, rows
