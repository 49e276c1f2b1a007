"""``/notifications``: what needs this account, newest first; marking them read is a POST."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select, update

from webapp.cycle.notifications import services as notify
from webapp.cycle.notifications.models import Notification
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web.security import roles_required
from webapp.platform.web.webforms import StrictForm
from webapp.programme.accounts import ROLES

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")
EVERYONE = ROLES   # every signed-in account has its notifications
SHOWN = 100


class ReadForm(StrictForm):
    """A one-button form: mark every notification read."""


@bp.get("/")
@roles_required(*EVERYONE)
def index():
    notes = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                               .order_by(Notification.id.desc()).limit(SHOWN)).all()
    locale = locale_code()
    return render_template("notifications/index.html", notes=notes, form=ReadForm(),
                           said={n.id: notify.sentence(n, locale) for n in notes})


@bp.post("/read")
@roles_required(*EVERYONE)
def read():
    if ReadForm().validate_on_submit():
        db.session.execute(update(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow()))
        db.session.commit()
    return redirect(url_for(".index"))
