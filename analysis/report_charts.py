"""The report's figures, drawn from the report dictionary (never from rows or the database).

Only offices the report judges (``reportable``) are drawn among the comparisons; a change is
coloured only where it survived the adjustment for looking at every office.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from matplotlib.figure import Figure

from . import charts, funnel

LEVELS = ["非常不滿意", "不滿意", "普通", "滿意", "非常滿意"]


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def survey_figures(section: dict, title: str, period_label: str,
                   compare_label: str | None = None) -> Iterator[tuple[str, Figure]]:
    """Funnel plot, diverging Likert bars, office x item heatmap, the change dumbbell and the
    trend panels.

    Drawn one at a time as they are asked for: with 400 offices each figure is large, and a
    caller that renders and closes each before the next keeps only one in memory.
    """
    rows = [r for r in section["offices"] if r["reportable"]]
    names = [r["name"] for r in rows]
    shape = section.get("funnel")
    if shape and rows:
        n = np.array([r["n"] for r in rows], dtype=float)
        grid = np.linspace(max(1.0, n.min() * 0.8), n.max() * 1.08, 120)
        limits = funnel.control_limits(shape["target"], shape["tau2"] or 0.0, grid,
                                       tuple(shape["levels"]))
        yield "funnel", charts.funnel_plot(
            names, [r["satisfied_rate"] for r in rows], n, target=shape["target"], grid=grid,
            limits=limits, outside=[r["funnel"]["outside"] for r in rows],
            alert=[r["funnel"]["alert"] for r in rows],
            title=f"{period_label} {title}:{section['item_label']}",
        )
    if rows:
        yield "likert", charts.likert_diverging(
            names, [r["distribution"] for r in rows], LEVELS,
            title=f"{period_label} {section['item_label']} 回答分布",
        )
        yield "heatmap", charts.heatmap(
            names, [i["label"] for i in section["items"]],
            [[_nan(i["by_office"].get(r["code"])) for i in section["items"]] for r in rows],
            title=f"{period_label} 各題滿意度", value_label="滿意度 (%)", as_percent=True,
        )
    change = [c for c in section.get("change", []) if c["reportable"]]
    if change and compare_label:
        yield "change", charts.dumbbell(
            [c["name"] for c in change], [_nan(c["before_rate"]) for c in change],
            [_nan(c["after_rate"]) for c in change], before_label=compare_label,
            after_label=period_label, title=f"{section['item_label']} 滿意度變化",
            value_label="滿意度 (%)", as_percent=True, sort_by="change",
            direction=[c["direction"] for c in change],
        )
    trend = section.get("trend") or []
    if trend and len(trend[0]["points"]) >= 2:
        shown = [t for t in trend if any(p["rate"] is not None for p in t["points"])]
        if shown:
            yield "trend", charts.trend_panels(
                [t["name"] for t in shown], [p["label"] for p in shown[0]["points"]],
                [[_nan(p["rate"]) for p in t["points"]] for t in shown],
                title=f"{section['item_label']} 近期趨勢",
            )


def inspection_figures(section: dict, title: str, period_label: str
                       ) -> Iterator[tuple[str, Figure]]:
    """Mean score per office against the grade bands, with n and intervals, and the
    most-missed items (lazily)."""
    rows = [r for r in section["offices"] if r["checks"] > 0]
    if rows and section.get("scored", True):
        yield "scores", charts.inspector_scores(
            [r["name"] for r in rows], [r["score_mean"] for r in rows],
            bands=[tuple(b) for b in section["bands"]], n=[r["checks"] for r in rows],
            low=[_nan(r["score_ci"][0]) for r in rows],
            high=[_nan(r["score_ci"][1]) for r in rows],
            title=f"{period_label} {title} 平均分數",
        )
    items = [i for i in section["items"] if i["n"] > 0]
    if items:
        yield "missed", charts.most_missed(
            [i["label"] for i in items], [i["failure_rate"] for i in items],
            [i["n"] for i in items], title=f"{period_label} {title} 最常缺失的項目",
        )
