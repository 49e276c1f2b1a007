"""Reading a comment into themes and a tone: the rules people rely on, each pinned by a case."""

from __future__ import annotations

import copy

import pytest
from sklearn.metrics import precision_recall_fscore_support

from analysis.themes.catalogue import REQUIRED_KEYS, CatalogueError, check, load_default
from analysis.themes.coding import code
from analysis.themes.quality import scores

CATALOGUE = load_default()


def read(text: str) -> tuple[dict[str, str], str]:
    coding = code(text, CATALOGUE)
    return {k: m.tone for k, m in coding.themes.items()}, coding.tone


@pytest.mark.parametrize("text, themes, tone", [
    ("櫃檯人員態度很差，等了一個小時", {"attitude": "complaint", "wait": "complaint"}, "complaint"),
    # negation turns the tone, with degree words between
    ("不會很久", {"wait": "praise"}, "praise"),
    ("沒有不耐煩", {"attitude": "praise"}, "praise"),
    ("不是很親切", {"attitude": "complaint"}, "complaint"),
    ("一點都不慢", {"wait": "praise"}, "praise"),
    # praise and complaint mixed: a complaint, each theme with its own tone
    ("人員很親切，但是等太久了", {"attitude": "praise", "wait": "complaint"}, "complaint"),
    # a suggestion praises nobody; a stated problem is still a complaint
    ("希望增加週末服務", {}, "neutral"),
    ("停車位太少，希望增加", {"parking": "complaint"}, "complaint"),
    # Simplified characters, variants and typos read as the standard form
    ("服务态度很好", {"attitude": "praise"}, "praise"),
    ("態肚很差", {"attitude": "complaint"}, "complaint"),
    ("綫上預約很難用", {"online": "complaint"}, "complaint"),
    # a signal counts only on word boundaries: 很快 is not in 很快樂, 等 not in 等等
    ("今天很快樂", {}, "neutral"),
    ("站在第一線上辛苦了", {}, "praise"),
    # a longer signal of the same theme wins over the shorter inside it
    ("承辦人不專業", {"competence": "complaint"}, "complaint"),
    ("", {}, "neutral"),
])
def test_reading(text, themes, tone):
    assert read(text) == (themes, tone)


def test_the_words_that_decided_are_kept_with_their_negator():
    coding = code("不會很久，等了兩個小時才叫到？不對，是態度很差", CATALOGUE)
    assert "不會很久" in coding.themes["wait"].words
    assert "等了兩個小時" in coding.themes["wait"].words
    assert coding.themes["attitude"].words == ("態度很差",)


def test_full_width_letters_and_capitals_are_folded():
    assert read("ＡＰＰ很難用")[0] == {"online": "complaint"}


def test_the_shipped_catalogue_has_the_keys_other_tools_read():
    assert set(REQUIRED_KEYS) <= set(CATALOGUE.keys)
    for theme in CATALOGUE.themes:
        assert theme.label["zh_TW"] and theme.label["en"]


def test_a_catalogue_may_not_drop_a_theme_or_carry_a_broken_pattern():
    definition = copy.deepcopy(CATALOGUE.definition)
    definition["themes"] = [t for t in definition["themes"] if t["key"] != "parking"]
    definition["themes"][0]["complaint"].append("re:等了(")
    definition["themes"][0]["praise"].append("re:(很|好)+快")
    definition["themes"][1]["key"] = definition["themes"][2]["key"]
    with pytest.raises(CatalogueError) as raised:
        check(definition)
    said = [p.message["zh_TW"] for p in raised.value.problems]
    assert any("缺少主題「parking」" in m for m in said)
    assert any("不是正確的規則運算式" in m for m in said)
    assert any("重複" in m for m in said)
    assert any("重複了整個括號群組" in m for m in said)


def test_a_new_signal_changes_the_reading_and_the_checksum():
    definition = copy.deepcopy(CATALOGUE.definition)
    next(t for t in definition["themes"] if t["key"] == "facilities")["mention"].append("盆栽")
    changed = check(definition)
    assert changed.checksum != CATALOGUE.checksum
    assert "facilities" in code("門口的盆栽很漂亮", changed).themes
    assert "facilities" not in code("門口的盆栽很漂亮", CATALOGUE).themes


def test_precision_and_recall_agree_with_scikit_learn():
    labels = ["wait", "attitude", "parking"]
    gold = [{"wait"}, {"wait", "attitude"}, set(), {"parking"}, {"attitude"}, {"wait"}]
    found = [{"wait"}, {"attitude"}, {"wait"}, {"parking", "wait"}, set(), set()]
    ours = scores(gold, found, labels)
    matrix = [[[label in row for label in labels] for row in rows] for rows in (gold, found)]
    precision, recall, _f1, support = precision_recall_fscore_support(
        matrix[0], matrix[1], average=None, zero_division=1.0)
    for score, p, r, n in zip(ours, precision, recall, support, strict=True):
        assert score.precision == pytest.approx(p) and score.recall == pytest.approx(r)
        assert score.support == n
