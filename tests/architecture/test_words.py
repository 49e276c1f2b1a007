"""Chinese text is punctuated as Chinese, and every message the pages say has its English.

A sentence that reads "比較期間(2025H1)必須早於…,收到：" looks careless to the offices that read
it; Traditional Chinese takes full-width punctuation (，：；（）？！) next to its characters.  The
check reads what people are shown: every message extracted for translation (the same
extraction as ``make messages``) and every other string in the code that carries Chinese
(chart labels, command-line messages), docstrings and comments aside.  Formats a person types
(年-月-日 時:分, 上限:比例) and notation (ICC(2,1)) are the only exceptions, named below.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CJK = r"[\u3400-\u9fff\u3001-\u303f\uff01-\uffee]"
MIXED = re.compile(rf"{CJK}[,:;?!()]|[,:;?!(]{CJK}|{CJK} [(]|[)] {CJK}")
#: typed formats and notation, where the ASCII character is what is meant
ALLOWED = ("時:分", "上限:比例", "4:1.0, 6:0.5", "90 優等; 80 甲", "ICC(2,1)", "[;；]", "[,，、",
           "、，,；;/／ ）)",
           # the portal's own "授權說明網址:https://…" notes, and XLSForm's "name (code)" language
           "授權說明網址:", "聯絡人電子郵件:", "中文 (zh)")


def _mixed(text: str) -> bool:
    """ASCII punctuation beside Chinese in a Chinese text (an English sentence quoting Chinese
    in parentheses is English)."""
    text = re.sub(r"%\(\w+\)[sdf]|\{[^}]*\}", "X", text)
    if len(re.findall(CJK, text)) < len(re.findall(r"[A-Za-z]", text)):
        return False
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return bool(MIXED.search(text))


def _extracted() -> list[tuple[str, str]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = []
    for path, line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={"_": None, "_l": None, "gettext": None,
                                                          "ngettext": (1, 2), "lazy_gettext": None}):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.append((f"{path}:{line}", text))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.body and isinstance(node.body[0], ast.Expr) and isinstance(
                    node.body[0].value, ast.Constant):
                ids.add(id(node.body[0].value))
    return ids


def _code_strings() -> list[tuple[str, str]]:
    found = []
    for top in ("webapp", "forms", "analysis"):
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return found


def test_chinese_text_takes_full_width_punctuation():
    texts = _extracted() + _code_strings()
    assert len(texts) > 1000
    mixed = [f"{place}: {text[:80]}" for place, text in texts if _mixed(text)]
    assert mixed == [], "ASCII punctuation beside Chinese:\n" + "\n".join(mixed)


def test_the_check_sees_mixed_punctuation():
    assert _mixed("比較期間(2025H1)") and _mixed("2025Q3,收到") and _mixed("漏斗圖:目標")
    assert _mixed("界限已依 Spiegelhalter (2005) 的加成隨機效果放寬")
    assert not _mixed("比較期間（2025H1）") and not _mixed("（年-月-日 時:分）")
    assert not _mixed("Satisfaction (%), 2025H1") and not _mixed("Cases (改善追蹤).")


def test_every_message_has_its_english():
    """Each message the code says is in the English catalogue, translated and not fuzzy."""
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as file:
        catalogue = read_po(file)
    missing = sorted({text for _place, text in _extracted()
                      if re.search(CJK, text) and (
                          (m := catalogue.get(text)) is None or not m.string or m.fuzzy)})
    assert missing == [], "no English for:\n" + "\n".join(missing)
