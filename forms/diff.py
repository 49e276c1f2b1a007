"""What changes between two versions of an instrument, in the words of the people who check it.

Before an admin publishes an edited workbook they see which items were added, removed,
reworded or reweighted, and which settings (title, grade bands, threshold) changed; a new
version changes what offices are scored on, so nothing is published unseen.  Every change is
said with the question's text and the field's name as the workbook's reader knows them
("題目文字（英文）", "配分"), never an internal key; a Chinese text reworded while its English
one stayed as it was is flagged, since the English page would then ask something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .i18n import _
from .instrument import canonical_json, pick

#: what a change to a question's field is called
WORDING = ("label", "short", "unit", "options")
WEIGHT = ("points", "bands")


def _field_names() -> dict[str, str]:
    """Each field as the workbook's reader calls it (built per call: translated per request)."""
    return {
        "label": _("題目文字"), "short": _("簡稱"), "unit": _("單位"), "options": _("選項"),
        "points": _("配分"), "bands": _("給分級距"), "type": _("題型"), "required": _("必填"),
        "relevant": _("顯示條件"), "min": _("最小值"), "max": _("最大值"),
        "allow_na": _("可答「不適用」"), "max_length": _("字數上限"), "section": _("區段"),
        "title": _("問卷名稱"), "intro": _("開頭說明"), "grade_bands": _("等第級距"),
        "improvement_threshold": _("開立改善案件的分數門檻"), "scored": _("計分"),
        "kind": _("類別"), "fraction": _("得分比例"), "not_applicable": _("算作不適用"),
        "office_kinds": _("提供的機關"), "section_title": _("標題"),
    }


@dataclass
class Change:
    key: str
    label: str
    details: list[str] = field(default_factory=list)


@dataclass
class Diff:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    reworded: list[Change] = field(default_factory=list)
    reweighted: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)     # type, required, condition, section
    settings: list[Change] = field(default_factory=list)
    #: Chinese reworded, English left as it was: a warning, not a change of its own
    stale: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.added, self.removed, self.reworded, self.reweighted, self.other,
                        self.settings))


def _questions(definition: Mapping[str, Any]) -> dict[str, tuple[str, dict]]:
    return {q["key"]: (s["key"], q) for s in definition["sections"] for q in s["questions"]}


def _bilingual(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"zh_TW", "en"}


