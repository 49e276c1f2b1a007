"""``/survey/<code>/contact`` and ``/kiosk/<token>/contact``: a citizen who was let down leaves
a way to be reached (民眾抱怨處理).

Reached only from the thank-you page's offer (a signed token, ``contact.services``), without
JavaScript.  On a counter tablet the next citizen must not see what this one typed: the pages
are ``no-store`` with ``autocomplete=off``, the page clears itself when left idle, and after
sending it shows that the request arrived, never what it said.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from webapp.capture.contact import services as contact
from webapp.capture.contact.webforms import ContactForm
from webapp.capture.survey.views import action_args, bp, kiosk_by_token, office_by_code
from webapp.platform.extensions import db, limiter
from webapp.programme.offices import Kiosk, Office


def consent_text(office: Office) -> str:
    """Who will see the details, what for and for how long: shown, and stored as it was read."""
    return _("您留下的稱呼和聯絡方式，只有%(office)s的主管看得到，只用來就您這次填寫的意見與您"
             "聯絡，不會用在其他用途，也不會出現在任何統計、匯出或公開資料中。案件結案後 "
             "%(days)s 天內刪除。", office=office.name, days=current_app.config["RETAIN_CONTACT_DAYS"])


def contact_page(office: Office, mode: str, kiosk: Kiosk | None):
    token = request.values.get("offer", "")
    submission = contact.offered_submission(token, office.id, mode)
    thanks = ".kiosk_thanks" if kiosk else ".personal_thanks"
    restart = url_for(".kiosk", token=kiosk.token, lang="zh_Hant_TW") if kiosk else None
    if submission is None:
        return render_template("survey/contact_gone.html", office=office, mode=mode,
                               restart=restart), 410
    if contact.requested(submission):
        return redirect(url_for(thanks, **action_args(office, kiosk), sent=1))
    form = ContactForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                contact.request_contact(submission, consent=consent_text(office), **form.details())
            except contact.AlreadyRequested:
                pass   # sent twice (two taps, two tabs): the first one stands
            except DBAPIError:
                # locked or down: the details stay on the page for a retry, nothing stored
                db.session.rollback()
                status = 503
            else:
                return redirect(url_for(thanks, **action_args(office, kiosk), sent=1))
        else:
            status = 400
    return render_template(
        "survey/contact.html", form=form, office=office, mode=mode, consent=consent_text(office),
        days=current_app.config["CONTACT_DUE_WORKING_DAYS"], restart=restart,
        unavailable=status == 503,
        # the offer in the address too: a refused page keeps it through a language switch
        action=url_for(".kiosk_contact" if kiosk else ".personal_contact",
                       **action_args(office, kiosk), offer=token),
        kiosk_token=kiosk.token if kiosk else None), status


@bp.route("/survey/<code>/contact", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def personal_contact(code: str):
    return contact_page(office_by_code(code), "personal", None)


@bp.route("/kiosk/<token>/contact", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def kiosk_contact(token: str):
    kiosk = kiosk_by_token(token)
    return contact_page(kiosk.office, "kiosk", kiosk)


def offer_for(office: Office, kiosk: Kiosk | None) -> tuple[str | None, bool]:
    """For a thank-you page: the address of the call-back offer when this visit has one that is
    still open, and whether a request was just sent."""
    token = request.args.get("contact", "")
    mode = "kiosk" if kiosk else "personal"
    submission = contact.offered_submission(token, office.id, mode) if token else None
    offer = None
    if submission is not None and not contact.requested(submission):
        offer = url_for(".kiosk_contact" if kiosk else ".personal_contact",
                        **action_args(office, kiosk), offer=token)
    return offer, request.args.get("sent") == "1"
