"""The semi-annual report: SQL count tables in, the report dictionary and its figures out.

This module is the seam between the database and ``analysis``: it asks ``aggregates`` for
counts, applies the instruments' scoring rules to counted values (which the analysis, knowing
nothing of instruments, cannot), and hands arrays to ``analysis.report``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

import numpy as np
from matplotlib.figure import Figure

from analysis import report as analysis_report
from analysis import report_charts
from analysis.periods import Period
from analysis.satisfaction import MAIN_ITEM
from forms.catalogue import REPORTED
from forms.instrument import Instrument, pick
from forms.scoring import bands_of
from forms.types import Stored, get_type
from webapp.cycle.calibration import services as calibrations
from webapp.cycle.cases import services as cases
from webapp.cycle.contacts import services as contacts
from webapp.platform.db import TAIPEI
from webapp.reporting import counts as aggregates
from webapp.reporting.reports import breakdowns
from webapp.reporting.reports import staff as staff_sections
from webapp.reporting.themes.section import comment_themes

REPORT_KEYS = REPORTED


class ReportError(ValueError):
    """A report that cannot be made, with a message for the analyst.

    ``empty``: the request was fine but there is nothing to report (no data, no office matches);
    otherwise the request itself is wrong (a malformed or misordered period).
    """

    def __init__(self, message: str, *, empty: bool = False):
        super().__init__(message)
        self.empty = empty


def parse_period(text: str | None, what: str = "期間") -> Period | None:
    """A half-year (the semi-annual report) or a quarter (quarterly inspections)."""
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as error:
        raise ReportError(f"{what}:{error}") from None


def thresholds(config: Mapping) -> dict:
    """``REPORT_MIN_N`` and ``INSPECTION_MIN_CHECKS`` as ``build``'s keyword arguments."""
    return {"min_n": int(config["REPORT_MIN_N"]),
            "min_checks": int(config["INSPECTION_MIN_CHECKS"]),
            "staff_min_n": int(config["STAFF_MIN_N"])}


def build(period: str, instrument: str = "all", compare_to: str | None = None,
          kind: str | None = None, codes: list[str] | None = None,
          locale: str = "zh_TW", *, min_n: int = analysis_report.DEFAULT_MIN_N,
          min_checks: int = analysis_report.DEFAULT_MIN_CHECKS,
          staff_min_n: int = staff_sections.DEFAULT_STAFF_MIN_N) -> dict:
    """The report for ``period``; raises ``ReportError`` when nothing can be reported.

    ``min_n`` (``REPORT_MIN_N``): respondents an office needs to be judged; ``min_checks``
    (``INSPECTION_MIN_CHECKS``): checks an office needs for a grade; ``staff_min_n``
    (``STAFF_MIN_N``): staff answers an office needs before its staff survey is shown.
    """
    current = parse_period(period)
    before = parse_period(compare_to, "比較期間")
    if current is None:
        raise ReportError("請指定期間，例如 2025H2")
    if before is not None and before.kind != current.kind:
        raise ReportError(f"比較期間（{before}）與報告期間（{current}）必須同為半年或同為季")
    if before is not None and not before < current:
        raise ReportError(f"比較期間（{before}）必須早於報告期間（{current}）")
    keys = REPORT_KEYS if instrument == "all" else (instrument,)
    if any(k not in REPORT_KEYS for k in keys):
        raise ReportError(f"instrument 應為 {'、'.join(REPORT_KEYS)} 或 all")
    offices = aggregates.offices(kind, codes)
    if not offices:
        raise ReportError("沒有符合條件的機關", empty=True)
    infos = [analysis_report.OfficeInfo(o.code, o.name, o.kind, o.name_en) for o in offices]
    ids = [o.id for o in offices]
    result = {
        "period": str(current), "period_label": current.label(locale),
        "compare_to": str(before) if before else None,
        "compare_label": before.label(locale) if before else None,
        "generated_at": datetime.now(TAIPEI).isoformat(timespec="seconds"),
        "locale": "en" if locale.startswith("en") else "zh_TW",
        "filter": {"kind": kind, "codes": codes or None, "offices": len(offices)},
        "instruments": {},
    }
    for key in keys:
        definition = aggregates.answered_on(key, str(current))   # the period's own version
        section = {"key": key, "title": pick(definition.definition["title"], locale),
                   "kind": definition.kind}
        try:
            if definition.kind == "survey":
                section |= survey_section(definition, current, before, infos, ids, locale,
                                          all_offices=not kind and not codes, min_n=min_n)
                section["summary"] = analysis_report.survey_summary(
                    section, locale, result["compare_label"])
            else:
                section |= inspection_section(definition, current, before, infos, ids, locale,
                                              min_checks=min_checks)
                section["comparability"] = comparability(key, str(current), ids)
                section["summary"] = analysis_report.inspection_summary(
                    section, section["title"], locale)
        except ValueError:
            section |= {"empty": True,
                        "message": f"{current.roc_label()}沒有{section['title']}的資料"}
        result["instruments"][key] = section
    if instrument == "all" and current.kind == "H":
        result["staff"] = staff_sections.staff_section(current, infos, ids, locale, staff_min_n)
    if all(s.get("empty") for s in result["instruments"].values()) and not result.get("staff"):
        raise ReportError(f"{current.roc_label()}({current})沒有任何資料，無法產生報告", empty=True)
    # 上次督導建議改進事項辦理情形: the cases opened in the previous half-year, as they stand
    before_half = current.previous() if current.kind == "H" else None
    standing = cases.followups(str(before_half), ids) if before_half else {}
    result["followups_period"] = str(before_half) if before_half else None
    result["followups"] = [{"code": o.code, "name": o.name, "name_en": o.name_en, **standing[o.id]}
                           for o in offices if standing.get(o.id, {}).get("opened")]
    if "satisfaction" in keys:   # 民眾抱怨處理: citizens' call-back requests on this period's answers
        asked = contacts.figures(current, ids)
        result["contact_cases"] = [{"code": o.code, "name": o.name, "name_en": o.name_en,
                                    **asked[o.id]} for o in offices if asked[o.id]["requests"]]
    result["summary"] = {
        "sentences": [sentence for s in result["instruments"].values()
                      for sentence in s.get("summary", {}).get("sentences", [])]
        + (result.get("staff") or {}).get("sentences", []),
        "by_instrument": {k: s["summary"] for k, s in result["instruments"].items()
                          if s.get("summary")},
    }
    return result


