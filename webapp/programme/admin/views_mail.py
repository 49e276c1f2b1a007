"""``/admin/mail``: the administrator sees the mail still waiting for the mail server and the
mail given up on, and may send a given-up mail again (after fixing ``MAIL_URL`` or an address)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.platform import audit
from webapp.platform import mail as mail_server
from webapp.platform.db import utcnow
from webapp.platform.extensions import db
from webapp.platform.outbox import KEEP_SENT_DAYS, MAX_ATTEMPTS, OutgoingMail
from webapp.platform.web.security import roles_required
from webapp.programme.admin.views import bp
from webapp.programme.admin.webforms import ToggleForm

SHOWN = 100


@bp.get("/mail")
@roles_required("admin")
def mail():
    unsent = list(db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.sent_at.is_(None))
        .order_by(OutgoingMail.failed_at.is_(None), OutgoingMail.id.desc()).limit(SHOWN)))
    sent, failed, total = (db.session.scalar(select(func.count()).select_from(OutgoingMail)
                                             .where(*where)) for where in (
        [OutgoingMail.sent_at.is_not(None)], [OutgoingMail.failed_at.is_not(None)], []))
    return render_template("admin/mail.html", unsent=unsent, sent=sent, failed=failed,
                           waiting=total - sent - failed,
                           configured=mail_server.configured(),
                           keep_days=KEEP_SENT_DAYS, attempts=MAX_ATTEMPTS, retry=ToggleForm())


@bp.post("/mail/<int:mail_id>/retry")
@roles_required("admin")
def retry_mail(mail_id: int):
    row = db.session.get(OutgoingMail, mail_id) or abort(404)
    if ToggleForm().validate_on_submit() and row.failed_at is not None:
        row.failed_at, row.attempts, row.next_attempt_at = None, 0, utcnow()
        audit.record("changed", "mail", row.id, {"retry": True})
        db.session.commit()
        flash(_("這封信會在下一次排程工作時重新寄送。"), "ok")
    return redirect(url_for(".mail"))
