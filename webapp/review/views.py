"""Reviewers approve inspectors' records or return them with a comment; only approved ones count.

An inspector's checklist decides an office's standing, so a second person looks at every one
before it enters the analysis.  A returned record goes back to its inspector with the comment,
is fixed and resubmitted, and comes back to this queue.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.instrument import pick
from forms.scoring import bands_of
from webapp.capture import evidence
from webapp.capture.inspect import views_list as record_list
from webapp.capture.records import answer_rows, changes_since_return, history, titles
from webapp.capture.submissions import Submission
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import listing
from webapp.platform.web.security import roles_required
from webapp.programme import instruments
from webapp.review import decisions
from webapp.review.decisions import DECIDED
from webapp.review.webforms import ReviewForm

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")


@bp.get("/")
@roles_required("reviewer", "admin")
def queue():
    """Records waiting for a decision, oldest first (first come, first served); the same
    list, filtered by status, finds what was returned or approved before."""
    offices, inspectors = record_list.offices(), record_list.inspectors()
    query = record_list.filtered(record_list.records(), offices, inspectors, statuses=DECIDED,
                                 status="submitted")
    page = listing.page(query, record_list.sorts(), default="submitted", tiebreak=Submission.id)
    return render_template("review/queue.html", listing=page, titles=titles(),
                           statuses={k: v for k, v in record_list.status_labels().items()
                                     if k in DECIDED},
                           offices=offices, inspectors=inspectors)


@bp.route("/<int:submission_id>", methods=["GET", "POST"])
@roles_required("reviewer", "admin")
def decide(submission_id: int):
    """Approve or return, conditional on the revision the reviewer saw: a page opened before
    the inspector resubmitted, or a second reviewer deciding at the same moment, gets 409.
    Nobody decides on a record they filed."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.channel != "inspector" or submission.status == "draft":
        abort(404)
    own = submission.inspector_id == current_user.id
    form = ReviewForm()
    status = 200
    if request.method == "GET":
        form.revision.data = str(submission.revision)
    elif own:
        abort(403, description=_("不能審核自己填寫的紀錄，請由另一位審核人員審核。"))
    elif form.validate_on_submit():
        outcome = decision(submission, form)
        if outcome is not None:
            return outcome
        status = 400
    elif form.is_submitted():
        status = 400
    instrument = instruments.instrument_of(submission.instrument_version)
    return render_template("review/decide.html", submission=submission, instrument=instrument,
                           rows=answer_rows(instrument, submission), bands=bands_of(instrument),
                           changes=changes_since_return(instrument, submission),
                           events=history(submission), own=own,
                           photos=evidence.photos_of(submission),
                           photo_items=dict(evidence.photo_items(instrument, locale_code())),
                           form=form, pick=pick, locale=locale_code()), status


def decision(submission: Submission, form: ReviewForm):
    """Carry out the posted decision; a response, or None with the form's errors set."""
    if form.approve.data == form.send_back.data:  # neither (a bare POST) or both
        form.form_errors.append(_("請按「核定」或「退回修改」其中一個。"))
        return None
    comment = (form.comment.data or "").strip()
    if form.send_back.data and not comment:
        form.comment.errors = [_("退回時請說明需要修改的地方。")]
        return None
    outcome = "returned" if form.send_back.data else "approved"
    try:
        decisions.decide(submission, outcome, comment, int(form.revision.data))
    except decisions.Stale:
        db.session.rollback()
        abort(409, description=_("這筆紀錄在您開啟之後已有變更（檢查員重新送出，或另一位審核人員已審核）。"
                                 "請重新開啟這個頁面，看過最新內容後再決定。"))
    db.session.commit()   # what follows (a case, a notification) runs after this
    if outcome == "approved":
        said = " ".join(filter(None, decisions.after_approval.results(submission.id)))
        flash(said or _("已核定。"), "ok")
    else:
        flash(_("已退回給檢查員。"), "ok")
    upcoming = decisions.next_waiting(current_user.id)
    if upcoming is None:
        flash(_("目前沒有其他待審核的紀錄。"), "ok")
        return redirect(url_for(".queue"))
    flash(_("以下是下一筆待審核的紀錄。"), "ok")
    return redirect(url_for(".decide", submission_id=upcoming.id))
