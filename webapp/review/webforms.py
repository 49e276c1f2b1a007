"""The reviewer's decision: approve, or return with a comment the inspector will read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from webapp.platform.web.webforms import StrictForm


class ReviewForm(StrictForm):
    comment = TextAreaField(_l("審核意見（退回時必填；查核人員會看到，開立改善追蹤時受查機關也會看到）"),
                            validators=[Length(max=2000)])
    #: the record's revision the reviewer saw: a decision on anything newer is refused
    revision = HiddenField("", validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    approve = SubmitField(_l("核定"))
    send_back = SubmitField(_l("退回修改"))
