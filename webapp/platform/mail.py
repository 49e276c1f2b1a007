"""Sending mail through the server ``MAIL_URL`` names; nothing is sent when it is unset.

``MAIL_URL`` is ``smtp://host:port``, ``smtp+starttls://user:password@host:587`` or
``smtps://...``; ``MAIL_FROM`` is the sender.  Mail is not sent from here directly but through
the outbox (``outbox``), which keeps it until the server takes it.

Every header is one line: a subject is made from what people typed (a reviewer's comment of
several lines, an office name with a line break), and a line break in a header is how one would
add a ``Bcc:``.  The body keeps the text as typed.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app

TIMEOUT = 10
#: a subject longer than this is cut, with an ellipsis: mail clients show about this much
SUBJECT_CHARS = 78


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` with every run of whitespace and control characters (line breaks included)
    made one space; cut to ``limit`` characters with an ellipsis."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if limit is not None and len(flat) > limit:
        return flat[:limit - 1] + "…"
    return flat


def configured() -> bool:
    return bool(current_app.config.get("MAIL_URL"))


def message(to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = one_line(current_app.config.get("MAIL_FROM", "service-quality@localhost"))
    mail["To"] = one_line(to)
    mail["Subject"] = one_line(subject, SUBJECT_CHARS)
    mail.set_content(body)
    return mail


def _connect(url: str) -> smtplib.SMTP:
    parts = urlsplit(url)
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=TIMEOUT)
    else:
        server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=TIMEOUT)
        if parts.scheme == "smtp+starttls":
            server.starttls()
    if parts.username:
        server.login(unquote(parts.username), unquote(parts.password or ""))
    return server


def send_each(messages: Iterable[EmailMessage]) -> list[str | None]:
    """Send ``messages`` over one connection: for each, ``None`` when it went, else the kind
    of failure (``ConnectionRefusedError``; never the server's words, which may quote the
    address).  Every message fails when mail is not set up or the server cannot be reached."""
    messages = list(messages)
    url = current_app.config.get("MAIL_URL")
    if not url:
        return ["not configured"] * len(messages)
    results: list[str | None] = []
    try:
        with _connect(url) as server:
            for mail in messages:
                try:
                    server.send_message(mail)
                    results.append(None)
                except smtplib.SMTPRecipientsRefused as error:   # this one; the rest may go
                    results.append(type(error).__name__)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail not sent: %s", type(error).__name__)
        results += [type(error).__name__] * (len(messages) - len(results))
    return results
