"""``comment_themes`` in a citizen survey's section of the report: the count tables of the period
(and of the compared one) read from SQL, the statistics from ``analysis.report.themes``."""

from __future__ import annotations

from analysis.periods import Period
from analysis.report.common import OfficeInfo
from analysis.report.themes import themes_report
from forms.catalogue import CITIZEN_SURVEYS
from forms.instrument import Instrument
from webapp.reporting.themes import shown
from webapp.reporting.themes.counts import theme_counts


def comment_themes(instrument: Instrument, current: Period, before: Period | None,
                   infos: list[OfficeInfo], ids: list[int], locale: str, min_n: int) -> dict | None:
    """None for a survey citizens do not fill (its comments are not read into themes)."""
    if instrument.key not in CITIZEN_SURVEYS:
        return None
    labels = shown.theme_labels(locale)
    keys = list(labels)
    items = instrument.text_keys()
    now = theme_counts(instrument.key, str(current), items, ids, keys)
    then = theme_counts(instrument.key, str(before), items, ids, keys) if before else None
    return themes_report(infos, list(labels.items()), now, then, min_n=min_n)
