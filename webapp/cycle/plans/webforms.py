"""The plan form (which checks, in which period, how many per office), one assignment's, and
the forms that publish a draft plan and move several of its tasks at once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import InputRequired, NumberRange

from webapp.cycle.plans.services import MAX_PER_OFFICE
from webapp.platform.web.webforms import StrictForm

#: the box a coordinator ticks to give a task to someone who checked the office lately
CONFIRM_ROTATION = _l("我了解，仍要指派給這位查核人員")


class PlanForm(StrictForm):
    #: checked by ``plans.create``, which says why a period cannot be planned (not WTForms'
    #: bare "not a valid choice")
    which = SelectField(_l("查核類別與期間"), validate_choice=False,
                        validators=[InputRequired(message=_l("請選擇期間"))])
    per_office = IntegerField(
        _l("每個機關的次數"), default=1,
        validators=[InputRequired(message=_l("請填寫次數")),
                    NumberRange(1, MAX_PER_OFFICE, message=_l("次數應在 1 到 12 之間（規定至少 1 次）"))])
    submit = SubmitField(_l("建立排程草稿"))


class AssignmentForm(StrictForm):
    inspector = SelectField(_l("查核人員"), validators=[InputRequired(message=_l("請選擇查核人員"))])
    window_start = DateField(_l("開始日"), validators=[InputRequired(message=_l("請填寫開始日"))])
    due_on = DateField(_l("截止日"), validators=[InputRequired(message=_l("請填寫截止日"))])
    confirm = BooleanField(CONFIRM_ROTATION)
    submit = SubmitField(_l("儲存"))


class PublishForm(StrictForm):
    submit = SubmitField(_l("發布排程並通知查核人員"))


class MoveForm(StrictForm):
    """Several open tasks of one plan, ticked in its list, to one inspector."""
    #: checked by the view against the plan's open tasks, which says what is wrong with a tick
    tasks = SelectMultipleField(_l("要改派的任務"), validate_choice=False,
                                validators=[InputRequired(message=_l("請先勾選要改派的任務。"))])
    inspector = SelectField(_l("改派給"), validators=[InputRequired(message=_l("請選擇查核人員"))])
    confirm = BooleanField(CONFIRM_ROTATION)
    submit = SubmitField(_l("改派勾選的任務"))
