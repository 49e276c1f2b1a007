"""What a new version of an instrument may not change: the stored answers, and the reports, open
data and API built on them, read each question by its key and its type.

A version may add questions, reword them, reweight them and reorder them.  It may not:

- give an existing key another type: the answers already stored under it were written and are
  counted as the old type (a Likert answer read as a yes/no, a text as a score);
- drop the survey's main item (``overall``): the report ranks offices by it, the open data
  and the API publish it, and every period answered on an older version still has it;
- drop a scored item of a reported inspection: earlier records were scored on it, and the
  reports of their periods add it up;
- drop or reorder a multiple choice's options: each answer is stored as a bit per option
  position, so options may only be added at the end.

Whoever publishes (web, command line, ``sync``) hears every such change with the question's
words and the reason, in their language, and nothing is published.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .catalogue import CATALOGUE
from .i18n import _
from .instrument import pick


@dataclass(frozen=True)
class Break:
    key: str
    message: str


class Incompatible(ValueError):
    """The new version breaks what the stored answers and the reports depend on."""

    def __init__(self, breaks: list[Break], key: str = ""):
        super().__init__("; ".join(b.message for b in breaks))
        self.breaks, self.key = breaks, key


def _questions(definition: Mapping[str, Any]) -> dict[str, dict]:
    return {q["key"]: q for s in definition["sections"] for q in s["questions"]}


def breaks(old: Mapping[str, Any], new: Mapping[str, Any], *, kept: Collection[str] = (),
           drops: bool = True, locale: str = "zh_TW") -> list[Break]:
    """Every change from ``old`` to ``new`` (two definitions of one key) that may not be made;
    ``kept``: the keys the host's reports are built on (the survey's main item), which no
    version may drop; ``drops=False``: retyping only (``old`` is an earlier version than the
    newest, which alone says what may be dropped)."""
    before, after = _questions(old), _questions(new)
    entry = CATALOGUE.get(old["key"])
    reported = entry is not None and entry.reported
    found = []
    for key, question in before.items():
        label = pick(question.get("short") or question["label"], locale)
        if key in after and after[key]["type"] != question["type"]:
            found.append(Break(key, _(
                "「%(label)s」（%(key)s）的題型不能從 %(old)s 改成 %(new)s：已收到的回答是依原題型儲存"
                "與統計的。要問不同的問題，請用新的題目代碼。", label=label, key=key,
                old=question["type"], new=after[key]["type"])))
        elif key in after and question["type"] == "multiple_choice" and not _appended(
                question, after[key]):
            found.append(Break(key, _(
                "「%(label)s」（%(key)s）是複選題，選項只能加在最後，不能刪除或調換順序：已收到的回答"
                "是依選項的位置儲存的。", label=label, key=key)))
        elif not drops:
            continue
        elif key not in after and key in kept:
            found.append(Break(key, _(
                "不能刪除「%(label)s」（%(key)s）：報告依這一題比較各機關，開放資料與 API 也發布它，"
                "以前各期的回答都有這一題。", label=label, key=key)))
        elif key not in after and reported and old["kind"] == "inspection" and question.get("points"):
            found.append(Break(key, _(
                "不能刪除計分題「%(label)s」（%(key)s）：以前的查核紀錄依這一題計分，各期報告也依它"
                "加總。可以修改題目文字或配分。", label=label, key=key)))
    return found


def _appended(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether ``new``'s options are ``old``'s, in order, with any new ones after them."""
    before = [o["key"] for o in old.get("options") or ()]
    return [o["key"] for o in new.get("options") or ()][:len(before)] == before


def check_compatible(old: Mapping[str, Any] | None, new: Mapping[str, Any], *,
                     kept: Collection[str] = (), locale: str = "zh_TW") -> None:
    """Raise ``Incompatible`` when ``new`` may not follow ``old`` (``None``: a first version)."""
    if old is not None and (found := breaks(old, new, kept=kept, locale=locale)):
        raise Incompatible(found)
