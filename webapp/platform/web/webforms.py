"""The form bases every feature builds on: strict about what a page may post.

Unknown fields, broken text encodings (bytes that are not UTF-8 arrive as U+FFFD) and NUL
characters make the whole submission invalid, so hostile bodies get a 400 with a message and
nothing is stored, instead of being silently half-accepted.  ``SubmissionMeta`` adds what
every questionnaire or checklist page carries besides its questions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Regexp, ValidationError

from analysis.periods import FIRST_YEAR
from forms.messages import TranslatedMeta
from webapp.platform.db import TAIPEI


class StrictForm(FlaskForm):
    class Meta(TranslatedMeta):
        def current_locale(self) -> str:
            return str(get_locale() or "zh_TW")

    #: names a page may post that are not form fields (e.g. the inspector's draft/submit button)
    extra_names: ClassVar[frozenset[str]] = frozenset()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_submitted():
            return valid
        allowed = set(self._fields) | self.extra_names
        unknown = sorted(name for name in request.form.keys() if name not in allowed)
        if unknown:
            self.form_errors.append(_("收到無法辨識的欄位：%(names)s", names=", ".join(unknown[:5])))
            valid = False
        lists = {name for name, field in self._fields.items()   # e.g. ticked rows
                 if isinstance(field, SelectMultipleField)}
        repeated = sorted({name for name in request.form.keys()
                           if len(request.form.getlist(name)) > 1 and name not in lists})
        if repeated:
            self.form_errors.append(_("同一欄位送出了多個值：%(names)s", names=", ".join(repeated[:5])))
            valid = False
        values = [v for _name, v in request.form.items(multi=True)]
        if any("\ufffd" in v or "\x00" in v for v in values):
            self.form_errors.append(_("送出的文字編碼有誤，請重新整理頁面後再填一次。"))
            valid = False
        return valid


KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class SubmissionMeta(StrictForm):
    """Fields every questionnaire or checklist page carries besides the questions.

    The hidden fields get an empty label: without one WTForms derives it through gettext, and
    Flask-WTF then loads WTForms' own catalogue from disk on every request.
    """

    idempotency_key = HiddenField("", validators=[
        InputRequired(message=_l("頁面資料不完整，請重新整理")),
        Regexp(KEY_PATTERN, message=_l("頁面資料不完整，請重新整理")),
    ])
    version = HiddenField("", validators=[Regexp(r"^\d{1,9}$", message=_l("問卷版本有誤"))])
    # A honeypot: hidden from people by CSS, filled by naive bots.
    website = StringField(_l("請勿填寫此欄"))


def plausible_moment(form: Any, field: Any) -> None:
    """A visit or call time from 2000 to one day ahead (Taipei): year 0999 is a typing mistake,
    and its period (999H1) would mean nothing in any report."""
    moment = field.data
    if moment is None:
        return
    latest = datetime.now(TAIPEI).replace(tzinfo=None) + timedelta(days=1)
    if moment.year < FIRST_YEAR or moment > latest:
        raise ValidationError(_("時間應在 %(first)s 年之後，且不晚於明天；請檢查年份。",
                                first=FIRST_YEAR))
