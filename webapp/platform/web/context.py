"""Values every template may use: the language, ROC period labels, Taipei local time."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from analysis import periods
from analysis.charts.words import GRADES_EN
from webapp.platform.db import TAIPEI
from webapp.platform.i18n import locale_code


def register(app: Flask) -> None:
    @app.context_processor
    def values() -> dict:
        english = locale_code().startswith("en")

        def period_label(text: str) -> str:   # an odd period already stored: as it is
            return periods.label(text, locale_code())

        def local_time(moment: datetime | None) -> str:
            return "" if moment is None else moment.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")

        def switch_language() -> tuple[str, str]:
            """This page in the other language; built by ``url_for``, never from the raw path
            (``/%5Cevil.example/`` would make a link that leaves the site)."""
            target = "zh_Hant_TW" if english else "en"
            label = "中文" if english else "English"
            if request.url_rule is None or request.endpoint is None:
                return url_for("auth.home", lang=target), label
            args = request.args.to_dict() | {"lang": target}
            return (url_for(request.endpoint, **(request.view_args or {})) + "?" + urlencode(args),
                    label)

        def office_name(office) -> Markup:
            """An office (model or report row) by the name its reader's language has; in
            English mode a name only known in Chinese is marked as Chinese (WCAG 3.1.2)."""
            get = office.get if isinstance(office, dict) else lambda k: getattr(office, k, None)
            if not english:
                return escape(get("name"))
            if get("name_en"):
                return escape(get("name_en"))
            return chinese(get("name"))

        def grade_label(grade: str | None) -> Markup:
            if not grade:
                return Markup("—")
            if not english:
                return escape(grade)
            return escape(GRADES_EN[grade]) if grade in GRADES_EN else chinese(grade)

        def condition(instrument, item: dict) -> tuple[str, str] | None:
            """A conditional question's or section's expression (for the page's script) and
            the sentence people read (for everyone, script or not)."""
            text = item.get("relevant")
            return (text, instrument.describe_condition(text, locale_code())) if text else None

        return {"english": english, "condition": condition, "html_lang": "en" if english else "zh-Hant-TW",
                "period_label": period_label, "local_time": local_time,
                "switch_language": switch_language, "user": current_user,
                "office_name": office_name, "grade_label": grade_label, "chinese": chinese}


def chinese(text: object) -> Markup:
    """Text that stays Chinese on an English page, marked so a screen reader says it right."""
    return Markup('<span lang="zh-Hant-TW">%s</span>') % text
