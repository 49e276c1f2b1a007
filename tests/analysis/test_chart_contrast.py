"""Every text and every bar the report's charts draw is readable against what lies behind it
(WCAG 2.2: 1.4.3 text contrast, 1.4.11 non-text contrast).

Issue 27, item 9: white numbers on viridis' teal (4.3:1), Likert segments 1.2-3:1 apart with
three of them 1.6-2:1 on white, a title over a grade band's label.  These tests draw each chart
the report and the office scorecard draw, from report-like sections, and measure the figure
itself:

* a text's colour against the colours really behind it: the figure is drawn once more with
  every text hidden and the pixels under the text's box are read, so a label on a bar, on a
  heatmap cell, on a grade band or on the white page is each judged on its own background
  (a text with its own backing box is judged on that box);
* a bar's fill (or its outline) against the axes' background, and two touching segments of a
  stacked bar against each other, unless a separator at least 0.75 pt wide, itself 3:1 from
  both fills, runs between them;
* a line or marker that carries data against the axes' background (lines a chart marks as
  decoration, ``gid="decor"``, are exempt, as WCAG exempts decoration).

The luminance formula is written out here, not imported from the charts, so the test does not
share a mistake with the code it checks.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis import fonts, report_charts

OFFICES = "松山 信義 大安 中山 中正 大同 萬華 文山 南港 內湖 士林 北投 板橋 三重 中和 新莊".split()
DPI = 100
SEPARATOR_PT = 0.75


# --------------------------------------------------------------------------- WCAG 2


def luminance(rgb) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.x definition)."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(first, second) -> float:
    high, low = sorted((luminance(to_rgba(first)), luminance(to_rgba(second))), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour, background) -> tuple[float, float, float]:
    """*colour* as seen over *background* (alpha composited)."""
    r, g, b, a = to_rgba(colour)
    br, bg, bb, _ = to_rgba(background)
    return (r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a))


def test_the_formula_gives_wcags_known_ratios() -> None:
    assert ratio("black", "white") == pytest.approx(21.0)
    assert ratio("#767676", "white") == pytest.approx(4.54, abs=0.01)   # the usual 4.5 grey
    assert ratio("#949494", "white") == pytest.approx(3.03, abs=0.01)
    assert ratio("#ca0020", "#f4a582") < 3                               # the old Likert pair


# --------------------------------------------------------------------------- report-like data


def _survey_section(k: int = 14, seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    offices, change, trend = [], [], []
    items = [{"label": label, "by_office": {}, "satisfied_rate": 0.8}
             for label in ("服務態度", "專業知識", "等候時間", "環境整潔", "主動招呼")]
    for i in range(k):
        code, name = f"O{i:02d}", f"臺北市{OFFICES[i % len(OFFICES)]}區戶政事務所"
        dist = rng.dirichlet([1, 2, 6, 18, 14])
        n = int(rng.integers(40, 160))
        rate = float(dist[3] + dist[4])
        outside = "above" if i == 0 else ("below" if i == 1 else None)
        offices.append({"code": code, "name": name, "name_en": None, "reportable": True,
                        "n": n, "satisfied_rate": rate, "distribution": list(dist),
                        "satisfied_ci": [max(rate - 0.07, 0.0), min(rate + 0.06, 1.0)],
                        "funnel": {"outside": outside, "alert": "above" if i == 2 else None}})
        for j, item in enumerate(items):     # the whole colour scale, low to high
            item["by_office"][code] = (i * len(items) + j) / (k * len(items) - 1)
        before = max(0.0, rate - float(rng.normal(0, 0.06)))
        change.append({"code": code, "name": name, "reportable": True, "before_rate": before,
                       "after_rate": rate, "diff": rate - before,
                       "direction": ("up", "down", None)[i % 3]})
        points = []
        for p, period in enumerate(("2025H1", "2025H2", "2026H1")):
            value = min(1.0, max(0.0, rate + float(rng.normal(0, 0.04)))) if p < 2 else rate
            points.append({"period": period, "label": period, "n": n,
                           "rate": None if (i == 3 and p == 0) else value,
                           "ci": [max(value - 0.08, 0), min(value + 0.07, 1)]})
        trend.append({"code": code, "name": name, "points": points})
    themes = [("wait", "等候時間"), ("attitude", "服務態度"), ("guidance", "動線、指引與標示"),
              ("parking", "停車與交通")]
    shares = rng.uniform(0, 0.7, size=(k, len(themes)))
    comment_themes = {"themes": [{"key": key, "label": label} for key, label in themes],
                      "offices": [{"code": o["code"], "name": o["name"], "name_en": None,
                                   "reportable": i != 4, "themes": [
                                       {"key": key, "share": float(shares[i, t])}
                                       for t, (key, _label) in enumerate(themes)]}
                                  for i, o in enumerate(offices)]}
    return {"kind": "survey", "title": "民眾滿意度調查", "item_label": "整體滿意度",
            "comment_themes": comment_themes,
            "offices": offices, "items": items, "change": change, "trend": trend,
            "funnel": {"target": 0.8, "tau2": 0.0, "levels": [0.95, 0.998]},
            "overall": {"satisfied_rate": 0.8, "satisfied_ci": [0.78, 0.82]}}


def _inspection_section(k: int = 14, seed: int = 5) -> dict:
    rng = np.random.default_rng(seed)
    offices = []
    for i in range(k):
        score = float(rng.uniform(52, 99))
        offices.append({"code": f"O{i:02d}", "name": f"新北市{OFFICES[i % len(OFFICES)]}地政事務所",
                        "name_en": None, "checks": int(rng.integers(1, 5)), "score_mean": score,
                        "score_ci": [None, None] if i % 4 == 0 else [score - 9, min(score + 8, 100)]})
    items = [{"label": f"禮貌項目{j}", "failure_rate": float(rng.beta(2, 8)), "n": 40}
             for j in range(8)]
    return {"kind": "inspection", "title": "神秘客查核", "offices": offices, "scored": True,
            "bands": [[90.0, "優等"], [80.0, "甲"], [70.0, "乙"], [60.0, "丙"], [0.0, "丁"]],
            "items": items, "overall": {"score_mean": 80.0}}


def _report_figures() -> list[tuple[str, Figure]]:
    found = []
    for section in (_survey_section(), _inspection_section()):
        for name, figure in report_charts.figures(section, "115年上半年", "114年下半年"):
            found.append((f"{section['kind']}_{name}", figure))
    return found


def _office_figures() -> list[tuple[str, Figure]]:
    found = []
    for section in (_survey_section(), _inspection_section()):
        for name in report_charts.office_chart_names(section, "O05"):
            figure = report_charts.office_chart(section, name, "O05", "115年上半年")
            found.append((f"office_{section['kind']}_{name}", figure))
    return found


# --------------------------------------------------------------------------- measuring


def _drawn_texts(fig: Figure) -> list[Text]:
    """The texts a drawing shows: visible, not empty, and not the labels of ticks that lie
    outside their axis's view (matplotlib keeps those but does not draw them)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=False):
                if not low - 1e-9 <= loc <= high + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and t.get_alpha() != 0 and id(t) not in hidden]


