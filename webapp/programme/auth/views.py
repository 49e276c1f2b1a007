"""Sign-in for staff (inspectors, reviewers, analysts, admins); citizens never sign in.

Guessing is bounded without giving strangers a way to lock anyone out: failures are counted per
account *and* address (5 in 15 minutes) and per address (30 an hour), never per account alone,
so the owner signing in from another address is never refused because of someone else's
guesses.  A refusal costs the same password-hash work whether or not the account exists.
Sessions end on the server: signing out or deactivating an account raises its session epoch,
which every cookie of that account carries, and a session idle longer than
``STAFF_IDLE_MINUTES`` is signed out (shared tablets).
"""

from __future__ import annotations

import hmac
import time
from functools import cache
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.platform.db import row_id
from webapp.platform.extensions import db, limiter, login_manager
from webapp.programme.accounts import User
from webapp.programme.auth.webforms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager.login_view = "auth.login"
login_manager.login_message = _l("請先登入。")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """``<id>.<mark>``: a session from before a password reset no longer matches."""
    text, _, mark = user_id.partition(".")
    number = row_id(text)
    if number is None:
        return None
    user = db.session.get(User, number)
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(mark, user.session_mark()) else None


@cache
def _decoy_hash() -> str:
    """A hash to check unknown accounts against, so they cost what known ones do."""
    return generate_password_hash("not a password of anyone's")


@bp.before_app_request
def end_idle_session() -> None:
    """Sign out a staff session left idle longer than ``STAFF_IDLE_MINUTES`` (shared tablets)."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    idle = 60 * float(current_app.config["STAFF_IDLE_MINUTES"])
    seen = session.get("seen")
    if isinstance(seen, int) and now - seen > idle:
        logout_user()
        session.pop("seen", None)
        session.pop("csrf_token", None)
        flash(_("閒置過久，已自動登出，請重新登入。"), "error")
        return
    if not isinstance(seen, int) or now - seen >= 30:  # not a new cookie on every request
        session["seen"] = now


def home_for(user: User) -> str:
    """Where each role starts its work after signing in."""
    if user.role == "office":
        return url_for("reports.office", code=user.office.code) if user.office else url_for("auth.home")
    return {"inspector": url_for("inspect.index"), "analyst": url_for("reports.index"),
            "reviewer": url_for("review.queue"), "admin": url_for("admin.index"),
            "coordinator": url_for("plans.index")
            }.get(user.role, url_for("auth.home"))


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; never an open redirect.  Browsers read ``/\\host`` as
    ``//host``, so backslashes and control characters are refused too."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_and_address() -> str:
    email = request.form.get("email", "").strip().lower()[:254]
    return f"login:{email}:{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])  # per address, every attempt
@limiter.limit("30 per hour", methods=["POST"], deduct_when=_failed)  # per address, failures
@limiter.limit("5 per 15 minutes", methods=["POST"], key_func=_account_and_address,
               deduct_when=_failed)
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            email = form.email.data.strip().lower()
            user = db.session.scalar(select(User).where(func.lower(User.email) == email))
            known = user is not None and user.active
            # the same hash work either way: the time taken does not tell who has an account
            matches = check_password_hash(user.password_hash if known else _decoy_hash(),
                                          form.password.data)
            if known and matches:
                session.pop("csrf_token", None)  # a new CSRF secret for the signed-in session
                login_user(user)
                session["seen"] = int(time.time())
                return redirect(safe_next(request.args.get("next")) or home_for(user))
            flash(_("帳號或密碼錯誤。"), "error")
            status = 401
    return render_template("auth/login.html", form=form), status


@bp.get("/session/alive")
@login_required
def alive():
    """Nothing but "still here": the idle warning's 繼續使用, and a page with unsaved changes,
    keep the session from ending (``end_idle_session`` counts this request as use)."""
    return "", 204, {"Cache-Control": "no-store"}


@bp.post("/logout")
@login_required
def logout():
    """End this account's every session, on the server: a cookie copied earlier is dead too."""
    if LogoutForm().validate_on_submit():
        current_user.end_sessions()
        db.session.commit()
        logout_user()
        session.pop("csrf_token", None)
        session.pop("seen", None)
    return redirect(url_for("auth.login"))


@bp.get("/")
def home():
    return render_template("auth/home.html")
