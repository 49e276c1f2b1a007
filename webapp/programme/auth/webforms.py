"""The sign-in and sign-out forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from webapp.platform.web.webforms import StrictForm


class LoginForm(StrictForm):
    email = EmailField(_l("電子郵件"), validators=[InputRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("密碼"), validators=[InputRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("登入"))


class LogoutForm(StrictForm):
    submit = SubmitField(_l("登出"))
