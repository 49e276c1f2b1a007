"""Charts render in Traditional Chinese with every glyph present, as real PNG/SVG, and survive
hostile shapes (NaN, one office, 400 offices).

Why the glyph guard: a chart drawn with a font lacking CJK glyphs still "works" - it just
shows empty boxes - so only the missing-glyph diagnostics reveal it.  In matplotlib 3.11
those arrive as ``UserWarning("Glyph N (...) missing from font(s) ...")`` through
``warnings``; mathtext and font lookup report through the ``matplotlib`` logger ("Font ...
does not have a glyph", "findfont: Font family ... not found").  The guard fails on either
channel, and two tests below prove it trips on real failures so it cannot pass vacuously.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import shutil
import subprocess
import sys
import uuid
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from PIL import Image

from analysis import charts, fonts
from analysis.charts import metrics
from analysis.charts import style as charts_style

ROOT = Path(__file__).resolve().parents[2]

GLYPH_PROBLEM = re.compile(
    r"Glyph \d+ .*missing from font|does not have a glyph|findfont: Font family .* not found",
    re.IGNORECASE,
)

OFFICES = "松山 信義 大安 中山 中正 大同 萬華 文山 南港 內湖 士林 北投".split()
NAMES = [f"{o}戶政事務所" for o in OFFICES]
LEVELS = ["非常不滿意", "不滿意", "普通", "滿意", "非常滿意"]
BANDS = [(90, "優等"), (80, "甲"), (70, "乙"), (60, "丙"), (0, "丁")]
ITEMS = ["主動招呼", "請、謝謝、對不起", "服務態度", "專業知識", "等候時間", "環境整潔"]
COURTESY = ["起身迎接", "請、謝謝、對不起", "雙手遞交證件", "說明辦理進度", "微笑服務",
            "結束時道別", "確認民眾需求並複誦申辦項目", "名牌配戴", "電話三響內接聽",
            "主動協助填寫申請書", "告知等候時間", "主動招呼"]


# --------------------------------------------------------------------------- the guard


@contextlib.contextmanager
def _glyph_guard(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail if drawing inside the block warns (any warning) or logs a font problem."""
    caplog.clear()
    with (
        warnings.catch_warnings(record=True) as caught,
        caplog.at_level(logging.WARNING, logger="matplotlib"),
    ):
        warnings.simplefilter("always")
        yield
    problems = [f"warning: {w.category.__name__}: {w.message}" for w in caught]
    problems += [
        f"log {r.name} {r.levelname}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.WARNING or GLYPH_PROBLEM.search(r.getMessage())
    ]
    if problems:
        glyphs = [p for p in problems if GLYPH_PROBLEM.search(p)]
        kind = "missing glyphs / font not found" if glyphs else "unexpected warnings"
        raise AssertionError(f"{kind} while drawing:\n" + "\n".join(problems[:20]))


