"""One-time QR slips: an admin prints them on the web, and a citizen who cannot scan types the
slip's short code at ``/c``.

The slips point at ``PUBLIC_BASE_URL`` (``FLASK_PUBLIC_BASE_URL``), the address citizens'
phones reach; a loopback address there would make every slip useless, so the page and the CLI
say so before printing.
"""

from __future__ import annotations

import io

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import IntegerField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from webapp.capture import qrsheet
from webapp.capture.survey import codes
from webapp.capture.survey.views import bp
from webapp.platform import audit
from webapp.platform.extensions import db, limiter
from webapp.platform.web.security import PROGRAMME, roles_required
from webapp.platform.web.site import site_base
from webapp.platform.web.webforms import StrictForm
from webapp.programme.offices import Office

WEB_MAX = 600     # 50 pages; larger runs go through ``flask qr-sheet``


class SlipForm(StrictForm):
    office = SelectField(_l("機關"), validators=[InputRequired()])
    count = IntegerField(_l("張數（1–600）"), default=60, validators=[
        InputRequired(message=_l("請填寫張數")),
        NumberRange(1, WEB_MAX, message=_l("一次可印 1 到 600 張"))])
    submit = SubmitField(_l("產生 PDF"))


def print_slips(office: Office, count: int, base: str, out) -> int:
    """Issue ``count`` codes and write their slips to ``out``; the caller commits."""
    plain = codes.issue(office, count)
    urls = [qrsheet.survey_url(base, office.code, code) for code in plain]
    return qrsheet.write_sheet(out, office.name, urls, [codes.shown(c) for c in plain],
                               qrsheet.short_url(base))


@bp.route("/slips", methods=["GET", "POST"])
@roles_required(*PROGRAMME)
def slips():
    form = SlipForm()
    offices = db.session.scalars(select(Office).where(Office.active).order_by(Office.code)).all()
    form.office.choices = [SelectChoice(o.code, f"{o.name}（{o.code}）") for o in offices]
    base = site_base()
    status = 200
    if form.validate_on_submit():
        office = next(o for o in offices if o.code == form.office.data)
        buffer = io.BytesIO()
        pages = print_slips(office, form.count.data, base, buffer)
        audit.record("codes_issued", "office", office.id,
                     {"count": form.count.data, "pages": pages, "via": "web"})
        db.session.commit()
        return Response(buffer.getvalue(), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="qr-{office.code}.pdf"',
            "Cache-Control": "no-store"})
    if form.is_submitted():
        status = 400
    return render_template("survey/slips.html", form=form, base=base,
                           loopback=qrsheet.loopback(base)), status


@bp.get("/c")
@bp.get("/c/<code>")
@limiter.limit("10 per minute")
def typed(code: str | None = None):
    """The short code from a slip, typed by hand: on to that office's survey."""
    code = code or request.args.get("code")
    if not code:
        return render_template("survey/enter_code.html", code="", missing=False)
    row = codes.lookup(code)
    if row is None:
        return render_template("survey/enter_code.html", code=code[:20], missing=True), 404
    office = db.session.get(Office, row.office_id) or abort(404)
    given = code if codes.digest(code) == row.code_hash else codes.normalize(code)
    return redirect(url_for(".personal", code=office.code, c=given))
