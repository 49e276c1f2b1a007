"""``/staff-survey``: a staff member answers with a one-time code, no account, no JavaScript needed.

The code opens the form once.  The answer is sealed as a ballot with its office and day only
(``models``); the browser's session remembers that this code was just used, so a double tap
shows the thanks page again instead of an error, and nothing else about the code is kept.
"""

from __future__ import annotations

import uuid

from flask import redirect, render_template, request, session, url_for
from sqlalchemy.exc import DBAPIError

from forms.builder import answers_from_form
from webapp.capture import onetime
from webapp.capture.staff import services as rounds
from webapp.capture.staff.views import bp
from webapp.platform.extensions import db, limiter
from webapp.platform.i18n import locale_code
from webapp.platform.web.language import switch_posted_language
from webapp.platform.web.webforms import SubmissionMeta
from webapp.programme import instruments
from webapp.programme.offices import Office

SENT = "staff_sent"     # the session remembers the hash of the code it just used, nothing more


@bp.get("/staff-survey")
@limiter.limit("20 per minute")
def enter():
    """Where a code is typed by hand (the slip prints this address)."""
    code = (request.args.get("code") or "").strip()
    if not code:
        return render_template("staff/enter.html", code="", missing=False)
    row = rounds.lookup(code)
    if row is None:
        return render_template("staff/enter.html", code=code[:20], missing=True), 404
    given = code if onetime.digest(code) == row.code_hash else onetime.normalize(code)
    return redirect(url_for(".answer", code=given))


@bp.route("/staff-survey/<code>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"],
               deduct_when=lambda response: response.status_code in (302, 303))
def answer(code: str):
    row = rounds.lookup(code)
    if row is None:
        return render_template("staff/enter.html", code=code[:20], missing=True), 404
    if row.used:
        if session.get(SENT) == row.code_hash:
            return redirect(url_for(".thanks"))
        return render_template("staff/closed.html", reason="used"), 410
    staff_round = db.session.get(rounds.StaffRound, row.round_id)
    if not staff_round.is_open:
        return render_template("staff/closed.html", reason="closed"), 410
    office = db.session.get(Office, row.office_id)
    if request.method == "POST":
        version, instrument = instruments.posted_version(rounds.STAFF_KEY,
                                                         request.form.get("version"))
    else:
        version, instrument = instruments.current(rounds.STAFF_KEY)
    switching = request.method == "POST" and switch_posted_language()
    form = instruments.form_class(version, locale_code(), base=SubmissionMeta)()
    status = 200
    if switching:
        pass   # the same page in the other language, with the answers so far; nothing stored
    elif request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.version.data = str(version.id)
    elif not form.validate_on_submit():
        status = 400
    elif form.website.data:
        return redirect(url_for(".thanks"))     # a bot filled the honeypot: store nothing
    else:
        try:
            rounds.cast(row, version, answers_from_form(instrument, form))
            db.session.commit()
        except rounds.CodeUsed:
            db.session.rollback()
            return render_template("staff/closed.html", reason="used"), 410
        except rounds.RoundClosed:
            db.session.rollback()
            return render_template("staff/closed.html", reason="closed"), 410
        except DBAPIError:
            db.session.rollback()   # keep the answers on the page for another try
            status = 503
        else:
            session[SENT] = row.code_hash
            return redirect(url_for(".thanks"))
    return render_template("staff/form.html", form=form, instrument=instrument, office=office,
                           action=url_for(".answer", code=code),
                           unavailable=status == 503), status


@bp.get("/staff-survey/thanks")
def thanks():
    return render_template("staff/thanks.html")