def _shown(name: str, value: Any, locale: str) -> str:
    if value is None or value == "":
        return _("（空白）")
    if _bilingual(value):
        return f"「{pick(value, locale)}」"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "bands":
        return "、".join(f"≤{limit}：{fraction}" for limit, fraction in value)
    if name == "grade_bands":
        return "、".join(f"{label} ≥ {lowest}" for lowest, label in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "、".join(value)
    if isinstance(value, list | dict):
        return canonical_json(value)
    return f"「{value}」" if isinstance(value, str) else str(value)


def _same(a: Any, b: Any) -> bool:
    return canonical_json(a) == canonical_json(b)


def _field_changes(name: str, was: Any, now: Any, locale: str, title: str | None = None) -> list[str]:
    """``題目文字（英文）：「before」→「after」``, a bilingual text language by language."""
    title = title or _field_names().get(name, name)
    if name == "office_kinds":
        kinds = {"household": _("戶政事務所"), "land": _("地政事務所")}
        was, now = ([kinds.get(k, k) for k in v] if v else None for v in (was, now))
    if _bilingual(was) and _bilingual(now) or (_bilingual(was) and now is None) or (
            was is None and _bilingual(now)):
        was, now = was or {}, now or {}
        langs = (("zh_TW", _("中文")), ("en", _("英文")))
        return [_("%(field)s（%(lang)s）：%(before)s → %(after)s", field=title, lang=lang_name,
                  before=_shown("", was.get(lang), locale), after=_shown("", now.get(lang), locale))
                for lang, lang_name in langs if (was.get(lang) or "") != (now.get(lang) or "")]
    return [_("%(field)s：%(before)s → %(after)s", field=title, before=_shown(name, was, locale),
              after=_shown(name, now, locale))]


def _option_changes(was: list[dict], now: list[dict], locale: str) -> list[str]:
    """Options added, removed or changed, each by its text."""
    before = {o["key"]: o for o in was or ()}
    after = {o["key"]: o for o in now or ()}
    lines = [_("新增選項「%(option)s」", option=pick(o["label"], locale))
             for k, o in after.items() if k not in before]
    lines += [_("刪除選項「%(option)s」", option=pick(o["label"], locale))
              for k, o in before.items() if k not in after]
    for key, option in after.items():
        old = before.get(key)
        if old is None:
            continue
        for name in sorted((set(old) | set(option)) - {"key"}):
            if not _same(old.get(name), option.get(name)):
                lines += [_("選項「%(option)s」的%(change)s", option=pick(old["label"], locale),
                            change=line) for line in _field_changes(
                                name, old.get(name), option.get(name), locale,
                                _("文字") if name == "label" else None)]
    if [o for o in before if o in after] != [o for o in after if o in before]:
        lines.append(_("選項的順序改變"))
    return lines


def _changed(was: Mapping[str, Any], now: Mapping[str, Any], names, locale: str) -> list[str]:
    lines: list[str] = []
    for name in names:
        if _same(was.get(name), now.get(name)):
            continue
        if name == "options":
            lines += _option_changes(was.get(name), now.get(name), locale)
        else:
            lines += _field_changes(name, was.get(name), now.get(name), locale)
    return lines


def _stale_english(key: str, label: str, texts: list[tuple[str, Any, Any]], locale: str,
                   into: list[Change]) -> None:
    """Flag each text whose Chinese changed while a non-empty English one did not."""
    details = [_("%(field)s：中文改為%(now)s，英文仍是%(english)s", field=name,
                 now=_shown("", now["zh_TW"], locale), english=_shown("", now["en"], locale))
               for name, was, now in texts
               if _bilingual(was) and _bilingual(now) and now.get("en")
               and was.get("zh_TW") != now.get("zh_TW") and was.get("en") == now.get("en")]
    if details:
        into.append(Change(key, label, details))


def _texts(was: Mapping[str, Any], now: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field name, before, after) for a question's texts and its options' labels."""
    names = _field_names()
    texts = [(names[n], was.get(n), now.get(n)) for n in ("label", "short", "unit")]
    before = {o["key"]: o for o in was.get("options") or ()}
    texts += [(_("選項「%(option)s」", option=pick(before[o["key"]]["label"], "zh_TW")),
               before[o["key"]]["label"], o["label"])
              for o in now.get("options") or () if o["key"] in before]
    return texts


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any], locale: str = "zh_TW") -> Diff:
    """The changes from ``before`` (the current version, ``None`` for a new instrument)."""
    diff = Diff()
    old = _questions(before) if before else {}
    new = _questions(after)
    diff.added = [Change(k, pick(q["label"], locale)) for k, (_s, q) in new.items() if k not in old]
    diff.removed = [Change(k, pick(q["label"], locale)) for k, (_s, q) in old.items() if k not in new]
    sections = {s["key"]: s for s in [*(before or {}).get("sections", ()), *after["sections"]]}

    def section_title(key: str) -> str:
        return pick(sections[key].get("title") or key, locale)
    for key, (section, question) in new.items():
        if key not in old:
            continue
        was_section, was = old[key]
        label = pick(question["label"], locale)
        for group, names in ((diff.reworded, WORDING), (diff.reweighted, WEIGHT)):
            if details := _changed(was, question, names, locale):
                group.append(Change(key, label, details))
        rest = sorted((set(was) | set(question)) - set(WORDING) - set(WEIGHT) - {"key"})
        details = _changed(was, question, rest, locale)
        if was_section != section:
            details.insert(0, _("%(field)s：「%(before)s」→「%(after)s」", field=_field_names()["section"],
                                before=section_title(was_section), after=section_title(section)))
        if details:
            diff.other.append(Change(key, label, details))
        _stale_english(key, label, _texts(was, question), locale, diff.stale)
    if before:
        names = _field_names()
        for name in sorted((set(before) | set(after)) - {"sections", "version", "key"}):
            if not _same(before.get(name), after.get(name)):
                diff.settings.append(Change(name, names.get(name, name), _field_changes(
                    name, before.get(name), after.get(name), locale)))
        _stale_english("title", names["title"], [(names["title"], before.get("title"),
                                                  after.get("title"))], locale, diff.stale)
        titles = {s["key"]: s.get("title") for s in before["sections"]}
        for section in after["sections"]:
            if section["key"] in titles and not _same(titles[section["key"]], section.get("title")):
                label = _("區段「%(section)s」的標題", section=pick(section.get("title", ""), locale))
                diff.settings.append(Change(section["key"], label, _field_changes(
                    "section_title", titles[section["key"]], section.get("title"), locale)))
    return diff
