"""Administrators manage offices, accounts, kiosks and instruments, and read the audit log."""

from __future__ import annotations

import secrets

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from wtforms import SelectChoice

from forms.instrument import pick
from webapp.platform import audit
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import listing
from webapp.platform.web.security import PROGRAMME, roles_required
from webapp.programme.accounts import ROLE_LABELS, ROLES, User
from webapp.programme.admin import sentences
from webapp.programme.admin.webforms import EditUserForm, KioskForm, ToggleForm, UserForm
from webapp.programme.offices import Kiosk, Office

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
PAGE = 50


def switch(row: Office | Kiosk | User, kind: str, back: str):
    """Switch ``row`` on or off (a CSRF-checked one-button form), audited, then go ``back``.
    A deactivated account's sessions end for good: reactivating it revives none of them."""
    if ToggleForm().validate_on_submit():
        row.active = not row.active
        if isinstance(row, User) and not row.active:
            row.end_sessions()
        audit.record(f"{kind}_changed", kind, row.id, {"active": row.active})
        db.session.commit()
    return redirect(url_for(back))


@bp.get("/")
@roles_required(*PROGRAMME)
def index():
    return redirect(url_for(".offices"))


@bp.post("/offices/<int:office_id>/toggle")
@roles_required(*PROGRAMME)
def toggle_office(office_id: int):
    return switch(db.session.get(Office, office_id) or abort(404), "office", ".offices")


def with_offices(form: UserForm | EditUserForm) -> UserForm | EditUserForm:
    offices = db.session.scalars(select(Office).where(Office.active).order_by(Office.code)).all()
    form.office.choices = [SelectChoice("", _("（不適用）"))] + [
        SelectChoice(o.code, f"{o.name}（{o.code}）") for o in offices]
    return form


def office_for(form: UserForm | EditUserForm) -> Office | None | bool:
    """The office the form binds the account to; False (with the error set) when an office
    manager has none.  Any other role is bound to no office."""
    if form.role.data != "office":
        return None
    office = db.session.scalar(select(Office).where(Office.code == (form.office.data or "")))
    if office is None:
        form.office.errors = [_("機關主管需要指定一個機關。")]
        return False
    return office


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users():
    form = with_offices(UserForm())
    status = 200
    if form.validate_on_submit() and (office := office_for(form)) is not False:
        email = form.email.data.strip().lower()
        if db.session.scalar(select(User).where(func.lower(User.email) == email)):
            form.email.errors = [_("這個帳號已經存在。")]
            status = 400
        else:
            user = User(email=email, role=form.role.data, office_id=office.id if office else None,
                        display_name=form.display_name.data or None)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            audit.record("user_created", "user", user.id,
                         {"email": email, "role": user.role, "name": user.display_name,
                          "office": office.code if office else None})
            db.session.commit()
            flash(_("已建立帳號 %(email)s。", email=email), "ok")
            return redirect(url_for(".users"))
    elif form.is_submitted():
        status = 400
    english = locale_code().startswith("en")
    roles = [(r, pick(ROLE_LABELS[r], "en" if english else "zh_TW")) for r in ROLES]
    return render_template("admin/users.html", listing=user_list(), form=form, roles=roles,
                           toggle=ToggleForm()), status


def user_list() -> listing.Listing:
    """Accounts filtered by role, state and a search in the e-mail or name."""
    query = select(User)
    if role := listing.choice("role", ROLES, _("角色")):
        query = query.where(User.role == role)
    if state := listing.choice("active", ("yes", "no"), _("狀態")):
        query = query.where(User.active.is_(state == "yes"))
    query = listing.search(query, User.email, User.display_name)
    return listing.page(query, {"name": (User.display_name, User.email), "email": User.email,
                                "role": User.role, "created": User.created_at},
                        default="role", tiebreak=User.id, per_page=PAGE)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    """Change an account's role or set a new password (which signs it out everywhere)."""
    user = db.session.get(User, user_id) or abort(404)
    form = with_offices(EditUserForm(role=user.role, display_name=user.display_name,
                                     office=user.office.code if user.office else ""))
    status = 200
    if form.validate_on_submit() and (office := office_for(form)) is not False:
        changes: dict[str, object] = {}
        if (office.id if office else None) != user.office_id:
            changes["office"] = [user.office.code if user.office else None,
                                 office.code if office else None]
        if form.role.data != user.role:
            if user.id == current_user.id:
                form.role.errors = [_("不能變更自己的角色。")]
            else:
                changes["role"] = [user.role, form.role.data]
        name = form.display_name.data or None
        if name != user.display_name:
            changes["name"] = [user.display_name, name]
        if not form.role.errors:
            if "role" in changes:
                user.role = form.role.data
            if "office" in changes:
                user.office_id = office.id if office else None
            user.display_name = name
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
        return redirect(url_for(".users"))
    return switch(user, "user", ".users")


@bp.route("/kiosks", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
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
    # each active tablet's link as a QR code: a tablet is set up by scanning, not typing
    links, codes = {}, {}
    for k in rows:
        if k.active:
            links[k.id] = url_for("survey.kiosk", token=k.token, _external=True)
            codes[k.id] = Markup(segno.make(links[k.id], error="m").svg_inline(
                scale=3, title=_("%(label)s 的專屬連結", label=k.label)))
    return render_template("admin/kiosks.html", kiosks=rows, form=form, toggle=ToggleForm(),
                           links=links, codes=codes), status


@bp.post("/kiosks/<int:kiosk_id>/toggle")
@roles_required(*PROGRAMME)
def toggle_kiosk(kiosk_id: int):
    return switch(db.session.get(Kiosk, kiosk_id) or abort(404), "kiosk", ".kiosks")


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    args = request.args
    query = select(AuditEvent)
    if action := listing.choice("action", audit.ACTIONS, _("動作")):
        query = query.where(AuditEvent.action == action)
    if who := (args.get("actor") or "").strip()[:254]:  # by e-mail or by display name
        named = select(User).where(User.display_name.contains(who))
        query = query.where(or_(AuditEvent.actor.contains(who),
                                AuditEvent.actor_id.in_(named.with_only_columns(User.id)),
                                AuditEvent.actor.in_(named.with_only_columns(User.email))))
    if args.get("target_type"):
        query = query.where(AuditEvent.target_type == args["target_type"][:32])
    query = listing.between(query, AuditEvent.at)
    page = listing.page(query, {"at": AuditEvent.at}, default="-at", tiebreak=AuditEvent.id,
                        per_page=PAGE)
    english = locale_code().startswith("en")
    actions = {a: sentences.VERBS.get(a, (a, a))[1 if english else 0] for a in audit.ACTIONS}
    return render_template("admin/audit.html", listing=page, actions=actions,
                           said=sentences.sentences(page.rows, locale_code()))


# the office registry's pages live in their own module
from webapp.programme.admin import views_instruments, views_mail, views_offices, views_tokens  # noqa: E402,F401