def comparability(key: str, period: str, ids: list[int]) -> dict:
    """How far one inspector's score can be compared with another's: the offices checked by
    several inspectors this period, beside the calibration's ICC(2,1) for the instrument.
    ``reading`` comes from the interval ("good", "poor to moderate", ...; the estimate's band
    when there is no interval)."""
    several = sum(1 for n in aggregates.inspectors_per_office(key, period, ids).values() if n > 1)
    found = calibrations.agreement(key)
    icc, reading = found.icc.icc, found.reading
    return {"offices_with_several_inspectors": several,
            "calibration_rounds": len(found.rounds), "icc": None if icc != icc else icc,
            "icc_ci": None if found.icc.low != found.icc.low else [found.icc.low, found.icc.high],
            "reading": reading.key if reading else None}


def trend_periods(current: Period, count: int = 6) -> list[Period]:
    """Up to ``count`` periods of ``current``'s kind that have data, oldest first, ending at it."""
    have = set(aggregates.periods_with_data(quarters=current.kind == "Q"))
    periods, period = [], current
    for _ in range(count):
        if str(period) in have:
            periods.insert(0, period)
        period = period.previous()
    return periods


def survey_section(instrument: Instrument, current: Period, before: Period | None,
                   infos: list, ids: list[int], locale: str, all_offices: bool = False,
                   min_n: int = analysis_report.DEFAULT_MIN_N) -> dict:
    half = str(current)
    items = instrument.likert_keys()
    labels = {k: pick(instrument.question(k)["label"], locale) for k in items}
    short = {k: pick(instrument.question(k).get("short", instrument.question(k)["label"]), locale)
             for k in items}
    now = aggregates.likert_counts(instrument.key, half, items, ids)
    previous = None
    compare_message = None
    if before is not None:
        then = aggregates.likert_counts(instrument.key, str(before), items, ids)
        if then.counts[MAIN_ITEM].sum() > 0:
            previous = (then.counts, then.no_answer)
        else:
            compare_message = f"{before.roc_label()}({before})沒有回答，無法與前期比較"
    scale = [k for k in items if k != MAIN_ITEM]
    alpha_sums = aggregates.likert_scale_sums(instrument.key, half, scale,
                                              None if all_offices else ids)
    section = analysis_report.likert_report(infos, now.counts, now.no_answer, short,
                                            previous=previous, alpha_sums=alpha_sums,
                                            min_n=min_n)
    periods = trend_periods(current)
    satisfied, answered = aggregates.satisfied_by_period(
        instrument.key, [str(p) for p in periods], MAIN_ITEM, ids)
    section["trend"] = analysis_report.trend_rows(
        infos, [str(p) for p in periods], [p.label(locale) for p in periods], satisfied,
        answered, min_n=min_n)
    section["breakdowns"] = breakdowns.breakdowns(instrument, half, ids, locale, min_n)
    breakdowns.add_comment_counts(section, instrument, half, ids, [o.code for o in infos])
    themes = comment_themes(instrument, current, before, infos, ids, locale, min_n)
    if themes is not None:
        section["comment_themes"] = themes
    section["item_label"] = short[MAIN_ITEM]
    section["item_question"] = labels[MAIN_ITEM]
    if compare_message:
        section["compare_message"] = compare_message
    return section


