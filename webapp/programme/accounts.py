"""Staff accounts; citizens never have one."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from forms.instrument import pick
from webapp.platform.db import UTCDateTime, utcnow
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code

ROLES = ("admin", "coordinator", "analyst", "reviewer", "inspector", "office")
#: the roles as people read them, least privileged first (the order a role picker offers)
ROLE_LABELS = {
    "office": {"zh_TW": "機關主管", "en": "Office manager"},
    "inspector": {"zh_TW": "查核人員", "en": "Inspector"},
    "reviewer": {"zh_TW": "審核人員", "en": "Reviewer"},
    "analyst": {"zh_TW": "分析人員", "en": "Analyst"},
    "coordinator": {"zh_TW": "督導排程人員", "en": "Coordinator"},
    "admin": {"zh_TW": "系統管理者", "en": "Administrator"},
}


def role_label(role: str) -> str:
    """A role as the page's reader names it (an unknown one as stored)."""
    if role not in ROLE_LABELS:
        return role
    return pick(ROLE_LABELS[role], "en" if locale_code().startswith("en") else "zh_TW")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    #: the one office an office manager (role ``office``) sees; None for every other role
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    office = relationship("Office", lazy="joined")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised to end every session of this account on the server side (sign-out, deactivation).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def shown_name(self) -> str:
        """How the account is named to people: its display name, else its e-mail address."""
        return self.display_name or self.email

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def session_mark(self) -> str:
        """Changes with the password and with ``session_epoch``, so a reset, a sign-out or a
        deactivation ends every session of the account, cookies copied earlier included."""
        seed = f"{self.password_hash}:{self.session_epoch or 0}"
        return hashlib.sha256(seed.encode()).hexdigest()[:16]

    def end_sessions(self) -> None:
        self.session_epoch = (self.session_epoch or 0) + 1

    def get_id(self) -> str:  # what Flask-Login keeps in the session and remember-me cookie
        return f"{self.id}.{self.session_mark()}"
