"""The administrators' forms: accounts, kiosks, and the one-button on/off switch."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from forms.instrument import pick
from webapp.platform.i18n import locale_code
from webapp.platform.web.webforms import StrictForm
from webapp.programme.accounts import ROLE_LABELS


def role_choices() -> list[SelectChoice]:
    """Every role by its name in the reader's language, least privileged first."""
    return [SelectChoice(role, LazyString(lambda r=role: pick(ROLE_LABELS[r], locale_code())))
            for role in ROLE_LABELS]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def display_name_field() -> StringField:
    return StringField(_l("顯示名稱（例如：王小明）"), filters=[_strip], validators=[
        Optional(), Length(max=100),
        Regexp(r"^[^\x00-\x1f\x7f<>]*$", message=_l("名稱不能包含控制字元或角括號。"))])


class ToggleForm(StrictForm):
    """A one-button form (activate / deactivate) so every change is a CSRF-protected POST."""

    submit = SubmitField()


def office_field() -> SelectField:
    """The office an office manager sees; the view fills the choices and checks the pairing."""
    return SelectField(_l("機關（機關主管必填）"), validators=[Optional()], validate_choice=True)


class UserForm(StrictForm):
    email = EmailField(_l("電子郵件"), validators=[InputRequired(), Length(max=254)])
    display_name = display_name_field()
    # the least privileged role unless the admin chooses another
    role = SelectField(_l("角色"), choices=role_choices, default="inspector")
    office = office_field()
    password = PasswordField(_l("初始密碼（至少 10 字元）"),
                             validators=[InputRequired(), Length(min=10, max=200)])
    submit = SubmitField(_l("建立帳號"))


class EditUserForm(StrictForm):
    display_name = display_name_field()
    role = SelectField(_l("角色"), choices=role_choices)
    office = office_field()
    password = PasswordField(_l("新密碼（至少 10 字元；留空則不變）"),
                             validators=[Optional(), Length(min=10, max=200)])
    submit = SubmitField(_l("儲存"))


class KioskForm(StrictForm):
    office = SelectField(_l("機關"), validators=[InputRequired()])
    label = StringField(_l("名稱（例如：一樓櫃檯平板）"), validators=[InputRequired(), Length(max=100)])
    submit = SubmitField(_l("登記平板"))
