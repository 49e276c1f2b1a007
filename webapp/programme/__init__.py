"""Who and what the programme is about: offices and their kiosks, staff accounts, instrument
versions, API tokens; with the administrators' pages (``/admin/``) and signing in (``/login``).
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages

PACKAGES = ('auth', 'admin')


def register(app: Flask) -> None:
    from webapp.programme import instruments
    from webapp.programme.accounts import role_label

    register_packages(app, __name__, PACKAGES)
    app.context_processor(lambda: {"role_label": role_label})
    app.register_error_handler(instruments.NotPublished, not_published)


def not_published(error: LookupError):
    """A form whose instrument has no published version yet: say so, and who can fix it."""
    from flask_babel import gettext as _

    from webapp.platform.web.errors import page

    return page(503, _("問卷尚未發布"), _("這份問卷或查核表還沒有發布，暫時無法填寫。請通知系統管理者"
                                   "到「問卷版本」頁面發布內建的版本。"))
