"""A refused upload leaves a line in the audit log: which page, who, what kind of file by
content and how big, and why; never a byte of its content."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from webapp.platform.audit import record
from webapp.platform.extensions import db
from webapp.platform.uploads import kind_of


def upload_refused(raw: bytes | None, reason: str, problems: int = 0) -> None:
    """Keep a refused upload in the log, committed on its own (nothing else is stored): which
    page, who, what kind of file by content and how big, and why; never a byte of its content.
    Only for a signed-in user: an anonymous post must not be able to fill the log."""
    if not current_user.is_authenticated:
        return
    size = len(raw) if raw is not None else request.content_length
    record("upload_refused", "upload", None, {"page": request.endpoint, "reason": reason,
                                              "kind": kind_of(raw) if raw else None,
                                              "bytes": size, "problems": problems})
    db.session.commit()
