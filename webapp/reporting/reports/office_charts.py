"""An office scorecard's charts: the office among the others, highlighted, and its own trend.

They are drawn from the same cached report the scorecard reads (``cache.report``), so a chart
and the numbers beside it never disagree.  Like the report's charts, each is drawn the first time
its image is asked for, never while the page is made, and kept while its report is: the key
holds the report's own cache key (its parameters, language and a fingerprint of the data), so a
kept chart never goes stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from analysis import charts, report_charts
from webapp.reporting.reports import cache

#: Charts kept per process: a few offices' scorecards in both languages.
KEPT = 64
_drawn: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()


def names(report: dict, code: str) -> list[str]:
    """``<instrument>_<chart>`` for every chart office *code*'s scorecard shows, in page order
    (cheap: nothing is drawn)."""
    return [f"{key}_{name}" for key, section in report["instruments"].items()
            for name in report_charts.office_chart_names(section, code)]


def svg(p: dict, code: str, name: str) -> bytes | None:
    """One chart of office *code*'s scorecard for the report parameters *p*, as SVG (text as
    text); None if the scorecard has no such chart.  Raises ``build.ReportError`` as
    ``cache.report`` does."""
    made, key = cache.report(p)
    if name not in names(made, code):
        return None
    wanted = (key, code, name)
    with _lock:
        if wanted in _drawn:
            _drawn.move_to_end(wanted)
            return _drawn[wanted]
    instrument, _, chart = name.rpartition("_")
    figure = report_charts.office_chart(made["instruments"][instrument], chart, code,
                                        made["period_label"], made.get("locale", "zh_TW"))
    body = b"" if figure is None else charts.to_svg(figure, text=True).encode("utf-8")
    with _lock:
        _drawn[wanted] = body
        while len(_drawn) > KEPT:
            _drawn.popitem(last=False)
    return body
