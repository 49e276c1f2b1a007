"""``/calibration/``: calibration rounds.  The coordinator opens a round on a recorded call or
a visit scenario; each inspector scores it once with the checklist; the coordinator reads how
far they agree: ICC(2,1) on the totals, Krippendorff's alpha per yes/no item, and each
inspector's mean deviation from the others (``webapp.calibrations``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from forms.builder import answers_from_form
from webapp.capture.inspect.views import panels as inspector_panels
from webapp.capture.records import INSPECTION_KEYS, titles
from webapp.cycle.calibration import services as calibrations
from webapp.cycle.calibration.models import CalibrationRound, CalibrationScore
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web.security import PROGRAMME, roles_required
from webapp.platform.web.webforms import StrictForm
from webapp.programme import instruments
from webapp.programme.accounts import User

bp = Blueprint("calibration", __name__, url_prefix="/calibration", template_folder="templates")


@inspector_panels
def rounds_panel(user: User) -> str:
    """The open calibration rounds this inspector has not scored yet, on their page."""
    rounds = calibrations.open_rounds(user) if user.role == "inspector" else []
    return Markup(render_template("calibration/_rounds.html", rounds=rounds)) if rounds else ""


class RoundForm(StrictForm):
    instrument = SelectField(_l("查核表"), validators=[InputRequired()])
    title = StringField(_l("情境（例如：錄音 3：詢問土地登記應備文件）"), validators=[
        InputRequired(message=_l("請寫下這一回合的情境")), Length(max=200)])
    submit = SubmitField(_l("開始校準回合"))


class CloseForm(StrictForm):
    submit = SubmitField(_l("結束這一回合"))


@bp.route("/", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def index():
    form = RoundForm()
    names = titles()
    form.instrument.choices = [(key, names[key]) for key in INSPECTION_KEYS]
    status = 200
    if form.validate_on_submit():
        found = calibrations.create(form.instrument.data, form.title.data.strip(), current_user)
        db.session.commit()
        flash(_("已開始校準回合，查核人員會收到通知。"), "ok")
        return redirect(url_for(".show", round_id=found.id))
    if form.is_submitted():
        status = 400
    rounds = db.session.scalars(select(CalibrationRound).order_by(CalibrationRound.id.desc()))
    return render_template("calibration/index.html", form=form, rounds=list(rounds), titles=names,
                           agreements=[calibrations.agreement(k) for k in INSPECTION_KEYS]), status


@bp.route("/<int:round_id>", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def show(round_id: int):
    found = db.session.get(CalibrationRound, round_id) or abort(404)
    closing = CloseForm()
    if closing.validate_on_submit():
        if found.closed_at is None:
            calibrations.close(found)
            db.session.commit()
            flash(_("這一回合已結束。"), "ok")
        return redirect(url_for(".show", round_id=found.id))
    status = 400 if closing.is_submitted() else 200
    instrument = instruments.instrument_of(found.instrument_version)
    return render_template("calibration/round.html", found=found, instrument=instrument,
                           closing=closing, titles=titles(), locale=locale_code()), status


@bp.route("/<int:round_id>/score", methods=["GET", "POST"])
@roles_required("inspector")
def score(round_id: int):
    """An inspector scores the round's scenario once; a second time, or after the round has
    closed, is refused (409) without touching the first."""
    found = db.session.get(CalibrationRound, round_id) or abort(404)
    done = db.session.scalar(select(CalibrationScore).where(
        CalibrationScore.round_id == found.id, CalibrationScore.inspector_id == current_user.id))
    if done is not None or found.closed_at is not None:
        if request.method == "POST":
            abort(409, description=_("這一回合您已評分過，或已經結束；沒有儲存任何內容。"))
        return render_template("calibration/scored.html", found=found, done=done)
    instrument = instruments.instrument_of(found.instrument_version)
    form = instruments.form_class(found.instrument_version, locale_code(), base=StrictForm)()
    if form.validate_on_submit():
        try:
            calibrations.submit(found, current_user, answers_from_form(instrument, form))
            db.session.commit()
        except IntegrityError:   # the same inspector's other tab got there first
            db.session.rollback()
            abort(409, description=_("這一回合您已評分過，或已經結束；沒有儲存任何內容。"))
        flash(_("已送出校準評分，謝謝。"), "ok")
        return redirect(url_for("inspect.index"))
    return render_template("calibration/score.html", found=found, form=form,
                           instrument=instrument), 400 if form.is_submitted() else 200