def _large(text: Text) -> bool:
    """WCAG's large text: 18 pt, or 14 pt bold."""
    size, weight = text.get_fontsize(), text.get_fontweight()
    bold = weight in ("bold", "heavy", "black", "semibold", "demibold") or (
        isinstance(weight, int | float) and weight >= 600)
    return size >= 18 or (bold and size >= 14)


def _backgrounds(pixels: np.ndarray, box, share: float = 0.1) -> list[tuple]:
    """The colours that cover at least *share* of the pixels inside *box* (display units)."""
    height, width = pixels.shape[:2]
    x0, x1 = max(int(np.floor(box.x0)), 0), min(int(np.ceil(box.x1)), width)
    y0, y1 = max(int(np.floor(height - box.y1)), 0), min(int(np.ceil(height - box.y0)), height)
    patch = pixels[y0:y1, x0:x1, :3].reshape(-1, 3)
    if not len(patch):
        return []
    counts = Counter(map(tuple, patch))
    return [tuple(c / 255 for c in colour) for colour, n in counts.items()
            if n >= share * len(patch)]


def text_problems(fig: Figure) -> list[str]:
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(DPI)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = _drawn_texts(fig)
    boxes = []
    for text in texts:
        box = text.get_window_extent(renderer)
        backing = text.get_bbox_patch()
        boxes.append((text, box, backing.get_facecolor() if backing is not None else None))
    for text in texts:
        text.set_visible(False)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    problems = []
    for text, box, backing in boxes:
        if box.width < 1 or box.height < 1:
            continue
        need = 3.0 if _large(text) else 4.5
        behind = [backing] if backing is not None and backing[3] > 0 else _backgrounds(pixels, box)
        for background in behind:
            seen = over(text.get_color(), background)
            if ratio(seen, background) < need - 1e-6:
                problems.append(f"text {text.get_text()!r} {to_hex(text.get_color())} on "
                                f"{to_hex(background)}: {ratio(seen, background):.2f} < {need}")
    return problems