@pytest.fixture
def glyph_guard(
    caplog: pytest.LogCaptureFixture,
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """``with glyph_guard(): ...`` fails on missing glyphs, font-lookup failures, warnings."""
    return lambda: _glyph_guard(caplog)


def test_guard_trips_on_cjk_text_in_a_latin_only_font(glyph_guard) -> None:
    """The guard is not vacuous: CJK drawn with DejaVu Sans must fail it (warnings channel)."""
    fig = Figure()
    fig.text(0.1, 0.5, "松山戶政事務所 請、謝謝、對不起", family="DejaVu Sans")
    with pytest.raises(AssertionError, match=r"Glyph \d+ .*missing from font"):
        with glyph_guard():
            fig.savefig(io.BytesIO(), format="png")


def test_guard_trips_on_logged_font_problems(glyph_guard) -> None:
    """The guard also watches the logger channel: an unknown family is logged, not warned."""
    fig = Figure()
    family = f"No Such Font {uuid.uuid4().hex}"  # unique: findfont logs once per family
    fig.text(0.1, 0.5, "abc", family=family)
    with pytest.raises(AssertionError, match="findfont: Font family"):
        with glyph_guard():
            fig.savefig(io.BytesIO(), format="svg")


# --------------------------------------------------------------------------- data


def _props(k: int, rng: np.random.Generator) -> np.ndarray:
    return rng.dirichlet([1, 2, 6, 18, 14], k)


def _build(kind: str, k: int, seed: int = 0) -> Figure:
    """Demo-like data for *k* offices (names cycle through the 12 Taipei offices)."""
    rng = np.random.default_rng(seed)
    names = [NAMES[i % 12] if i < 12 else f"{OFFICES[i % 12]}{i}" for i in range(k)]
    p = np.clip(rng.normal(0.86, 0.05, k), 0.5, 0.99)
    if kind == "office_comparison":
        letters = [("abcd"[i % 4] + "abcd"[(i + 1) % 4]) for i in range(k)]
        return charts.office_comparison(names, p, p - 0.04, np.minimum(p + 0.04, 1.0),
                                        float(p.mean()), title="整體滿意度（114年上半年）",
                                        letters=letters)
    if kind == "likert_diverging":
        return charts.likert_diverging(names, _props(k, rng), LEVELS, title="服務態度")
    if kind == "heatmap":
        mat = rng.normal(85, 6, (k, len(ITEMS)))
        mat[0, 1] = np.nan
        return charts.heatmap(names, ITEMS, mat, title="分項滿意度", value_label="滿意度 (%)")
    if kind == "dumbbell":
        return charts.dumbbell(names, p * 100 - 2, p * 100, before_label="113年下半年",
                               after_label="114年上半年", title="滿意度變化",
                               value_label="滿意度 (%)")
    if kind == "inspector_scores":
        return charts.inspector_scores(names, rng.uniform(55, 99, k), bands=BANDS,
                                       n=rng.integers(3, 12, k), title="神秘客查核平均分數")
    if kind == "most_missed":
        labels = [COURTESY[i % len(COURTESY)] for i in range(k)]
        return charts.most_missed(labels, rng.beta(2, 10, k), 240, title="最常未做到的禮貌項目")
    raise ValueError(kind)


KINDS = ["office_comparison", "likert_diverging", "heatmap", "dumbbell", "inspector_scores",
         "most_missed"]


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("kind", KINDS)
def test_renders_svg_and_png_without_missing_glyphs(kind: str, glyph_guard) -> None:
    with glyph_guard():
        svg = charts.to_svg(_build(kind, 12))
        png = charts.to_png(_build(kind, 12))
    assert svg.lstrip().startswith("<?xml") and svg.rstrip().endswith("</svg>")
    # Text is drawn as glyph paths (portable); matplotlib keeps the string as a comment.
    assert re.search(r"<!-- .*[\u4e00-\u9fff].* -->", svg)
    assert '<use xlink:href="#' in svg
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_svg_contains_office_names_and_courtesy_phrase(glyph_guard) -> None:
    with glyph_guard():
        svg = charts.to_svg(charts.most_missed(["請、謝謝、對不起", "起身迎接"], [0.2, 0.1], 50,
                                               title="松山戶政事務所 禮貌項目"))
        svg2 = charts.to_svg(_build("office_comparison", 12))
    assert "<!-- 請、謝謝、對不起 -->" in svg
    assert "<!-- 松山戶政事務所 禮貌項目 -->" in svg
    for name in NAMES:
        assert f"<!-- {name} -->" in svg2
    assert "<!-- 全體平均" in svg2


@pytest.mark.parametrize("dpi", [72, 200])
def test_png_is_real_png_at_requested_dpi(dpi: int, glyph_guard) -> None:
    fig = _build("office_comparison", 12)
    width_in, height_in = fig.get_size_inches()
    with glyph_guard():
        png = charts.to_png(fig, dpi=dpi)
    with Image.open(io.BytesIO(png)) as im:
        im.load()
        assert im.format == "PNG"
        assert im.size == (round(width_in * dpi), round(height_in * dpi))
        assert im.info["dpi"] == pytest.approx((dpi, dpi), abs=0.01)
        # Not a blank canvas: some dark (text) pixels exist.
        assert np.asarray(im.convert("L")).min() < 80


def test_close_false_allows_rendering_twice_and_close_clears(glyph_guard) -> None:
    fig = _build("heatmap", 12)
    with glyph_guard():
        svg = charts.to_svg(fig, close=False)
        png = charts.to_png(fig)
    assert "<!-- 松山戶政事務所 -->" in svg and png.startswith(b"\x89PNG")
    assert fig.axes == []  # closed: artists released


def test_to_png_rejects_bad_dpi() -> None:
    with pytest.raises(ValueError, match="dpi"):
        charts.to_png(Figure(), dpi=0)


@pytest.mark.parametrize("kind", KINDS)
def test_one_office_renders(kind: str, glyph_guard) -> None:
    with glyph_guard():
        charts.to_png(_build(kind, 1), dpi=72)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_400_offices_render(kind: str, glyph_guard) -> None:
    fig = _build(kind, 400)
    height = fig.get_size_inches()[1]
    assert height <= charts.MAX_HEIGHT
    with glyph_guard():
        svg = charts.to_svg(fig, close=False)
        png = charts.to_png(fig, dpi=100)
    assert svg.rstrip().endswith("</svg>")
    with Image.open(io.BytesIO(png)) as im:
        assert im.size[1] == round(height * 100)


def test_height_grows_with_offices() -> None:
    heights = [_build("office_comparison", k).get_size_inches()[1] for k in (5, 12, 25)]
    assert heights[0] < heights[1] < heights[2]


# --------------------------------------------------------------------------- content


def _figure_text(fig: Figure) -> str:
    """Everything written on the figure itself (title, footnote), not inside the axes."""
    return "\n".join(t.get_text() for t in fig.texts)


def _ytick_texts(fig: Figure) -> list[str]:
    return charts_style.office_labels(fig.axes[0])


def test_office_comparison_sorted_with_average_and_letter_footnote(glyph_guard) -> None:
    with glyph_guard():
        fig = charts.office_comparison(["松山", "信義", "大安"], [0.80, 0.92, 0.85],
                                       [0.75, 0.88, 0.80], [0.85, 0.96, 0.90], 0.86,
                                       title="滿意度", letters=["b", "a", "ab"])
        texts = [t.get_text() for t in fig.axes[0].texts]
        charts.to_svg(fig, close=False)
    assert _ytick_texts(fig) == ["信義", "大安", "松山"]
    assert any(t.startswith("全體平均") for t in texts)
    assert "未達統計顯著" in _figure_text(fig)
    fig2 = charts.office_comparison(["松山"], [0.8], [0.7], [0.9], 0.8, title="滿意度")
    assert "未達統計顯著" not in _figure_text(fig2)


def test_likert_sorted_by_share_satisfied() -> None:
    props = [[0.1, 0.1, 0.2, 0.4, 0.2], [0.0, 0.0, 0.1, 0.3, 0.6], [0.3, 0.2, 0.2, 0.2, 0.1]]
    fig = charts.likert_diverging(["松山", "信義", "大安"], props, LEVELS, title="態度")
    assert _ytick_texts(fig) == ["信義", "松山", "大安"]
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == LEVELS


def test_dumbbell_and_inspector_sorting() -> None:
    fig = charts.dumbbell(["松山", "信義", "大安"], [80, 90, np.nan], [85, 88, 70],
                          before_label="113年下半年", after_label="114年上半年", title="變化",
                          value_label="滿意度 (%)", sort_by="change")
    assert _ytick_texts(fig) == ["松山", "信義", "大安"]  # +5, -2, NaN last
    fig = charts.inspector_scores(["松山", "信義"], [71, 93], bands=BANDS, title="分數")
    assert _ytick_texts(fig) == ["信義", "松山"]


def test_most_missed_keeps_top_items() -> None:
    rates = np.linspace(0.01, 0.3, len(COURTESY))
    fig = charts.most_missed(COURTESY, rates, [100] * len(COURTESY), title="未做到", top=5)
    labels = [t.replace("\n", "") for t in _ytick_texts(fig)]
    assert labels == COURTESY[::-1][:5]


# --------------------------------------------------------------------------- hostile input


def test_nan_inputs_do_not_crash(glyph_guard) -> None:
    nan = np.nan
    names = ["松山", "信義", "大安"]
    with glyph_guard():
        figs = [
            charts.office_comparison(names, [0.8, nan, 0.9], [0.7, nan, nan], [0.9, nan, nan],
                                     nan, title="缺值", letters=["a", "", "a"]),
            charts.likert_diverging(names, [[nan] * 5, [0, 0, 0, 0, 0], [1, 2, 3, 4, 5]],
                                    LEVELS, title="缺值"),
            charts.heatmap(names, ITEMS[:2], [[nan, nan], [80, nan], [nan, 90]], title="缺值",
                           value_label="分數"),
            charts.heatmap(names, ITEMS[:2], np.full((3, 2), nan), title="全缺",
                           value_label="分數"),
            charts.dumbbell(names, [nan, 80, nan], [85, nan, nan], before_label="113年下半年",
                            after_label="114年上半年", title="缺值", value_label="分數"),
            charts.inspector_scores(names, [nan, 88, 65], bands=BANDS, n=[nan, 5, 3],
                                    title="缺值"),
            charts.most_missed(ITEMS[:3], [nan, 0.2, nan], [10, nan, 3], title="缺值"),
            charts.most_missed(ITEMS[:2], [nan, nan], 10, title="全缺"),
        ]
        for fig in figs:
            charts.to_svg(fig, close=False)
            charts.to_png(fig, dpi=72)


def test_empty_inputs_render_a_no_data_figure(glyph_guard) -> None:
    with glyph_guard():
        fig = charts.office_comparison([], [], [], [], None, title="無事務所")
        svg = charts.to_svg(fig)
    assert "<!-- 無資料 -->" in svg


def test_percentages_passed_as_proportions_are_rejected() -> None:
    with pytest.raises(ValueError, match="as_percent"):
        charts.office_comparison(["松山"], [87.0], [80.0], [90.0], 85.0, title="x")


def test_length_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="expected 2"):
        charts.office_comparison(["松山", "信義"], [0.8], [0.7], [0.9], 0.8, title="x")
    with pytest.raises(ValueError, match=r"\(2, 5\)"):
        charts.likert_diverging(["松山", "信義"], np.ones((2, 4)), LEVELS, title="x")


