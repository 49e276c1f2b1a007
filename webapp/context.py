"""Values every template may use: the language, ROC period labels, Taipei local time."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Flask, request
from flask_login import current_user

from analysis.periods import Period

from .i18n import locale_code
from .models import TAIPEI


def register(app: Flask) -> None:
    @app.context_processor
    def values() -> dict:
        english = locale_code().startswith("en")

        def period_label(text: str) -> str:
            period = Period.parse(text)
            return period.english_label() if english else period.roc_label()

        def local_time(moment: datetime | None) -> str:
            return "" if moment is None else moment.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")

        def switch_language() -> tuple[str, str]:
            target = "zh_Hant_TW" if english else "en"
            args = request.args.to_dict() | {"lang": target}
            return (request.path + "?" + urlencode(args),
                    "中文" if english else "English")

        return {"english": english, "html_lang": "en" if english else "zh-Hant-TW",
                "period_label": period_label, "local_time": local_time,
                "switch_language": switch_language, "user": current_user}
