"""The report's figures, drawn from the report dictionary (never from rows or the database).

Only offices the report judges (``reportable``) are drawn among the comparisons; a change is
coloured only where it survived the adjustment for looking at every office.  An office's
scorecard draws its own few charts from the same sections (:func:`office_chart`): the office
among the others, highlighted, and its own trend.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import numpy as np
from matplotlib.figure import Figure

from . import charts, funnel
from .charts import words
from .charts.words import t
from .periods import Period

LEVELS = ["非常不滿意", "不滿意", "普通", "滿意", "非常滿意"]
#: A chart with a row per office shows at most this many: the highest and the lowest half
#: each.  Four hundred rows are unreadable and cost seconds to draw; the tables and
#: report.json keep every office.
MAX_ROWS = 40
NAME_WIDTH = 40   # characters of an English office name per line in a chart
MAX_PANELS = 24


def _short(period: str) -> str:
    """``2025H2`` -> ``114下``, ``2025Q3`` -> ``114Q3``: a tick label that fits a small panel."""
    found = Period.parse(period)
    if words.english():
        return f"{found.year % 100:02d}{found.kind}{found.index}"     # 26H1
    if found.kind == "H":
        return f"{found.roc_year}{'上' if found.index == 1 else '下'}"
    return f"{found.roc_year}Q{found.index}"


def _capped(total: int, shown: int) -> str:
    """What a title adds when a chart shows only some offices."""
    return "" if shown >= total else t("（{total} 個機關中最高與最低各 {n} 個）", total=total,
                                       n=shown // 2)


def _names(rows: list[dict]) -> list[str]:
    """Offices by the name the chart's reader reads: the English one where there is one."""
    if not words.english():
        return [r["name"] for r in rows]
    # "Datong District Household Registration Office, Taipei City": two lines, not one
    return [textwrap.fill(r.get("name_en") or r["name"], NAME_WIDTH) for r in rows]


