"""Telling people what needs them: in the app always, by e-mail when ``MAIL_URL`` is set.

A notification is added in the transaction of the change it reports, so a rolled-back change
notifies no one.  Mail goes out after the commit (``send_pending``), and a mail server that is
down is logged and never fails the request: the in-app notification is the record.
``MAIL_URL`` is ``smtp://host:port``, ``smtp+starttls://user:password@host:587`` or
``smtps://…``; ``MAIL_FROM`` is the sender.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app, g
from sqlalchemy import func, select

from forms.instrument import pick
from webapp.cycle.notifications.models import Notification
from webapp.platform.extensions import db
from webapp.programme.accounts import User

#: each kind's sentence, with {placeholders} from its parameters
SENTENCES = {
    "assigned": {"zh_TW": "您有 {count} 項新的查核任務（{period}），最早的期限是 {due}",
                 "en": "You have {count} new checks to make ({period_en}), the first due {due}"},
    "task_overdue": {"zh_TW": "查核任務逾期：{office}（{inspector}），期限 {due}",
                     "en": "A check is overdue: {office} ({inspector}), due {due}"},
    "calibration": {"zh_TW": "新的校準回合：{title}，請評分",
                    "en": "A new calibration round: {title}. Please score it"},
    "returned": {"zh_TW": "您的{instrument} #{record}（{office}）被退回修改：{comment}",
                 "en": "Your {instrument} #{record} ({office}) was returned: {comment}"},
    "case_opened": {"zh_TW": "{office} 有新的改善追蹤案 #{case}，共 {items} 項，期限 {due}",
                    "en": "{office} has a new follow-up case #{case}: {items} items, due {due}"},
    "case_reopened": {"zh_TW": "改善追蹤案 #{case} 有項目被退回重辦：{note}",
                      "en": "Follow-up case #{case}: an item was reopened: {note}"},
    "case_overdue": {"zh_TW": "改善追蹤案 #{case}（{office}）已逾期（期限 {due}）",
                     "en": "Follow-up case #{case} ({office}) is overdue (due {due})"},
}


def sentence(note: Notification, locale: str) -> str:
    template = pick(SENTENCES[note.kind], locale) if note.kind in SENTENCES else note.kind
    try:
        return template.format(**note.params)
    except (KeyError, IndexError):
        return template


def notify(users: Iterable[User], kind: str, params: dict, link: str) -> list[Notification]:
    """Tell each active account in ``users``; the caller commits, then calls ``send_pending``."""
    if kind not in SENTENCES:
        raise ValueError(f"unknown notification kind {kind!r}")
    made = []
    for user in {u.id: u for u in users if u is not None and u.active}.values():
        note = Notification(user_id=user.id, kind=kind, params=params, link=link)
        db.session.add(note)
        made.append(note)
    g.setdefault("mail_queue", []).extend(made)
    return made


def office_managers(office_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "office",
                                                      User.office_id == office_id)))


def reviewers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(("reviewer", "admin")))))


def unread(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def _connect(url: str):
    parts = urlsplit(url)
    timeout = 10
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=timeout)
    else:
        server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
        if parts.scheme == "smtp+starttls":
            server.starttls()
    if parts.username:
        server.login(unquote(parts.username), unquote(parts.password or ""))
    return server


def send_pending() -> int:
    """Mail this request's committed notifications, if ``MAIL_URL`` is set; how many went."""
    queue = g.pop("mail_queue", [])
    url = current_app.config.get("MAIL_URL")
    if not queue or not url:
        return 0
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({n.user_id for n in queue})))}
    sent = 0
    try:
        with _connect(url) as server:
            for note in queue:
                user = users.get(note.user_id)
                if user is None:
                    continue
                message = EmailMessage()
                message["From"] = current_app.config.get("MAIL_FROM", "service-quality@localhost")
                message["To"] = user.email
                message["Subject"] = "服務品質：" + sentence(note, "zh_TW")[:60]
                base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
                message.set_content(f"{sentence(note, 'zh_TW')}\n{sentence(note, 'en')}\n\n"
                                    f"{base}{note.link}\n")
                server.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException) as error:   # the in-app notice stays; no request fails
        current_app.logger.warning("notification mail not sent: %s", type(error).__name__)
    return sent
