"""Telling people what needs them: in the app always, by e-mail when ``MAIL_URL`` is set.

A notification is added in the transaction of the change it reports (usually by an event
handler, after the change itself was committed), so a rolled-back change notifies no one.  Its
mail goes into the outbox in that same transaction (``platform.outbox``) and is sent after the
commit; a mail server that is down delays the mail, and the in-app notification is there anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from forms.instrument import pick
from webapp.capture.submissions import Submission
from webapp.cycle.notifications.models import Notification
from webapp.platform import links, outbox
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.accounts import User
from webapp.programme.offices import Office
from webapp.review.decisions import record_returned

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
    "contact_opened": {"zh_TW": "{office} 有民眾希望專人聯絡（聯絡案 #{case}），請在 {due} 前聯絡",
                       "en": "A citizen asked {office} to be contacted (contact case #{case}), by {due}"},
    "contact_overdue": {"zh_TW": "民眾聯絡案 #{case}（{office}）到期仍未聯絡（期限 {due}）",
                        "en": "Contact case #{case} ({office}) was not answered by {due}"},
}


def sentence(note: Notification, locale: str) -> str:
    """A notification in the reader's language: a name kept in both languages (``office`` and
    ``office_en``, see ``in_both``) is read in English by an English reader; a notification
    stored with the Chinese name only (before names were kept in both) keeps it."""
    template = pick(SENTENCES[note.kind], locale) if note.kind in SENTENCES else note.kind
    params = note.params or {}
    if locale.startswith("en"):
        params = {key: params.get(f"{key}_en", value) for key, value in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def in_both(key: str, name: dict[str, str] | str, english: str | None = None) -> dict[str, str]:
    """A name for a notification's sentence, in both languages: ``key`` in Chinese (what
    releases before this one read) and ``key_en`` in English.  ``name`` is a label in both
    (an instrument's title) or the Chinese name with ``english`` beside it (an office's
    ``name`` and ``name_en``); without an English name, the Chinese one serves both."""
    chinese = pick(name, "zh_TW")
    return {key: chinese, f"{key}_en": english or pick(name, "en") or chinese}


def office_named(office: Office) -> dict[str, str]:
    """An office's name for a notification, in both languages (``in_both``)."""
    return in_both("office", office.name, office.name_en)


def notify(users: Iterable[User], kind: str, params: dict, link: str) -> list[Notification]:
    """Tell each active account in ``users``, in the caller's transaction; ``link`` is the
    page's path (``links.path_for``).  Its mail (when ``MAIL_URL`` is set) is in the outbox in
    the same transaction and goes after the commit."""
    if kind not in SENTENCES:
        raise ValueError(f"unknown notification kind {kind!r}")
    made = []
    people = {u.id: u for u in users if u is not None and u.active}
    for user in people.values():
        note = Notification(user_id=user.id, kind=kind, params=params, link=link)
        db.session.add(note)
        made.append(note)
    if made:
        db.session.flush()
        outbox.queue([mail_of(note, people[note.user_id]) for note in made])
    return made


def office_managers(office_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "office",
                                                      User.office_id == office_id)))


def reviewers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(("reviewer", "admin")))))


def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(("coordinator", "admin")))))


def unread(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mail_of(note: Notification, user: User) -> tuple[str, str, str]:
    """A notification as mail, in both languages, each line with its names in its own language
    (an account has no language of its own)."""
    return (user.email, "服務品質：" + sentence(note, "zh_TW"),
            f"{sentence(note, 'zh_TW')}\n{sentence(note, 'en')}\n\n{links.public_url(note.link)}\n")


@record_returned.connect
def tell_inspector(record_id: int, comment: str) -> None:
    """After a record is returned: its inspector hears why, with a link to fix it."""
    record = db.session.get(Submission, record_id)
    if record is None:
        return
    title = instruments.instrument_of(record.instrument_version).definition["title"]
    notify([record.inspector], "returned", {
        **in_both("instrument", title), **office_named(record.office),
        "record": record.id, "comment": comment}, links.path_for("inspect.edit", submission_id=record.id))
