"""The administrators' forms: accounts, kiosks, and the one-button on/off switch."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from ..models import ROLES
from ..webforms import StrictForm


class ToggleForm(StrictForm):
    """A one-button form (activate / deactivate) so every change is a CSRF-protected POST."""

    submit = SubmitField()


class UserForm(StrictForm):
    email = EmailField(_l("電子郵件"), validators=[InputRequired(), Length(max=254)])
    role = SelectField(_l("角色"), choices=[SelectChoice(r, r) for r in ROLES])
    password = PasswordField(_l("初始密碼（至少 10 字元）"),
                             validators=[InputRequired(), Length(min=10, max=200)])
    submit = SubmitField(_l("建立帳號"))


class EditUserForm(StrictForm):
    role = SelectField(_l("角色"), choices=[SelectChoice(r, r) for r in ROLES])
    password = PasswordField(_l("新密碼（至少 10 字元；留空則不變）"),
                             validators=[Optional(), Length(min=10, max=200)])
    submit = SubmitField(_l("儲存"))


class KioskForm(StrictForm):
    office = SelectField(_l("機關"), validators=[InputRequired()])
    label = StringField(_l("名稱（例如：一樓櫃檯平板）"), validators=[InputRequired(), Length(max=100)])
    submit = SubmitField(_l("登記平板"))