def test_labels_with_dollar_signs_are_not_parsed_as_math(glyph_guard) -> None:
    with glyph_guard():
        svg = charts.to_svg(charts.most_missed(["$收費$說明"], [0.1], 5, title="$x$ 測試"))
    assert "<!-- $收費$說明 -->" in svg


def test_concurrent_rendering_keeps_the_cjk_font(glyph_guard) -> None:
    """rcParams are global; the render lock must keep threads from undoing each other's style.

    Warnings in worker threads are errors too (pytest's filterwarnings=error is global), and
    ``result()`` re-raises them here.
    """
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(lambda kind=kind: charts.to_png(_build(kind, 12), dpi=50))
                   for kind in KINDS * 2]
        results = [f.result() for f in futures]
    assert all(r.startswith(b"\x89PNG") for r in results)


@pytest.mark.parametrize("kind", KINDS)
def test_remembered_text_sizes_draw_the_same_bytes(kind: str, glyph_guard) -> None:
    """The process-wide text-size cache changes the time a chart takes, never the chart: the
    same figure drawn by matplotlib's own measuring, then by a cold and a warm cache."""
    assert metrics.installed()
    try:
        metrics.uninstall()
        with glyph_guard():
            plain = charts.to_svg(_build(kind, 25), text=True)
    finally:
        metrics.install()
    metrics.clear()
    cold = charts.to_svg(_build(kind, 25), text=True)
    assert metrics.size() > 0
    warm = charts.to_svg(_build(kind, 25), text=True)
    assert plain == cold == warm