def _ends(rows: list[dict], key: str, limit: int = MAX_ROWS) -> list[dict]:
    """All rows when they fit, else the ``limit // 2`` highest and lowest by ``key``."""
    if len(rows) <= limit:
        return rows
    ranked = sorted((r for r in rows if r.get(key) is not None), key=lambda r: r[key])
    keep = {id(r) for r in ranked[: limit // 2] + ranked[-(limit // 2):]}
    return [r for r in rows if id(r) in keep]


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _survey_rows(section: dict) -> list[dict]:
    return [r for r in section["offices"] if r["reportable"]]


# Each chart is two steps: ``select`` picks what it would draw from the section (None: nothing,
# so the page shows no empty frame), ``draw`` draws it.  The page lists only charts whose
# selection is not None, and a chart is drawn only when its image is asked for.


def _funnel_select(section: dict, compare_label=None):
    rows, shape = _survey_rows(section), section.get("funnel")
    return rows if shape and rows else None


def _funnel_draw(section: dict, rows: list[dict], title: str, period_label: str, compare_label):
    shape = section["funnel"]
    n = np.array([r["n"] for r in rows], dtype=float)
    grid = np.linspace(max(1.0, n.min() * 0.8), n.max() * 1.08, 120)
    limits = funnel.control_limits(shape["target"], shape["tau2"] or 0.0, grid,
                                   tuple(shape["levels"]))
    return charts.funnel_plot(
        _names(rows), [r["satisfied_rate"] for r in rows], n,
        target=shape["target"], grid=grid, limits=limits,
        outside=[r["funnel"]["outside"] for r in rows],
        alert=[r["funnel"]["alert"] for r in rows],
        title=t("{period} {title}:{item}", period=period_label, title=title,
                item=section["item_label"]))


def _offices_select(section: dict, compare_label=None):
    every = _survey_rows(section)
    return (every, _ends(every, "satisfied_rate")) if every else None


def _likert_draw(section: dict, picked, title: str, period_label: str, compare_label):
    every, rows = picked
    return charts.likert_diverging(
        _names(rows), [r["distribution"] for r in rows], [t(level) for level in LEVELS],
        title=t("{period} {item} 回答分布{capped}", period=period_label,
                item=section["item_label"], capped=_capped(len(every), len(rows))))


def _heatmap_draw(section: dict, picked, title: str, period_label: str, compare_label):
    every, rows = picked
    return charts.heatmap(
        _names(rows), [i["label"] for i in section["items"]],
        [[_nan(i["by_office"].get(r["code"])) for i in section["items"]] for r in rows],
        title=t("{period} 各題滿意度{capped}", period=period_label,
                capped=_capped(len(every), len(rows))),
        value_label=t("滿意度（%）"), as_percent=True)


def _themes_select(section: dict, compare_label=None):
    """Offices with enough commenters to show a share, in the funnel's order."""
    themes = section.get("comment_themes")
    if not themes:
        return None
    every = [o for o in themes["offices"] if o["reportable"]]
    return (every, every[:MAX_ROWS]) if every else None


def _themes_draw(section: dict, picked, title: str, period_label: str, compare_label):
    every, rows = picked
    labels = [th["label"] for th in section["comment_themes"]["themes"]]
    return charts.heatmap(
        _names(rows), labels, [[_nan(th["share"]) for th in r["themes"]] for r in rows],
        title=t("{period} 民眾意見提到的主題{capped}", period=period_label,
                capped=_capped(len(every), len(rows))),
        value_label=t("提到的比例（%）"), as_percent=True)


def _change_select(section: dict, compare_label=None):
    every = [c for c in section.get("change", []) if c["reportable"]]
    return (every, _ends(every, "diff")) if every and compare_label else None


def _change_draw(section: dict, picked, title: str, period_label: str, compare_label):
    every, change = picked
    return charts.dumbbell(
        _names(change), [_nan(c["before_rate"]) for c in change],
        [_nan(c["after_rate"]) for c in change], before_label=compare_label,
        after_label=period_label,
        title=t("{item} 滿意度變化{capped}", item=section["item_label"],
                capped=_capped(len(every), len(change))),
        value_label=t("滿意度（%）"), as_percent=True, sort_by="change",
        direction=[c["direction"] for c in change])


def _moved(trend: dict) -> float:
    rates = [p["rate"] for p in trend["points"] if p["rate"] is not None]
    return max(rates) - min(rates) if rates else 0.0


def _trend_select(section: dict, compare_label=None):
    trend = section.get("trend") or []
    if not trend or len(trend[0]["points"]) < 2:
        return None
    shown = [t for t in trend if any(p["rate"] is not None for p in t["points"])]
    if len(shown) > MAX_PANELS:  # the offices that moved most
        shown = sorted(shown, key=_moved, reverse=True)[:MAX_PANELS]
    return shown or None


def _trend_draw(section: dict, shown: list[dict], title: str, period_label: str, compare_label):
    return charts.trend_panels(
        _names(shown), [_short(p["period"]) for p in shown[0]["points"]],
        [[_nan(p["rate"]) for p in row["points"]] for row in shown],
        title=t("{item} 近期趨勢", item=section["item_label"]))


def _scores_select(section: dict, compare_label=None):
    every = [r for r in section["offices"] if r["checks"] > 0]
    return (every, _ends(every, "score_mean")) if every and section.get("scored", True) else None


def _scores_draw(section: dict, picked, title: str, period_label: str, compare_label):
    every, rows = picked
    return charts.inspector_scores(
        _names(rows), [r["score_mean"] for r in rows],
        bands=[(low, t(name)) for low, name in section["bands"]], n=[r["checks"] for r in rows],
        low=[_nan(r["score_ci"][0]) for r in rows], high=[_nan(r["score_ci"][1]) for r in rows],
        title=t("{period} {title} 平均分數{capped}", period=period_label, title=title,
                capped=_capped(len(every), len(rows))))


def _missed_select(section: dict, compare_label=None):
    return [i for i in section["items"] if i["n"] > 0] or None


def _missed_draw(section: dict, items: list[dict], title: str, period_label: str, compare_label):
    return charts.most_missed(
        [i["label"] for i in items], [i["failure_rate"] for i in items],
        [i["n"] for i in items], title=t("{period} {title} 最常缺失的項目", period=period_label,
                                         title=title))


#: The charts of each kind of section, in page order: (select, draw) for each.
CHARTS = {
    "survey": {"funnel": (_funnel_select, _funnel_draw),
               "likert": (_offices_select, _likert_draw),
               "heatmap": (_offices_select, _heatmap_draw),
               "themes": (_themes_select, _themes_draw),
               "change": (_change_select, _change_draw),
               "trend": (_trend_select, _trend_draw)},
    "inspection": {"scores": (_scores_select, _scores_draw),
                   "missed": (_missed_select, _missed_draw)},
}


def chart_names(section: dict, compare_label: str | None = None) -> list[str]:
    """The charts this section has something to draw for, in page order (cheap: nothing is
    drawn)."""
    if section.get("empty"):
        return []
    return [name for name, (select, _draw) in CHARTS.get(section.get("kind"), {}).items()
            if select(section, compare_label) is not None]


def chart(section: dict, name: str, period_label: str, compare_label: str | None = None,
          locale: str = "zh_TW") -> Figure | None:
    """One chart of a section, built now, its words in ``locale``; None if the section has no
    such chart or no data."""
    with words.language(locale):
        return _chart(section, name, period_label, compare_label)


def _chart(section: dict, name: str, period_label: str, compare_label: str | None
           ) -> Figure | None:
    found = CHARTS.get(section.get("kind"), {}).get(name)
    if found is None or section.get("empty"):
        return None
    select, draw = found
    picked = select(section, compare_label)
    if picked is None:
        return None
    return draw(section, picked, section["title"], period_label, compare_label)


def figures(section: dict, period_label: str, compare_label: str | None = None,
            locale: str = "zh_TW") -> Iterator[tuple[str, Figure]]:
    """Every chart of a section, one at a time: a caller that renders and closes each before
    the next keeps only one in memory (with 400 offices each figure is large)."""
    for name in chart_names(section, compare_label):
        figure = chart(section, name, period_label, compare_label, locale)
        if figure is not None:
            yield name, figure


# --------------------------------------------------------------------------- an office's scorecard


def _index(rows: list[dict], code: str) -> int | None:
    return next((i for i, r in enumerate(rows) if r.get("code") == code), None)


def _with(rows: list[dict], every: list[dict], code: str) -> list[dict]:
    """*rows* (a chart's share of *every*) with the office's own row, wherever it ranks."""
    if _index(rows, code) is not None:
        return rows
    keep = {id(r) for r in rows} | {id(every[_index(every, code)])}
    return [r for r in every if id(r) in keep]


def _standing_select(section: dict, code: str):
    """Every office the report compares, if this one is among them and there is another to
    compare it with (one bar alone compares nothing)."""
    if section.get("kind") == "survey":
        every, key = _survey_rows(section), "satisfied_rate"
    elif section.get("scored", True):
        every, key = [r for r in section["offices"] if r["checks"] > 0], "score_mean"
    else:
        return None
    if len(every) < 2 or _index(every, code) is None:
        return None
    return every, _with(_ends(every, key), every, code)


def _standing_draw(section: dict, picked, code: str, period_label: str):
    every, rows = picked
    capped = _capped(len(every), len(rows))
    if section["kind"] == "survey":
        overall = section["overall"].get("satisfied_rate")
        return charts.office_comparison(
            _names(rows), [r["satisfied_rate"] for r in rows],
            [_nan(r["satisfied_ci"][0]) for r in rows], [_nan(r["satisfied_ci"][1]) for r in rows],
            overall, highlight=_index(rows, code),
            title=t("{period} {item}：本機關與其他機關{capped}", period=period_label,
                    item=section["item_label"], capped=capped))
    return charts.inspector_scores(
        _names(rows), [r["score_mean"] for r in rows],
        bands=[(low, t(name)) for low, name in section["bands"]], n=[r["checks"] for r in rows],
        low=[_nan(r["score_ci"][0]) for r in rows], high=[_nan(r["score_ci"][1]) for r in rows],
        highlight=_index(rows, code),
        title=t("{period} {title} 平均分數：本機關與其他機關{capped}", period=period_label,
                title=section["title"], capped=capped))


def _own_trend_select(section: dict, code: str):
    row = next((r for r in section.get("trend") or [] if r["code"] == code), None)
    if row is None or len(row["points"]) < 2:
        return None
    return row if any(p["rate"] is not None for p in row["points"]) else None


def _own_trend_draw(section: dict, row: dict, code: str, period_label: str):
    points = row["points"]
    return charts.office_trend(
        [_short(p["period"]) for p in points], [_nan(p["rate"]) for p in points],
        [_nan((p.get("ci") or [None, None])[0]) if p["rate"] is not None else np.nan
         for p in points],
        [_nan((p.get("ci") or [None, None])[1]) if p["rate"] is not None else np.nan
         for p in points],
        title=t("{item} 各期滿意度", item=section["item_label"]))


#: The charts of an office's scorecard, per kind of section: (select, draw) for each.
OFFICE_CHARTS = {
    "survey": {"standing": (_standing_select, _standing_draw),
               "trend": (_own_trend_select, _own_trend_draw)},
    "inspection": {"standing": (_standing_select, _standing_draw)},
}


def office_chart_names(section: dict, code: str) -> list[str]:
    """The scorecard charts this section has something to draw for office *code*."""
    if section.get("empty"):
        return []
    return [name for name, (select, _draw) in OFFICE_CHARTS.get(section.get("kind"), {}).items()
            if select(section, code) is not None]


def office_chart(section: dict, name: str, code: str, period_label: str,
                 locale: str = "zh_TW") -> Figure | None:
    """One chart of office *code*'s scorecard, built now in ``locale``; None if there is none
    such."""
    found = OFFICE_CHARTS.get(section.get("kind"), {}).get(name)
    if found is None or section.get("empty"):
        return None
    select, draw = found
    with words.language(locale):
        picked = select(section, code)
        return None if picked is None else draw(section, picked, code, period_label)
