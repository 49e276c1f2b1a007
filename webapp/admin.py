"""Administrators manage offices, accounts, kiosks and instruments, and read the audit log."""

from __future__ import annotations

import secrets
from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from . import audit
from .auth import roles_required
from .extensions import db
from .models import ROLES, TAIPEI, AuditEvent, InstrumentVersion, Kiosk, Office, User
from .strict import StrictForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE = 100


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


@bp.get("/")
@roles_required("admin")
def index():
    return redirect(url_for(".offices"))


@bp.get("/offices")
@roles_required("admin")
def offices():
    rows = db.session.scalars(select(Office).order_by(Office.kind, Office.code)).all()
    return render_template("admin/offices.html", offices=rows, toggle=ToggleForm())


@bp.post("/offices/<int:office_id>/toggle")
@roles_required("admin")
def toggle_office(office_id: int):
    office = db.session.get(Office, office_id) or abort(404)
    if ToggleForm().validate_on_submit():
        office.active = not office.active
        audit.record("office_changed", "office", office.id, {"active": office.active})
        db.session.commit()
    return redirect(url_for(".offices"))


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if db.session.scalar(select(User).where(func.lower(User.email) == email)):
            form.email.errors = [_("這個帳號已經存在。")]
            status = 400
        else:
            user = User(email=email, role=form.role.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            audit.record("user_created", "user", user.id, {"email": email, "role": user.role})
            db.session.commit()
            flash(_("已建立帳號 %(email)s。", email=email), "ok")
            return redirect(url_for(".users"))
    elif form.is_submitted():
        status = 400
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=rows, form=form, toggle=ToggleForm()), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    """Change an account's role or set a new password (which signs it out everywhere)."""
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(role=user.role)
    status = 200
    if form.validate_on_submit():
        changes: dict[str, object] = {}
        if form.role.data != user.role:
            if user.id == current_user.id:
                form.role.errors = [_("不能變更自己的角色。")]
            else:
                changes["role"] = [user.role, form.role.data]
        if not form.role.errors:
            if changes:
                user.role = form.role.data
            if (form.password.data or "").strip():  # blank or only spaces: password unchanged
                user.set_password(form.password.data)
                changes["password"] = "reset"
            if changes:
                audit.record("user_changed", "user", user.id, changes)
                db.session.commit()
                if user.id == current_user.id and "password" in changes:
                    login_user(user)  # this browser stays signed in; the others are signed out
                flash(_("已更新帳號 %(email)s。", email=user.email), "ok")
            return redirect(url_for(".users"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("admin/user_edit.html", account=user, form=form), status


@bp.post("/users/<int:user_id>/toggle")
@roles_required("admin")
def toggle_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash(_("不能停用自己的帳號。"), "error")
    elif ToggleForm().validate_on_submit():
        user.active = not user.active
        audit.record("user_changed", "user", user.id, {"active": user.active})
        db.session.commit()
    return redirect(url_for(".users"))


@bp.route("/kiosks", methods=["GET", "POST"])
@roles_required("admin")
def kiosks():
    form = KioskForm()
    offices = db.session.scalars(select(Office).where(Office.active).order_by(Office.code)).all()
    form.office.choices = [SelectChoice(o.code, o.name) for o in offices]
    status = 200
    if form.validate_on_submit():
        office = next(o for o in offices if o.code == form.office.data)
        kiosk = Kiosk(office_id=office.id, token=secrets.token_urlsafe(16),
                      label=form.label.data.strip(), created_by_id=current_user.id)
        db.session.add(kiosk)
        db.session.flush()
        audit.record("kiosk_registered", "kiosk", kiosk.id,
                     {"office": office.code, "label": kiosk.label})
        db.session.commit()
        flash(_("平板已登記，請在平板上開啟下方的專屬連結。"), "ok")
        return redirect(url_for(".kiosks"))
    elif form.is_submitted():
        status = 400
    rows = db.session.scalars(select(Kiosk).order_by(Kiosk.office_id, Kiosk.id)).all()
    return render_template("admin/kiosks.html", kiosks=rows, form=form, toggle=ToggleForm()), status


@bp.post("/kiosks/<int:kiosk_id>/toggle")
@roles_required("admin")
def toggle_kiosk(kiosk_id: int):
    kiosk = db.session.get(Kiosk, kiosk_id) or abort(404)
    if ToggleForm().validate_on_submit():
        kiosk.active = not kiosk.active
        audit.record("kiosk_changed", "kiosk", kiosk.id, {"active": kiosk.active})
        db.session.commit()
    return redirect(url_for(".kiosks"))


@bp.get("/instruments")
@roles_required("admin")
def instruments():
    rows = db.session.scalars(select(InstrumentVersion).order_by(
        InstrumentVersion.key, InstrumentVersion.version.desc())).all()
    return render_template("admin/instruments.html", versions=rows)


def _day(text: str | None, end: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        abort(400)
    return datetime.combine(day, time.max if end else time.min, TAIPEI)


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    args = request.args
    query = select(AuditEvent)
    if args.get("action"):
        query = query.where(AuditEvent.action == args["action"])
    if args.get("actor"):
        query = query.where(AuditEvent.actor.contains(args["actor"][:254]))
    if args.get("target_type"):
        query = query.where(AuditEvent.target_type == args["target_type"][:32])
    if (start := _day(args.get("from"))) is not None:
        query = query.where(AuditEvent.at >= start)
    if (end := _day(args.get("to"), end=True)) is not None:
        query = query.where(AuditEvent.at <= end)
    events = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                .limit(PAGE)).all()
    return render_template("admin/audit.html", events=events, args=args, actions=audit.ACTIONS)
