"""The cycle around the evidence: plans of unannounced checks (``/plans``), improvement cases
opened by low scores and answered by offices (``/cases``), calibration of inspectors
(``/calibration``), and telling people what needs them (``/notifications``).
"""

from __future__ import annotations

from flask import Flask

from webapp.platform import register_packages

PACKAGES = ('plans', 'cases', 'calibration', 'notifications')


def register(app: Flask) -> None:
    from flask_login import current_user

    # the handlers of the events from below live in these services: imported, they follow
    from webapp.cycle.cases import services as _cases  # noqa: F401
    from webapp.cycle.cases import staff as _staff_cases  # noqa: F401
    from webapp.cycle.notifications import services as notifications
    from webapp.cycle.plans import services as _plans  # noqa: F401

    register_packages(app, __name__, PACKAGES)
    app.context_processor(lambda: {"notice_count": lambda: notifications.unread(current_user)
                                   if current_user.is_authenticated else 0})
