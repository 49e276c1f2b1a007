"""Charts for the half-yearly office comparisons (Traditional Chinese, print resolution).

One module per chart family, all drawn with the shared look of :mod:`analysis.charts.style`;
this package exports the chart functions and the renderers, so callers write
``charts.office_comparison(...)`` and ``charts.to_svg(fig)``:

* :func:`office_comparison` (:mod:`~analysis.charts.comparison`): bars with intervals and
  compact letters;
* :func:`likert_diverging` (:mod:`~analysis.charts.likert`): diverging five-point bars;
* :func:`heatmap` (:mod:`~analysis.charts.heatmaps`): office x item matrix;
* :func:`dumbbell` (:mod:`~analysis.charts.dumbbells`): change between two periods;
* :func:`inspector_scores` (:mod:`~analysis.charts.grades`): inspection scores over grade bands;
* :func:`most_missed` (:mod:`~analysis.charts.missed`): checklist items most often missed;
* :func:`funnel_plot` (:mod:`~analysis.charts.funnel`): rates against respondents, with the
  limits chance allows (instead of a league table);
* :func:`trend_panels` (:mod:`~analysis.charts.trends`): each office's rate over recent periods;
* :func:`office_trend` (:mod:`~analysis.charts.trends`): one office's rate and interval over
  recent periods (its scorecard);
* :func:`to_svg`, :func:`to_png` (:mod:`~analysis.charts.style`): rendering.

Why these choices:

* Only ``matplotlib.figure.Figure`` is used, never ``pyplot``: pyplot keeps global state
  (open figures, current axes) that leaks memory and races between requests in a web
  server.  Rendering goes through ``Figure.savefig`` which picks the Agg canvas.
* Every function takes plain Python / numpy data and returns a ``Figure``; the statistics
  are computed elsewhere, so the charts stay dumb and easy to test.
* Readers are directors looking for "where do we stand": values are sorted, labelled
  directly, office names sit on the y axis, and colours come from colour-blind-safe
  palettes (Okabe-Ito, ColorBrewer RdBu, viridis) with a second cue (marker fill, sign,
  hatching) wherever colour carries meaning.
* Every text reads at 4.5:1 on what lies behind it and every bar, segment and data line at
  3:1 (WCAG 1.4.3, 1.4.11; ``style.contrast``); where neighbouring colours cannot be 3:1
  apart (five Likert levels), a white gap separates them.
* Heights grow with the number of offices (12-25 is typical) but are capped, with smaller
  labels, thinned labels and no per-bar annotations when there are hundreds of rows, so a
  400-office national comparison still renders quickly instead of crashing Agg.
* Text sizes are measured once per process (:mod:`analysis.charts.metrics`), not once per
  drawing: a report repeats the same names and numbers in every chart.
* Fonts come from :mod:`analysis.fonts`; a missing Traditional Chinese font raises a
  ``RuntimeError`` with install instructions instead of drawing empty boxes.
"""

from analysis.charts import metrics
from analysis.charts.comparison import office_comparison
from analysis.charts.dumbbells import dumbbell
from analysis.charts.funnel import funnel_plot
from analysis.charts.grades import inspector_scores
from analysis.charts.heatmaps import heatmap
from analysis.charts.likert import likert_diverging
from analysis.charts.missed import most_missed

# The palette and sizes are not in __all__ (as before the split) but stay reachable here.
from analysis.charts.style import BLUE as BLUE
from analysis.charts.style import DARK as DARK
from analysis.charts.style import FIG_WIDTH as FIG_WIDTH
from analysis.charts.style import GREY as GREY
from analysis.charts.style import LIKERT_COLORS as LIKERT_COLORS
from analysis.charts.style import MAX_HEIGHT as MAX_HEIGHT
from analysis.charts.style import MUTED as MUTED
from analysis.charts.style import NAN_FACE as NAN_FACE
from analysis.charts.style import ORANGE as ORANGE
from analysis.charts.style import SKY as SKY
from analysis.charts.style import VERMILLION as VERMILLION
from analysis.charts.style import to_png, to_svg
from analysis.charts.trends import office_trend, trend_panels

metrics.install()

__all__ = [
    "dumbbell",
    "funnel_plot",
    "heatmap",
    "inspector_scores",
    "likert_diverging",
    "most_missed",
    "office_comparison",
    "office_trend",
    "to_png",
    "to_svg",
    "trend_panels",
]
