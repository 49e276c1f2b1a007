"""The citizen survey: public, anonymous, works without JavaScript.

Two modes share one form.  A kiosk (counter tablet, reached through its own secret link) thanks
the citizen and returns to a blank form by itself; a personal device (reached by QR code) just
thanks.  Every page carries a fresh idempotency key, so a double tap or a resend after a dropped
connection is stored once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import joinedload

from forms.builder import answers_from_form, build_form
from forms.instrument import load_default
from webapp.capture import store as storage
from webapp.capture.contact import services as contact
from webapp.capture.survey import codes
from webapp.capture.survey.codes import SurveyCode
from webapp.capture.survey.webforms import KioskMeta, queued
from webapp.platform.db import utcnow
from webapp.platform.extensions import db, limiter
from webapp.platform.i18n import locale_code
from webapp.platform.web import errors, installable
from webapp.platform.web.language import switch_posted_language
from webapp.platform.web.webforms import SubmissionMeta
from webapp.programme import instruments
from webapp.programme.offices import Kiosk, Office

bp = Blueprint("survey", __name__, template_folder="templates")

SURVEY_KEY = "satisfaction"


def survey_page(office: Office, mode: str, kiosk: Kiosk | None, action: str,
                code: SurveyCode | None = None):
    if request.method == "POST":
        version, instrument = instruments.posted_version(SURVEY_KEY, request.form.get("version"))
    else:
        version, instrument = instruments.current(SURVEY_KEY)
    switching = request.method == "POST" and switch_posted_language()
    meta = KioskMeta if kiosk is not None else SubmissionMeta
    form = instruments.form_class(version, locale_code(), base=meta, office_kind=office.kind)()
    status = 200
    if switching:
        pass  # the same page in the other language, with the answers chosen so far; no storing
    elif request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.version.data = str(version.id)
    elif not form.validate_on_submit():
        status = 400
    elif form.website.data:
        # a bot filled the honeypot: answer as if it succeeded, store nothing
        return redirect(url_for(thanks_endpoint(kiosk), **action_args(office, kiosk)))
    elif isinstance(late := kept_answer(form, kiosk), str):
        form.form_errors.append(late)  # said on the page, the answers kept; nothing stored
        status = 422
    else:
        thanks = redirect(url_for(thanks_endpoint(kiosk), **action_args(office, kiosk)))
        answers = answers_from_form(instrument, form)
        now, skew = late if late is not None else (utcnow(), None)

        if code is not None and code.used_at is not None:
            # a resend of the response that used this code, or a second response on it
            existing = storage.by_key(form.idempotency_key.data)
            resent = existing is not None and storage.matches(
                existing, office=office, channel=mode, kiosk=kiosk,
                instrument_key=instrument.key, answers=answers)
            return thanks if resent else used_code_page(office)
        try:
            made, created = storage.store(version=version, instrument=instrument, office=office, channel=mode,
                          status="submitted", occurred_at=now, answers=answers,
                          idempotency_key=form.idempotency_key.data, kiosk=kiosk,
                          clock_skew=skew, then=None if code is None else
                          lambda made: codes.redeem_or_fail(code, made.id))
        except codes.CodeUsed:
            return used_code_page(office)
        except storage.KeyTaken:
            # An old page posted again with other answers: store nothing under someone
            # else's key, say so, and offer the answers back with a fresh key.
            form.idempotency_key.data = uuid.uuid4().hex
            status = 409
        except DBAPIError:
            # Locked or down: keep the citizen's answers on the page, same key, for a retry.
            db.session.rollback()
            status = 503
        else:
            # a resend of the same answers (a double tap) is offered the call back too
            if contact.offered(made, instrument, answers) and not contact.requested(made):
                return redirect(url_for(thanks_endpoint(kiosk), **action_args(office, kiosk),
                                        contact=contact.offer_token(made)))
            return thanks
    return render_template(
        "survey/form.html", form=form, instrument=instrument, office=office, mode=mode,
        locale=locale_code(), action=action, unavailable=status == 503, reused=status == 409,
        kiosk_token=kiosk.token if kiosk is not None else None,
    ), status


def kept_answer(form: KioskMeta, kiosk: Kiosk | None):
    """For a kiosk's answer kept offline: when it was given and the tablet's clock offset, or
    why it cannot be taken (a message); None for an answer sent at once."""
    if kiosk is None:
        return None
    return queued(form, utcnow(), timedelta(hours=current_app.config["KIOSK_QUEUE_MAX_HOURS"]))


@bp.errorhandler(OperationalError)
@bp.errorhandler(DBAPIError)
def unavailable_page(error: Exception):
    """The survey form rebuilt from the shipped instrument and the posted answers, for a retry.

    Used when the database cannot be reached even to find the office or the instrument: the
    citizen's answers, CSRF token and idempotency key go back into the page, so pressing
    Submit again later stores the response exactly once.
    """
    db.session.rollback()
    if request.method != "POST" or request.endpoint not in ("survey.kiosk", "survey.personal"):
        return errors.unavailable(error)   # e.g. the call-back form: no survey to give back
    instrument = load_default(SURVEY_KEY)
    form = build_form(instrument, locale_code(), base=SubmissionMeta)(formdata=request.form)
    action = request.full_path.rstrip("?")
    return render_template("survey/form.html", form=form, instrument=instrument, office=None,
                           mode="kiosk" if request.endpoint == "survey.kiosk" else "personal",
                           locale=locale_code(), action=action, unavailable=True), 503


@bp.errorhandler(429)
def too_fast(error):
    """A submission over the limit: the citizen's answers back on the page, with the same key,
    and a word in their language; sending again later stores the answer once."""
    args = request.view_args or {}
    if request.method != "POST" or request.endpoint not in ("survey.kiosk", "survey.personal"):
        return errors.page(429, _("請稍候再試"), _("短時間內送出太多次，請稍候再試。謝謝您的耐心。"))
    kiosk = kiosk_by_token(args["token"]) if request.endpoint == "survey.kiosk" else None
    office = kiosk.office if kiosk is not None else office_by_code(args["code"])
    version, instrument = instruments.posted_version(SURVEY_KEY, request.form.get("version"))
    form = instruments.form_class(version, locale_code(),
                                  base=KioskMeta if kiosk is not None else SubmissionMeta,
                                  office_kind=office.kind)(formdata=request.form)
    return render_template(
        "survey/form.html", form=form, instrument=instrument, office=office,
        mode="kiosk" if kiosk is not None else "personal", locale=locale_code(),
        action=request.full_path.rstrip("?"), too_fast=True,
        kiosk_token=kiosk.token if kiosk is not None else None), 429


def used_code_page(office: Office):
    return render_template("survey/code.html", office=office, used=True), 410


def action_args(office: Office, kiosk: Kiosk | None) -> dict:
    return {"token": kiosk.token} if kiosk else {"code": office.code}


def office_by_code(code: str) -> Office:
    office = db.session.scalar(select(Office).where(Office.code == code.upper()))
    if office is None or not office.active:
        abort(404)
    return office


class KioskUnavailable(Exception):
    """This tablet's link does not (or no longer) open the survey."""

    def __init__(self, retired: bool):
        self.retired = retired


