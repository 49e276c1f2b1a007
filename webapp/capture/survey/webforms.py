"""What a counter tablet's page carries besides the survey: when a citizen answered while the
tablet was offline, and the tablet's clock when it sent the answers on (``static/kiosk-offline.js``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from wtforms import HiddenField
from wtforms.validators import ValidationError

from webapp.platform.web.webforms import SubmissionMeta

#: an ISO 8601 moment in UTC as JavaScript's ``Date.toISOString`` writes it (ASCII digits only:
#: ``\d`` would take any script's digits)
MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")

#: the years a tablet's clock may read: from a clock reset to 1970 to well ahead of now
YEARS = (1970, 2099)
#: the most a tablet's clock may be off and still be corrected: the offset is stored in
#: seconds in a 32-bit column (68 years), and a clock further off says nothing anyway
MAX_SKEW = timedelta(days=366 * 60)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


class MomentField(HiddenField):
    """A stamp the tablet's script adds; ``moment`` is what it says, parsed by ``real_moment``
    (None when the field was left out or empty)."""

    moment: datetime | None = None


def real_moment(_form, field: MomentField) -> None:
    """The stamp is written as ``Date.toISOString`` writes it *and* is a moment there was: the
    pattern alone lets through a 13th month, a 30 February, 25 o'clock or year 1, each a 500
    when parsed later, and a year 1 or 9999 overflows the clock offset.  Parsed here, once, so
    every reader of the field (``field.moment``) has a real moment and a bad stamp is the
    form's error.  Empty is allowed (a live answer); blank space is not a stamp."""
    field.moment = None
    if field.data is None or field.data == "":
        return
    if MOMENT.fullmatch(field.data) is None:
        raise ValidationError(_("這筆離線回覆的時間格式有誤，無法接收。"))
    try:
        moment = _moment(field.data)
    except (ValueError, OverflowError):
        raise ValidationError(_("這筆離線回覆的時間格式有誤，無法接收。")) from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValidationError(_("這筆離線回覆的時間有誤，無法接收。"))
    field.moment = moment


class KioskMeta(SubmissionMeta):
    queued_at = MomentField("", validators=[real_moment])
    sent_at = MomentField("", validators=[real_moment])

    def validate(self, extra_validators=None) -> bool:
        """A bad stamp is said once at the top of the page, not as a question left unanswered
        (the stamps are hidden: there is nothing for the citizen to find and fix)."""
        valid = super().validate(extra_validators)
        for field in (self.queued_at, self.sent_at):
            for error in field.errors:
                if error not in self.form_errors:
                    self.form_errors.append(error)
            field.errors = []
        return valid


def queued(form: KioskMeta, now: datetime, max_age: timedelta) -> tuple[datetime, int] | str | None:
    """For a submission the tablet kept offline: when the citizen answered, by the server's
    clock (the tablet's reading corrected by how far its clock was off when it sent), and that
    offset in seconds.  A message when it cannot be taken (too old, from the future, half the
    stamps); None for a submission sent at once.  Reads the stamps ``real_moment`` parsed: call
    it on a validated form."""
    queued_at, sent_at = form.queued_at.moment, form.sent_at.moment
    if queued_at is None and sent_at is None:
        return None
    if queued_at is None or sent_at is None:
        return _("這筆離線回覆缺少時間資訊，無法接收。")
    skew = now - sent_at
    if abs(skew) > MAX_SKEW:
        return _("這筆離線回覆的時間有誤，無法接收。")
    answered = queued_at + skew
    if answered > now + timedelta(minutes=1) or queued_at > sent_at:
        return _("這筆離線回覆的時間有誤，無法接收。")
    if now - answered > max_age:
        return _("這筆離線回覆已超過 %(hours)s 小時，依規定不再接收。",
                 hours=int(max_age.total_seconds() // 3600))
    return answered, round(skew.total_seconds())
