"""What an inspector's checklist carries besides its questions: the office and when it happened."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from webapp.capture.inspect.moments import MomentField
from webapp.platform.extensions import db
from webapp.platform.web.webforms import StrictForm, SubmissionMeta, plausible_moment
from webapp.programme.offices import Office


class InspectionMeta(SubmissionMeta):
    # which button (save a draft, submit, add a photo), and the photo that came along with it
    extra_names = frozenset({"action", "photo", "caption", "item"})

    #: the record's revision the page was opened at (0: a new record); see ``storage.claim_revision``
    revision = HiddenField("", validators=[Optional(), Regexp(r"^\d{1,9}$", message=_l("頁面資料不完整，請重新整理"))])
    office = SelectField(_l("受查機關"), validators=[InputRequired(message=_l("請選擇受查機關"))])
    #: typed, one tab stop (see ``moments``); the description is the format hint shown with it
    occurred_at = MomentField(
        _l("查核時間"), description=_l("格式：2025-08-12 14:30（年-月-日 時:分，24 小時制）"),
        validators=[InputRequired(message=_l("請填寫查核日期與時間")), plausible_moment],
    )


class ConfirmForm(StrictForm):
    """One button that confirms a deletion (a CSRF-protected POST)."""

    submit = SubmitField(_l("確定刪除"))


class PhotoForm(StrictForm):
    """One photo of a mystery visit, with what it shows."""

    photo = FileField(_l("照片（JPEG、PNG 或 WebP）"), validators=[FileRequired(_l("請選擇照片"))],
                      render_kw={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"})
    caption = StringField(_l("說明（選填，例如：無障礙坡道被推車擋住）"),
                          validators=[Optional(), Length(max=200, message=_l("說明最多 200 字"))])
    #: the checklist item it documents; checked against the checklist by ``evidence.add_photo``
    item = SelectField(_l("這張照片記錄的查核項目（選填）"), validate_choice=False, default="")


def office_choices() -> list[tuple[str, str]]:
    offices = db.session.scalars(select(Office).where(Office.active).order_by(Office.kind,
                                                                            Office.code))
    english = str(get_locale() or "").startswith("en")   # the names in the page's language
    return [SelectChoice("", _("請選擇"))] + [
        SelectChoice(o.code, f"{(o.name_en or o.name) if english else o.name}({o.code})")
        for o in offices]
