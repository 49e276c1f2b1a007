"""``/admin/api-tokens``: administrators create and revoke API tokens and see each one's use
per day.  A new token is shown once, on the page that created it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from webapp.platform.extensions import db
from webapp.platform.web.security import roles_required
from webapp.platform.web.webforms import StrictForm
from webapp.programme import api_tokens
from webapp.programme.admin.views import bp
from webapp.programme.admin.webforms import ToggleForm
from webapp.programme.api_tokens import ApiToken


class TokenForm(StrictForm):
    name = StringField(_l("用途（例如：市府開放資料平台）"), validators=[InputRequired(), Length(max=100)])
    scope = SelectField(_l("範圍"), choices=[SelectChoice("public", _l("公開結果")),
                                            SelectChoice("analyst", _l("公開結果與去識別化原始資料"))],
                        default="public")
    submit = SubmitField(_l("建立金鑰"))


def _page(form: TokenForm, created: str | None = None, status: int = 200):
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                        ApiToken.id.desc())).all()
    return render_template("admin/tokens.html", form=form, tokens=rows, created=created,
                           usage={t.id: api_tokens.usage(t, 7) for t in rows},
                           revoke=ToggleForm()), status


@bp.route("/api-tokens", methods=["GET", "POST"])
@roles_required("admin")
def tokens():
    form = TokenForm()
    if form.validate_on_submit():
        _row, text = api_tokens.create(form.name.data, form.scope.data, current_user)
        db.session.commit()
        return _page(TokenForm(formdata=None), created=text)
    return _page(form, status=400 if form.is_submitted() else 200)


@bp.post("/api-tokens/<int:token_id>/revoke")
@roles_required("admin")
def revoke_token(token_id: int):
    row = db.session.get(ApiToken, token_id) or abort(404)
    if ToggleForm().validate_on_submit():
        api_tokens.revoke(row)
        db.session.commit()
        flash(_("已停用金鑰 %(prefix)s…", prefix=row.prefix), "ok")
    return redirect(url_for(".tokens"))
