"""What a counter tablet's page carries besides the survey: when a citizen answered while the
tablet was offline, and the tablet's clock when it sent the answers on (``static/kiosk-offline.js``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp, ValidationError

from webapp.platform.web.webforms import SubmissionMeta

#: an ISO 8601 moment in UTC as JavaScript's ``Date.toISOString`` writes it
MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"


#: the years a tablet's clock may read: from a clock reset to 1970 to well ahead of now
YEARS = (1970, 2099)
#: the most a tablet's clock may be off and still be corrected: the offset is stored in
#: seconds in a 32-bit column (68 years), and a clock further off says nothing anyway
MAX_SKEW = timedelta(days=366 * 60)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def real_moment(_form, field) -> None:
    """The pattern lets through a 13th month, a 30 February or year 1: each would fail later
    as a 500.  Parse it here, so a bad stamp is the form's error, with a reason."""
    if not field.data:
        return
    try:
        moment = _moment(field.data)
    except (ValueError, OverflowError):
        raise ValidationError(_("這筆離線回覆的時間格式有誤，無法接收。")) from None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValidationError(_("這筆離線回覆的時間有誤，無法接收。"))


class KioskMeta(SubmissionMeta):
    queued_at = HiddenField("", validators=[Optional(), Regexp(MOMENT), real_moment])
    sent_at = HiddenField("", validators=[Optional(), Regexp(MOMENT), real_moment])


def queued(form: KioskMeta, now: datetime, max_age: timedelta) -> tuple[datetime, int] | str | None:
    """For a submission the tablet kept offline: when the citizen answered, by the server's
    clock (the tablet's reading corrected by how far its clock was off when it sent), and that
    offset in seconds.  A message when it cannot be taken (too old, from the future, half the
    stamps); None for a submission sent at once."""
    if not form.queued_at.data and not form.sent_at.data:
        return None
    if not (form.queued_at.data and form.sent_at.data):
        return _("這筆離線回覆缺少時間資訊，無法接收。")
    queued_at, sent_at = _moment(form.queued_at.data), _moment(form.sent_at.data)
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
