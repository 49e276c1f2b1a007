"""Reviewers approve inspectors' records or return them with a comment; only approved ones count.

An inspector's checklist decides an office's standing, so a second person looks at every one
before it enters the analysis.  A returned record goes back to its inspector with the comment,
is fixed and resubmitted, and comes back to this queue.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from forms.instrument import pick
from forms.scoring import bands_of

from .. import audit, instruments
from ..extensions import db
from ..i18n import locale_code
from ..models import Submission
from ..records import answer_rows, titles
from ..security import roles_required
from .forms import ReviewForm

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")


@bp.get("/")
@roles_required("reviewer", "admin")
def queue():
    waiting = db.session.scalars(
        select(Submission).where(Submission.channel == "inspector",
                                 Submission.status == "submitted")
        .order_by(Submission.submitted_at)).all()
    return render_template("review/queue.html", records=waiting, titles=titles())


@bp.route("/<int:submission_id>", methods=["GET", "POST"])
@roles_required("reviewer", "admin")
def decide(submission_id: int):
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.channel != "inspector" or submission.status == "draft":
        abort(404)
    form = ReviewForm()
    status = 200
    if form.validate_on_submit():
        if submission.status != "submitted":
            flash(_("這筆紀錄已經審核過了。"), "error")
            return redirect(url_for(".queue"))
        comment = (form.comment.data or "").strip()
        if form.send_back.data and not comment:
            form.comment.errors = [_("退回時請說明需要修改的地方。")]
            status = 400
        else:
            submission.status = "returned" if form.send_back.data else "approved"
            submission.review_comment = comment or None
            audit.record(submission.status, "submission", submission.id,
                         {"comment": comment or None, "score": submission.score})
            db.session.commit()
            flash(_("已核定。") if submission.status == "approved" else _("已退回給檢查員。"), "ok")
            return redirect(url_for(".queue"))
    elif form.is_submitted():
        status = 400
    instrument = instruments.instrument_of(submission.instrument_version)
    return render_template("review/decide.html", submission=submission, instrument=instrument,
                           rows=answer_rows(instrument, submission), bands=bands_of(instrument),
                           form=form, pick=pick, locale=locale_code()), status
