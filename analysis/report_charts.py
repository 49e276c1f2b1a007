"""The report's figures, drawn from the report dictionary (never from rows or the database)."""

from __future__ import annotations

from collections.abc import Iterator

from matplotlib.figure import Figure

from . import charts

LEVELS = ["非常不滿意", "不滿意", "普通", "滿意", "非常滿意"]


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def survey_figures(section: dict, title: str, period_label: str,
                   compare_label: str | None = None) -> Iterator[tuple[str, Figure]]:
    """Office comparison, diverging Likert bars, office x item heatmap, and the change dumbbell.

    Drawn one at a time as they are asked for: with 400 offices each figure is large, and a
    caller that renders and closes each before the next keeps only one in memory.
    """
    rows = [r for r in section["offices"] if r["n"] > 0]
    names = [r["name"] for r in rows]
    yield "comparison", charts.office_comparison(
        names, [r["satisfied_rate"] for r in rows],
        [_nan(r["satisfied_ci"][0]) for r in rows], [_nan(r["satisfied_ci"][1]) for r in rows],
        section["overall"]["satisfied_rate"],
        title=f"{period_label} {title}:{section['item_label']}",
        letters=[r["group"] for r in rows] if section["tests"].get("dunn") else None,
    )
    yield "likert", charts.likert_diverging(
        names, [r["distribution"] for r in rows], LEVELS,
        title=f"{period_label} {section['item_label']} 回答分布",
    )
    yield "heatmap", charts.heatmap(
        names, [i["label"] for i in section["items"]],
        [[_nan(i["by_office"].get(r["code"])) for i in section["items"]] for r in rows],
        title=f"{period_label} 各題滿意度", value_label="滿意度 (%)", as_percent=True,
    )
    change = [c for c in section.get("change", []) if c["after_n"] or c["before_n"]]
    if change and compare_label:
        yield "change", charts.dumbbell(
            [c["name"] for c in change], [_nan(c["before_rate"]) for c in change],
            [_nan(c["after_rate"]) for c in change], before_label=compare_label,
            after_label=period_label, title=f"{section['item_label']} 滿意度變化",
            value_label="滿意度 (%)", as_percent=True, sort_by="change",
        )


def inspection_figures(section: dict, title: str, period_label: str
                       ) -> Iterator[tuple[str, Figure]]:
    """Mean score per office against the grade bands, and the most-missed items (lazily)."""
    rows = [r for r in section["offices"] if r["checks"] > 0]
    yield "scores", charts.inspector_scores(
        [r["name"] for r in rows], [r["score_mean"] for r in rows],
        bands=[tuple(b) for b in section["bands"]], n=[r["checks"] for r in rows],
        title=f"{period_label} {title} 平均分數",
    )
    items = [i for i in section["items"] if i["n"] > 0]
    if items:
        yield "missed", charts.most_missed(
            [i["label"] for i in items], [i["failure_rate"] for i in items],
            [i["n"] for i in items], title=f"{period_label} {title} 最常缺失的項目",
        )