def test_remembered_text_sizes_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(metrics, "MAX_ENTRIES", 10)
    metrics.clear()
    charts.to_svg(_build("likert_diverging", 30), text=True)
    assert 0 < metrics.size() <= 10


def test_sizes_depend_on_the_font_not_only_the_string() -> None:
    """One string in four fonts, measured through a warm cache, is measured as matplotlib
    measures it: no size is taken for another's."""
    fonts_used = [(8, "normal"), (8, "bold"), (16, "normal"), (16, "bold")]

    def widths() -> list[float]:
        fig = Figure()
        with fonts.rc_context():
            texts = [fig.text(0.1, 0.1 + 0.2 * i, "Songshan 松山 Office", fontsize=size,
                              fontweight=weight) for i, (size, weight) in enumerate(fonts_used)]
            fig.canvas.draw()
            return [t.get_window_extent().width for t in texts]

    widths()                    # every size now in the cache
    cached = widths()
    try:
        metrics.uninstall()
        measured = widths()
    finally:
        metrics.install()
    assert cached == measured and cached[2] > 1.9 * cached[0]


def test_charts_module_never_imports_pyplot() -> None:
    code = (
        "import sys; from analysis import charts; "
        "charts.to_png(charts.most_missed(['請'], [0.1], 3, title='t'), dpi=30); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- fonts


def test_tc_font_family_is_a_traditional_chinese_font() -> None:
    family = fonts.tc_font_family()
    assert family in fonts.DEFAULT_CANDIDATES
    assert fonts.tc_font_family() is family  # cached
    path = font_manager.findfont(font_manager.FontProperties(family=family),
                                 fallback_to_default=False)
    assert Path(path).exists()


def test_missing_font_raises_with_install_instructions() -> None:
    with pytest.raises(RuntimeError) as info:
        fonts.find_tc_font([f"No Such Font {uuid.uuid4().hex}"], font_dirs=[])
    message = str(info.value)
    assert "apt-get install fonts-noto-cjk" in message
    assert "make run" in message and "make test" in message


def test_font_without_cjk_glyphs_is_not_accepted() -> None:
    """Being installed is not enough: DejaVu Sans exists but has no 戶."""
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        fonts.find_tc_font(["DejaVu Sans"], font_dirs=[])
    assert fonts.find_tc_font(["DejaVu Sans", fonts.tc_font_family()]) == fonts.tc_font_family()


def test_refresh_registers_font_files_the_cache_does_not_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A font installed after matplotlib built its cache is added (and the cache rewritten)."""
    src = Path(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")
    fake = tmp_path / "FakeCJK-Regular.ttf"
    shutil.copy(src, fake)
    dumped: list[object] = []
    fm = font_manager.fontManager
    try:
        monkeypatch.setattr(fm, "ttflist", list(fm.ttflist))
        monkeypatch.setattr(font_manager, "json_dump", lambda data, filename: dumped.append(1))
        monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
        assert fonts.refresh_font_cache([str(tmp_path)]) == [str(fake)]
        assert any(e.fname == str(fake) for e in fm.ttflist)
        assert dumped == [1]
        assert fonts.refresh_font_cache([str(tmp_path)]) == []  # idempotent
    finally:
        monkeypatch.undo()
        fm._findfont_cached.cache_clear()


def test_rc_context_applies_the_font_and_restores() -> None:
    before = list(matplotlib.rcParams["font.family"])
    with fonts.rc_context():
        assert matplotlib.rcParams["font.family"][0] == fonts.tc_font_family()
        assert matplotlib.rcParams["text.parse_math"] is False
    assert list(matplotlib.rcParams["font.family"]) == before


def test_every_heatmap_label_reads_at_4_5_to_1_on_its_cell(glyph_guard) -> None:
    """WCAG 1.4.3 for the numbers drawn in the cells, over the whole colour scale: the contrast
    of each label's colour with its own cell's colour, computed from the drawn figure."""
    from matplotlib.collections import QuadMesh

    from analysis.charts.heatmaps import contrast

    values = np.linspace(0, 100, 24).reshape(6, 4)
    fig = charts.heatmap([f"機關{i}" for i in range(6)], ITEMS[:4], values, title="對比",
                         value_label="滿意度 (%)")
    ax = fig.axes[0]
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    faces = mesh.cmap(mesh.norm(np.asarray(mesh.get_array()).reshape(6, 4)))
    labels = [t for t in ax.texts if t.get_transform() == ax.transData
              and t.get_text() not in ("", "—")]            # the cells' numbers, not row names
    assert len(labels) == 24
    for text in labels:
        x, y = text.get_position()
        ratio = contrast(text.get_color(), faces[int(y), int(x)])
        assert ratio >= 4.5, (text.get_text(), ratio)
