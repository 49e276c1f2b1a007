"""The cycle around the evidence: plans of unannounced checks (``/plans``), improvement cases
opened by low scores and answered by offices (``/cases``), citizens' call-back requests
(``/contacts``), calibration of inspectors (``/calibration``), and telling people what needs
them (``/notifications``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from webapp.platform import jobs, register_packages
from webapp.platform.jobs import Job

PACKAGES = ('plans', 'cases', 'contacts', 'calibration', 'notifications')


def register(app: Flask) -> None:
    from flask_login import current_user

    # the handlers of the events from below live in these services: imported, they follow
    from webapp.cycle.cases import services as _cases  # noqa: F401
    from webapp.cycle.cases import staff as _staff_cases  # noqa: F401
    from webapp.cycle.contacts import services as contacts
    from webapp.cycle.notifications import services as notifications
    from webapp.cycle.plans import services as _plans  # noqa: F401

    register_packages(app, __name__, PACKAGES)
    from webapp.cycle.cases import services as cases
    from webapp.cycle.plans import services as plans
    jobs.add(app, Job("plans-overdue", timedelta(days=1), plans.notify_overdue,
                      "Tell inspectors and coordinators about checks past their due date, once each."))
    jobs.add(app, Job("cases-overdue", timedelta(days=1), cases.notify_overdue,
                      "Tell offices and reviewers about improvement cases past their due date, once each."))
    jobs.add(app, Job("contacts-overdue", timedelta(hours=1), contacts.notify_overdue,
                      "Open any missing contact case; tell offices and coordinators about contact "
                      "cases nobody tried by their due time, once each."))
    app.context_processor(lambda: {"notice_count": lambda: notifications.unread(current_user)
                                   if current_user.is_authenticated else 0})