def kiosk_by_token(token: str) -> Kiosk:
    kiosk = db.session.scalar(select(Kiosk).where(Kiosk.token == token)
                              .options(joinedload(Kiosk.office)))
    if kiosk is None:
        raise KioskUnavailable(retired=False)
    if not kiosk.active or not kiosk.office.active:
        raise KioskUnavailable(retired=True)
    return kiosk


@bp.errorhandler(KioskUnavailable)
def kiosk_unavailable(error: KioskUnavailable):
    """A calm page for the citizen in front of a retired tablet: tell the counter staff."""
    return render_template("survey/unavailable.html"), 410 if error.retired else 404


def _kiosk_token() -> str:
    return "kiosk:" + str((request.view_args or {}).get("token", ""))


def stored(response) -> bool:
    """Only a stored answer (sent on to the thanks page) counts against a limit: a language
    switch, a page sent back with a missing answer or a refusal costs the citizen nothing."""
    return response.status_code in (302, 303)


@bp.route("/kiosk/<token>", methods=["GET", "POST"])
# Per tablet, not per address: several tablets of one office share its address.  Ten stored
# answers a minute is one every six seconds, faster than anyone can read and answer the seven
# questions at one tablet (a busy counter's queue is served one citizen at a time), and what an
# offline tablet's backlog goes up at; a large office serves several hundred citizens a day,
# so the daily cap sits well above real use.  Stuffing below it still shows up as bursts on the
# data-quality page.
@limiter.limit("10 per minute;1000 per day", methods=["POST"], key_func=_kiosk_token,
               deduct_when=stored)
def kiosk(token: str):
    kiosk = kiosk_by_token(token)
    return survey_page(kiosk.office, "kiosk", kiosk, url_for(".kiosk", token=token))


@bp.get("/kiosk/<token>/thanks")
def kiosk_thanks(token: str):
    kiosk = kiosk_by_token(token)
    offer, sent = views_contact.offer_for(kiosk.office, kiosk)
    return render_template("survey/thanks.html", office=kiosk.office, mode="kiosk",
                           offer=offer, sent=sent,
                           # back in Chinese for the next citizen, whatever this one chose
                           restart=url_for(".kiosk", token=token, lang="zh_Hant_TW"),
                           # a call-back offer takes longer to read and decide on
                           reset_seconds=60 if offer else 20, kiosk_token=token)


@bp.get("/kiosk/<token>/manifest.webmanifest")
def kiosk_manifest(token: str):
    """Lets the counter tablet put this survey on its home screen and run it full-screen."""
    kiosk = kiosk_by_token(token)
    return installable.manifest(f"{kiosk.office.name} 服務滿意度調查", "滿意度調查",
                                url_for(".kiosk", token=token),
                                url_for(".kiosk_worker")[:-len("sw.js")])


@bp.get("/kiosk/sw.js")
def kiosk_worker():
    """The counter tablets' service worker, from here so that its scope is /kiosk/ only."""
    return installable.worker("kiosk-sw.js")


@bp.route("/survey/<code>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], deduct_when=stored)
def personal(code: str):
    office = office_by_code(code)
    slip = None
    if current_app.config["SURVEY_REQUIRE_CODE"]:
        slip = codes.find(office, request.args.get("c"))
        if slip is None:
            return render_template("survey/code.html", office=office, used=False), 403
        if slip.used_at is not None and request.method == "GET":
            return used_code_page(office)
    action = url_for(".personal", code=office.code, c=request.args.get("c") or None)
    return survey_page(office, "personal", None, action, slip)


@bp.get("/survey/<code>/thanks")
def personal_thanks(code: str):
    office = office_by_code(code)
    offer, sent = views_contact.offer_for(office, None)
    return render_template("survey/thanks.html", office=office, mode="personal",
                           offer=offer, sent=sent,
                           restart=None, reset_seconds=None)


def thanks_endpoint(kiosk: Kiosk | None) -> str:
    return ".kiosk_thanks" if kiosk else ".personal_thanks"


# QR slips printed on the web, and the short code typed by hand, live in their own module, as
# does the call-back a let-down citizen may ask for after answering
from webapp.capture.survey import views_contact, views_slips  # noqa: E402,F401
