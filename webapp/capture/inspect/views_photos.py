"""A mystery visit's photos: added with the checklist (its draft saved first, so nothing typed
is lost), naming the checklist item each documents, and deleted while the record is a draft.

Routes on the ``inspect`` blueprint; a photo is re-encoded (no EXIF, no GPS) and kept by content
hash by ``evidence.add_photo``.
"""

from __future__ import annotations

from flask import abort, current_app, flash, get_flashed_messages, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.capture import checklists, evidence
from webapp.capture import photo_files as photos
from webapp.capture.evidence import Photo
from webapp.capture.inspect.views import EDITABLE, bp, checklist_page, edit_page, own_record, save
from webapp.capture.inspect.webforms import ConfirmForm, InspectionMeta, PhotoForm, office_choices
from webapp.capture.submissions import Submission
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import refused
from webapp.platform.web.security import roles_required, takes_photo
from webapp.programme import instruments


def editable_visit(submission_id: int) -> Submission:
    """One's own mystery visit that can still change: photos come and go with it."""
    submission = own_record(submission_id)
    if submission.instrument_key != "mystery":
        abort(404)
    if submission.status not in EDITABLE:
        abort(409, description=_("這筆紀錄已送出，不能再加入或刪除照片。"))
    return submission


def items_of(record: Submission) -> dict[str, str]:
    return dict(evidence.photo_items(instruments.instrument_of(record.instrument_version),
                                     locale_code()))


@bp.post("/<int:submission_id>/photos")
@roles_required("inspector", "admin")
@takes_photo
def add_photo(submission_id: int):
    """A photo is re-encoded (no EXIF, no GPS) and kept by content hash; a file that is not a
    photo is refused with the reason, and the refusal is audited.

    The checklist page's 加入照片 sends the whole checklist along (the photo's inputs belong to
    its form): the draft is saved first, so nothing typed since the last save is lost, then the
    photo is added.  A photo refused leaves the saved draft and says why."""
    submission = editable_visit(submission_id)
    if "idempotency_key" in request.form:
        return photo_with_draft(submission)
    form = PhotoForm()
    if form.validate_on_submit():
        raw = form.photo.data.read()
        try:
            evidence.add_photo(submission, raw, form.caption.data,
                               current_app.config["PHOTO_MAX_UPLOAD"], by=current_user,
                               item_key=form.item.data, items=items_of(submission))
        except photos.PhotoError as error:
            db.session.rollback()
            refused.upload_refused(raw, "unreadable")
            form.photo.errors = [str(error)]
            page, _status = edit_page(submission.instrument_key, submission, photo_form=form)
            return page, 400
        db.session.commit()
        flash(_("照片已加入。"), "ok")
        return redirect(url_for(".edit", submission_id=submission.id) + "#photos-title")
    page, _status = edit_page(submission.instrument_key, submission, photo_form=form)
    return page, 400


def photo_with_draft(submission: Submission):
    """Save the posted checklist as a draft, then add the photo posted with it."""
    version, instrument = instruments.posted_version(submission.instrument_key,
                                                     request.form.get("version"))
    form = instruments.form_class(version, locale_code(), enforce_required=False,
                                  base=evidence.form_base(instrument, InspectionMeta))()
    form.office.choices = office_choices()
    if not form.validate_on_submit():     # the answers back on the page, with what is wrong
        return checklist_page(form, instrument, submission, 400)
    outcome = save(submission.instrument_key, submission, instrument, version, form, draft=True)
    if isinstance(outcome, checklists.Conflict):
        form.revision.data = str(outcome.record.revision)
        return checklist_page(form, instrument, outcome.record, 409, outcome)
    get_flashed_messages()     # the draft's own message: one message for both below
    upload = request.files.get("photo")
    caption = (request.form.get("caption") or "").strip()
    photo_form = PhotoForm(formdata=None, data={"caption": caption,
                                                "item": request.form.get("item", "")})
    if upload is None or not upload.filename:
        photo_form.photo.errors = [_("請選擇照片")]
    elif len(caption) > 200:
        photo_form.caption.errors = [_("說明最多 200 字")]
    else:
        raw = upload.read()
        try:
            evidence.add_photo(submission, raw, caption or None,
                               current_app.config["PHOTO_MAX_UPLOAD"], by=current_user,
                               item_key=photo_form.item.data, items=dict(
                                   evidence.photo_items(instrument, locale_code())))
        except photos.PhotoError as error:
            db.session.rollback()
            refused.upload_refused(raw, "unreadable")
            photo_form.photo.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("草稿已儲存，照片已加入。"), "ok")
            return redirect(url_for(".edit", submission_id=submission.id) + "#photos-title")
    db.session.refresh(submission)
    flash(_("草稿已儲存，照片沒有加入。"), "ok")
    page, _status = edit_page(submission.instrument_key, submission, photo_form=photo_form)
    return page, 400


@bp.post("/<int:submission_id>/photos/<int:photo_id>/delete")
@roles_required("inspector", "admin")
def delete_photo(submission_id: int, photo_id: int):
    submission = editable_visit(submission_id)
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.submission_id != submission.id or not ConfirmForm().validate_on_submit():
        abort(404 if photo is None or photo.submission_id != submission.id else 400)
    files = evidence.remove_photos([photo])
    db.session.commit()
    evidence.forget_files(files)
    flash(_("照片已刪除。"), "ok")
    return redirect(url_for(".edit", submission_id=submission.id))