def to_hex(colour) -> str:
    r, g, b = to_rgba(colour)[:3]
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _rectangles(collection: PolyCollection):
    """(x0, x1, y0, y1, face, edge, width in pt) for each four-cornered polygon."""
    faces = collection.get_facecolors()
    edges = collection.get_edgecolors()
    widths = collection.get_linewidths()
    for i, path in enumerate(collection.get_paths()):
        xs, ys = path.vertices[:, 0], path.vertices[:, 1]
        face = faces[i % len(faces)] if len(faces) else None
        edge = edges[i % len(edges)] if len(edges) else None
        width = float(widths[i % len(widths)]) if len(widths) else 0.0
        yield xs.min(), xs.max(), ys.min(), ys.max(), face, edge, width


def _separated(a, b) -> bool:
    """Two touching segments told apart: by their fills, or by a wide enough separator."""
    if ratio(a[4], b[4]) >= 3:
        return True
    for edge, width in ((a[5], a[6]), (b[5], b[6])):
        if (edge is not None and edge[3] > 0 and width >= SEPARATOR_PT
                and ratio(edge, a[4]) >= 3 and ratio(edge, b[4]) >= 3):
            return True
    return False


def graphic_problems(fig: Figure) -> list[str]:
    problems = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        ground = ax.get_facecolor()
        segments = []
        for collection in ax.collections:
            if collection.get_gid() == "decor" or not collection.get_visible():
                continue
            if type(collection) is PolyCollection:
                for rect in _rectangles(collection):
                    if rect[1] - rect[0] <= 1e-9 or rect[4] is None or rect[4][3] == 0:
                        continue
                    segments.append(rect)
                    edge, width = rect[5], rect[6]
                    outlined = (edge is not None and edge[3] > 0 and width >= SEPARATOR_PT
                                and ratio(edge, ground) >= 3)
                    if not outlined and ratio(over(rect[4], ground), ground) < 3:
                        problems.append(f"bar {to_hex(rect[4])} on {to_hex(ground)}: "
                                        f"{ratio(over(rect[4], ground), ground):.2f} < 3")
            elif isinstance(collection, PathCollection) and len(collection.get_offsets()):
                faces = [f for f in collection.get_facecolors() if f[3] > 0]
                edges = [e for e in collection.get_edgecolors() if e[3] > 0] \
                    if max(collection.get_linewidths(), default=0) >= 1 else []
                for face in faces or [None]:
                    best = max([ratio(over(c, ground), ground) for c in [face, *edges]
                                if c is not None] or [1.0])
                    if best < 3:
                        problems.append(f"marker {to_hex(face)} on {to_hex(ground)}: {best:.2f}")
            elif isinstance(collection, LineCollection) and len(collection.get_segments()):
                for colour in collection.get_colors():
                    if ratio(over(colour, ground), ground) < 3:
                        problems.append(f"line {to_hex(colour)} on {to_hex(ground)}: "
                                        f"{ratio(over(colour, ground), ground):.2f} < 3")
        for line in ax.lines:
            if line.get_gid() != "decor" and line.get_visible() and line.get_linestyle() != "None":
                colour = over(line.get_color(), ground)
                if ratio(colour, ground) < 3:
                    problems.append(f"line {to_hex(colour)} on {to_hex(ground)}: "
                                    f"{ratio(colour, ground):.2f} < 3")
        rows: dict[float, list] = {}
        for seg in segments:
            rows.setdefault(round((seg[2] + seg[3]) / 2, 6), []).append(seg)
        for row in rows.values():
            row.sort(key=lambda s: s[0])
            for a, b in zip(row, row[1:], strict=False):
                if abs(a[1] - b[0]) < 1e-6 and not _separated(a, b):
                    problems.append(f"touching segments {to_hex(a[4])} | {to_hex(b[4])}: "
                                    f"{ratio(a[4], b[4]):.2f} apart, no separator")
        legend = ax.get_legend()
        for handle in legend.legend_handles if legend else []:
            face = getattr(handle, "get_facecolor", None)
            if face is not None and not hasattr(handle, "get_xdata"):
                edge, width = handle.get_edgecolor(), handle.get_linewidth()
                if ratio(over(face(), "white"), "white") < 3 and not (
                        width >= SEPARATOR_PT and edge[3] > 0 and ratio(edge, "white") >= 3):
                    problems.append(f"legend key {to_hex(face())}: "
                                    f"{ratio(over(face(), 'white'), 'white'):.2f} < 3")
    return problems


