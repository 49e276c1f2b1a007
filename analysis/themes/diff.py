"""What a new catalogue version changes, in sentences an analyst checks before publishing:
themes added or removed, labels renamed, and the words added to or taken from each list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analysis.themes.catalogue import SIGNAL_LISTS, WORD_LISTS

_KINDS = {"complaint": ("抱怨詞", "complaint words"), "praise": ("稱讚詞", "praise words"),
          "mention": ("提及詞", "mention words")}
_LISTS = {"tone_complaint": ("不分主題的抱怨詞", "complaint words of no theme"),
          "tone_praise": ("不分主題的稱讚詞", "praise words of no theme"),
          "negators": ("否定詞", "negators"), "degrees": ("程度詞", "degree words"),
          "wishes": ("建議詞", "wish words"), "turns": ("轉折詞", "turn words")}


def _quoted(words: list[str], en: bool) -> str:
    return ", ".join(f"“{w}”" for w in words) if en else "、".join(f"「{w}」" for w in words)


def _words_changed(name: str, old: list[str], new: list[str], en: bool) -> str | None:
    added = [w for w in new if w not in old]
    removed = [w for w in old if w not in new]
    if not added and not removed:
        return None
    parts = []
    if added:
        parts.append(("added " if en else "新增") + _quoted(added, en))
    if removed:
        parts.append(("removed " if en else "刪除") + _quoted(removed, en))
    return f"{name}: " + "; ".join(parts) if en else f"{name}：" + "；".join(parts)


def compare(old: Mapping[str, Any], new: Mapping[str, Any], locale: str = "zh_TW") -> list[str]:
    en = locale.startswith("en")
    lang = "en" if en else "zh_TW"
    said: list[str] = []
    before = {t["key"]: t for t in old.get("themes", [])}
    after = {t["key"]: t for t in new.get("themes", [])}
    for key, theme in after.items():
        label = theme["label"][lang]
        if key not in before:
            said.append(f"new theme “{label}” ({key})" if en else f"新增主題「{label}」（{key}）")
            continue
        for language in ("zh_TW", "en"):
            was, now = before[key]["label"][language], theme["label"][language]
            if was != now:
                said.append(f"theme {key}: label “{was}” → “{now}”" if en else
                            f"主題 {key} 的名稱：「{was}」→「{now}」")
        for kind in SIGNAL_LISTS:
            name = f"{label} · {_KINDS[kind][1]}" if en else f"{label}・{_KINDS[kind][0]}"
            line = _words_changed(name, before[key].get(kind, []), theme.get(kind, []), en)
            if line:
                said.append(line)
    for key, theme in before.items():
        if key not in after:
            label = theme["label"][lang]
            said.append(f"theme “{label}” ({key}) removed" if en else f"刪除主題「{label}」（{key}）")
    for name in ("tone_complaint", "tone_praise", *WORD_LISTS):
        line = _words_changed(_LISTS[name][1 if en else 0], _list(old, name), _list(new, name), en)
        if line:
            said.append(line)
    was, now = old.get("variants", {}), new.get("variants", {})
    for typed in now:
        if was.get(typed) != now[typed]:
            said.append(f"“{typed}” is read as “{now[typed]}”" if en else
                        f"「{typed}」讀作「{now[typed]}」")
    for typed in was:
        if typed not in now:
            said.append(f"“{typed}” is read as written again" if en else f"「{typed}」不再改寫")
    return said


def _list(definition: Mapping[str, Any], name: str) -> list[str]:
    if name.startswith("tone_"):
        return list(definition.get("tone", {}).get(name.removeprefix("tone_"), []))
    return list(definition.get(name, []))