def inspection_section(instrument: Instrument, current: Period, before: Period | None,
                       infos: list, ids: list[int], locale: str,
                       min_checks: int = analysis_report.DEFAULT_MIN_CHECKS) -> dict:
    half = str(current)
    totals = aggregates.inspection_scores(instrument.key, half, ids)
    values = aggregates.inspection_item_values(instrument.key, half, ids)
    k = len(ids)
    sections, items = {}, {}
    for section in instrument.sections:
        earned, possible = np.zeros(k), np.zeros(k)
        for question in section["questions"]:
            if not question.get("points"):
                continue
            qtype = get_type(question["type"])
            passed, failed, not_applicable = np.zeros(k), np.zeros(k), np.zeros(k)
            for (value, choice), counts in values.get(question["key"], {}).items():
                score = qtype.score(question, Stored(value, choice))
                if score is None or not score.applies:
                    not_applicable += counts
                    continue
                earned += counts * score.earned
                possible += counts * score.possible
                if score.lost_points:
                    failed += counts
                else:
                    passed += counts
            items[question["key"]] = (pick(question["label"], locale), passed, failed,
                                      not_applicable)
        if possible.any() or any(q.get("points") for q in section["questions"]):
            sections[section["key"]] = (pick(section["title"], locale), earned, possible)
    tables = analysis_report.InspectionTables(totals.n, totals.total, totals.total_sq,
                                              sections, items)
    previous = None
    if before is not None:
        then = aggregates.inspection_scores(instrument.key, str(before), ids)
        previous = analysis_report.InspectionTables(then.n, then.total, then.total_sq, {}, {})
    result = analysis_report.inspection_report(
        infos, tables, bands_of(instrument), min_checks=min_checks, previous=previous,
        individual=aggregates.inspection_check_scores(instrument.key, half, ids))
    result["rolling_year"] = rolling_year(instrument, current, infos, ids, locale, min_checks)
    return result


def rolling_year(instrument: Instrument, current: Period, infos: list, ids: list[int],
                 locale: str, min_checks: int = analysis_report.DEFAULT_MIN_CHECKS) -> dict:
    """Grades over the year ending with ``current`` (its period and the earlier ones of its
    kind), for plans too thin to grade one period.  One ``inspection_scores`` query per period:
    each approved check lies in one period, so the periods' counts, sums and sums of squares
    add up to the year's (``analysis.report.rolling.pooled``)."""
    periods = analysis_report.year_ending(current)
    totals = [aggregates.inspection_scores(instrument.key, str(p), ids) for p in periods]
    return analysis_report.rolling_report(
        infos, periods, [(t.n, t.total, t.total_sq) for t in totals], bands_of(instrument),
        locale=locale, min_checks=min_checks)


def figures(report: dict) -> Iterator[tuple[str, Figure]]:
    """Every chart of the report as ``(<instrument>_<chart>, figure)``, drawn when asked for:
    render and close each before taking the next (``files``) to hold one at a time."""
    for key, section in report["instruments"].items():
        for name, figure in report_charts.figures(section, report["period_label"],
                                                  report.get("compare_label"),
                                                  report.get("locale", "zh_TW")):
            yield f"{key}_{name}", figure


def chart_names(report: dict) -> list[str]:
    """``<instrument>_<chart>`` for every chart the report may show."""
    return [f"{key}_{name}" for key, section in report["instruments"].items()
            for name in report_charts.chart_names(section, report.get("compare_label"))]


def figure(report: dict, full_name: str) -> Figure | None:
    """One chart, built now (``satisfaction_funnel``); None when the report has none such."""
    key, _, name = full_name.partition("_")
    section = report["instruments"].get(key)
    if section is None:
        return None
    return report_charts.chart(section, name, report["period_label"],
                               report.get("compare_label"), report.get("locale", "zh_TW"))