# --------------------------------------------------------------------------- the tests


def test_the_report_draws_every_chart_it_has() -> None:
    """The sections above give every chart family the report draws, so none escapes."""
    names = {name for name, _fig in _report_figures()}
    expected = {f"{kind}_{chart}" for kind, charts in report_charts.CHARTS.items()
                for chart in charts}
    assert names == expected


@pytest.mark.parametrize("source", ["report", "office"])
def test_every_text_reads_against_what_is_behind_it(source: str) -> None:
    figures = _report_figures() if source == "report" else _office_figures()
    assert figures
    problems = [f"{name}: {p}" for name, fig in figures for p in text_problems(fig)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", ["report", "office"])
def test_every_bar_segment_and_data_line_stands_out(source: str) -> None:
    figures = _report_figures() if source == "report" else _office_figures()
    problems = [f"{name}: {p}" for name, fig in figures for p in graphic_problems(fig)]
    assert not problems, "\n".join(problems)


def test_the_checks_catch_what_they_are_for() -> None:
    """Not vacuous: light text on a light bar, two pale touching segments and a pale bar on
    white all fail; a white separator between dark segments passes."""
    from analysis.charts import style

    with fonts.rc_context():
        fig = style.new_figure(2.0)
        ax = fig.add_subplot()
        style.hbars(ax, np.array([0.0]), np.array([50.0]), color="#f4a582")
        style.hbars(ax, np.array([0.0]), np.array([50.0]), left=50.0, color="#cfcfcf")
        style.hbars(ax, np.array([1.0]), np.array([50.0]), color="#0571b0", edgecolor="white",
                    linewidth=1.0)
        style.hbars(ax, np.array([1.0]), np.array([50.0]), left=50.0, color="#2166ac",
                    edgecolor="white", linewidth=1.0)
        ax.text(25, 0, "淺字", color="#ffffff", ha="center", va="center")
        ax.set_xlim(0, 100)
        ax.set_ylim(-1, 2)
    found = graphic_problems(fig)
    assert any("touching segments #f4a582 | #cfcfcf" in p for p in found)
    assert any(p.startswith("bar #cfcfcf") for p in found)
    assert not any("#0571b0 | #2166ac" in p for p in found)
    assert any("'淺字'" in p for p in text_problems(fig))


def overlaps(fig: Figure) -> list[str]:
    """Pairs of texts drawn over each other (more than a pixel each way), and texts cut off
    by the figure's edge."""
    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(DPI)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _drawn_texts(fig)]
    width, height = fig.bbox.width, fig.bbox.height
    found = [f"{text!r} outside the figure" for text, box in boxes
             if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5]
    for i, (first, a) in enumerate(boxes):
        for second, b in boxes[i + 1:]:
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > 1 and height > 1:
                found.append(f"{first!r} over {second!r}")
    return found


@pytest.mark.parametrize("source", ["report", "office"])
def test_no_text_is_drawn_over_another(source: str) -> None:
    """The grade charts' title sat on the 丁 band's name, the funnel's axis label ran off
    the figure's edge: no two texts share pixels, and every text is whole."""
    figures = _report_figures() if source == "report" else _office_figures()
    problems = [f"{name}: {p}" for name, fig in figures for p in overlaps(fig)]
    assert not problems, "\n".join(problems)
