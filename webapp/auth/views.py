"""Sign-in for staff (inspectors, reviewers, analysts, admins); citizens never sign in."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from sqlalchemy import func, select

from ..extensions import db, limiter, login_manager
from ..models import User
from .forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager.login_view = "auth.login"
login_manager.login_message = _l("請先登入。")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """``<id>.<mark>``: a session from before a password reset no longer matches."""
    number, _, mark = user_id.partition(".")
    if not number.isdigit():
        return None
    user = db.session.get(User, int(number))
    return user if user is not None and hmac.compare_digest(mark, user.session_mark()) else None


def home_for(user: User) -> str:
    """Where each role starts its work after signing in."""
    return {"inspector": url_for("inspect.index"), "analyst": url_for("reports.index"),
            "reviewer": url_for("review.queue"), "admin": url_for("admin.index")
            }.get(user.role, url_for("auth.home"))


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_tried() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])  # per address
# per account, counting failures only: guessing one password from many addresses is slowed too
@limiter.limit("20 per hour", methods=["POST"], key_func=_account_tried,
               deduct_when=lambda response: response.status_code == 401)
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            email = form.email.data.strip().lower()
            user = db.session.scalar(select(User).where(func.lower(User.email) == email))
            if user is not None and user.active and user.check_password(form.password.data):
                login_user(user)
                return redirect(safe_next(request.args.get("next")) or home_for(user))
            flash(_("帳號或密碼錯誤。"), "error")
            status = 401
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
    return redirect(url_for("auth.login"))


@bp.get("/")
def home():
    return render_template("auth/home.html")
