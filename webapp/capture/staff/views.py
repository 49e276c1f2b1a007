"""``/staff-rounds/``: a coordinator opens a half-year's staff survey for some offices with their
staff numbers, hands out one-time codes (QR slips or a list), follows the response rate, and
closes the round.  Staff answer at ``/staff-survey`` (``views_answer``)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from analysis.periods import Period
from webapp.capture import onetime, qrsheet
from webapp.capture.staff import services as rounds
from webapp.capture.staff.models import StaffRound
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.web.security import PROGRAMME, roles_required
from webapp.platform.web.site import site_base
from webapp.platform.web.webforms import StrictForm
from webapp.programme.offices import Office

bp = Blueprint("staff", __name__, template_folder="templates")

STAFF_WORDS = ("請用手機或電腦掃描填寫同仁滿意度問卷", "每張限填一次・不記名・與填答內容無關聯")


class CodesForm(StrictForm):
    office = SelectField(_l("機關"), validators=[InputRequired()])
    count = IntegerField(_l("代碼數量（1–500；空白：補足到同仁人數）"), validators=[
        Optional(), NumberRange(1, rounds.MAX_CODES, message=_l("一次可產生 1 到 500 個代碼"))])
    shape = RadioField(_l("格式"), default="pdf", choices=[
        SelectChoice("pdf", _l("QR 碼紙條（PDF，每頁 12 張）")),
        SelectChoice("csv", _l("代碼清單（CSV）"))])
    submit = SubmitField(_l("產生代碼"))


class CloseForm(StrictForm):
    submit = SubmitField(_l("結束這一輪調查"))


def open_form(offices: list[Office], periods: list[Period]) -> StrictForm:
    """The open-a-round form: a half-year and, per active office, its staff number."""

    class OpenForm(StrictForm):
        period = SelectField(_l("期間"), choices=[SelectChoice(str(p), p.roc_label())
                                                  for p in periods],
                             validators=[InputRequired()])
        submit = SubmitField(_l("開始調查"))

    for office in offices:
        setattr(OpenForm, f"staff_{office.code}", IntegerField(
            office.name, validators=[Optional(), NumberRange(
                0, 2000, message=_l("同仁人數應為 0 到 2000（0 或空白：不參加）"))]))
    return OpenForm()


def choosable_periods() -> list[Period]:
    """This half-year, the next and the previous one: a round is opened near its period."""
    now = Period.half_of(datetime.now(TAIPEI))
    return [now.next(), now, now.previous()]


def active_offices() -> list[Office]:
    return list(db.session.scalars(select(Office).where(Office.active).order_by(Office.code)))


@bp.route("/staff-rounds/", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def index():
    offices = active_offices()
    periods = choosable_periods()
    form = open_form(offices, periods)
    if request.method == "GET":
        form.period.data = str(periods[1])
    status = 200
    if form.validate_on_submit():
        staff = {o: form[f"staff_{o.code}"].data or 0 for o in offices}
        try:
            opened = rounds.open_round(Period.parse(form.period.data), staff, by=current_user)
        except rounds.RoundError as error:
            form.form_errors.append(str(error))
            status = 400
        else:
            db.session.commit()
            flash(_("已開始調查。請為各機關產生代碼並發給同仁。"), "ok")
            return redirect(url_for(".show", round_id=opened.id))
    elif form.is_submitted():
        status = 400
    return render_template("staff/rounds.html", rounds=rounds.rounds(), form=form,
                           office_fields=[f"staff_{o.code}" for o in offices]), status


def _round(round_id: int) -> StaffRound:
    return db.session.get(StaffRound, round_id) or abort(404)


def _codes_form(staff_round: StaffRound) -> CodesForm:
    form = CodesForm()
    form.office.choices = [SelectChoice(o.office.code, f"{o.office.name}（{o.office.code}）")
                           for o in sorted(staff_round.offices, key=lambda o: o.office.code)]
    return form


def _page(staff_round: StaffRound, codes: CodesForm, status: int = 200):
    base = site_base()
    return render_template("staff/round.html", round=staff_round, codes=codes,
                           closing=CloseForm(), standing=rounds.standing(staff_round),
                           base=base, loopback=qrsheet.loopback(base)), status


@bp.get("/staff-rounds/<int:round_id>")
@roles_required(*PROGRAMME)
def show(round_id: int):
    staff_round = _round(round_id)
    return _page(staff_round, _codes_form(staff_round))


@bp.post("/staff-rounds/<int:round_id>/codes")
@roles_required(*PROGRAMME)
def codes(round_id: int):
    """New codes for one office, as slips to cut or a list to hand out; only this response
    ever holds them in plain text."""
    staff_round = _round(round_id)
    form = _codes_form(staff_round)
    if not form.validate_on_submit():
        return _page(staff_round, form, 400)
    office = next(o.office for o in staff_round.offices if o.office.code == form.office.data)
    count = form.count.data
    if count is None:       # blank: as many as the office's staff still lack
        mine = next(s for s in rounds.standing(staff_round) if s.office.id == office.id)
        count = mine.staff - mine.issued
        if count < 1:
            form.count.errors = [_("這個機關已發的代碼已達同仁人數；要多發請填寫數量。")]
            return _page(staff_round, form, 400)
    try:
        plain = rounds.issue(staff_round, office.id, count)
    except rounds.RoundError as error:
        form.form_errors.append(str(error))
        return _page(staff_round, form, 409)
    base = site_base()
    urls = [answer_url(base, code) for code in plain]
    name = f"staff-{staff_round.period}-{office.code}"
    if form.shape.data == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["office_code", "office", "code", "url"])
        writer.writerows([office.code, office.name, onetime.shown(c), u]
                         for c, u in zip(plain, urls, strict=True))
        body, mimetype, suffix = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv", "csv"
    else:
        buffer = io.BytesIO()
        qrsheet.write_sheet(buffer, office.name, urls, [onetime.shown(c) for c in plain],
                            short_url(base), words=STAFF_WORDS)
        body, mimetype, suffix = buffer.getvalue(), "application/pdf", "pdf"
    db.session.commit()
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}.{suffix}"',
        "Cache-Control": "no-store"})


def answer_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/staff-survey/{code}"


def short_url(base: str) -> str:
    """Where someone who cannot scan types the code, without the scheme."""
    return base.rstrip("/").split("://", 1)[-1] + "/staff-survey"


@bp.post("/staff-rounds/<int:round_id>/close")
@roles_required(*PROGRAMME)
def close(round_id: int):
    staff_round = _round(round_id)
    if not CloseForm().validate_on_submit():
        abort(400)
    try:
        moved = rounds.close(staff_round, by=current_user)
    except rounds.RoundError as error:
        abort(409, description=str(error))
    db.session.commit()
    flash(_("這一輪調查已結束，%(n)s 份網路填答已併入統計。", n=moved), "ok")
    return redirect(url_for(".show", round_id=staff_round.id))


from webapp.capture.staff import views_answer  # noqa: E402,F401
