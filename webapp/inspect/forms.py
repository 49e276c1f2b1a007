"""What an inspector's checklist carries besides its questions: the office and when it happened."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateTimeLocalField, SelectChoice, SelectField
from wtforms.validators import InputRequired

from ..extensions import db
from ..models import Office
from ..webforms import SubmissionMeta


class InspectionMeta(SubmissionMeta):
    extra_names = frozenset({"action"})  # which button: save a draft or submit

    office = SelectField(_l("受查機關"), validators=[InputRequired(message=_l("請選擇受查機關"))])
    occurred_at = DateTimeLocalField(
        _l("查核時間"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        validators=[InputRequired(message=_l("請填寫查核日期與時間"))],
    )


def office_choices() -> list[tuple[str, str]]:
    offices = db.session.scalars(select(Office).where(Office.active).order_by(Office.kind,
                                                                            Office.code))
    return [SelectChoice("", _("請選擇"))] + [SelectChoice(o.code, f"{o.name}({o.code})")
                                            for o in offices]
