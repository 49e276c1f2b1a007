"""What citizens wrote: the free-text comments per office and period, filtered and paged.

The comment is read with the answers people filter by (overall score, service used, age band)
from the same submission, newest first.  Only the date is shown, never the time, and every
comment is masked (``webapp.platform.masking``) before it reaches the page: a name-free survey still
gets ID and phone numbers typed into it.

An office manager reads their own office's comments as text alone: no date, channel, score,
service or age band, no filter by them, and in the order of the text rather than of time.  At a
small office the manager knows who came in on a given day; a comment with its date, age band
and service, or the only comment with score 1, would say who wrote it.  Analysts, who compare
offices and know none of their visitors, keep the details and the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from analysis.satisfaction import LEVELS, MAIN_ITEM
from forms.instrument import pick
from webapp.capture.store import CITIZEN_CHANNELS
from webapp.capture.submissions import CHANNEL_LABELS, Answer, Submission
from webapp.platform import masking
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web import listing
from webapp.platform.web.security import roles_required
from webapp.programme import instruments
from webapp.programme.offices import Office
from webapp.reporting import counts as aggregates
from webapp.reporting.reports.views import bp, default_half
from webapp.reporting.themes import shown
from webapp.reporting.themes.models import CommentCode, CommentTheme
from webapp.reporting.themes.webforms import CorrectionForm

PER_PAGE = 50
SURVEY = "satisfaction"
FILTERS = ("overall", "service_used", "age_band")


@dataclass(frozen=True)
class Comment:
    submission_id: int
    day: str
    office: Office
    channel: str
    overall: int | None
    service: str | None
    age_band: str | None
    text: str
    answer_id: int
    code: CommentCode | None    #: its themes and tone (None until the ``themes`` job reads it)


def filters(survey, halves: list[str], offices: list[Office], themes: dict[str, str]) -> dict:
    """The page's filters from the query string, each checked against what may be chosen."""
    args = request.args
    period = listing.period(default=default_half(halves))
    options = {key: {o["key"] for o in survey.question(key)["options"]}
               for key in ("service_used", "age_band")}
    overall = listing.choice("overall", {str(v) for v in range(1, LEVELS + 1)}, _("整體滿意度"))
    try:
        page = max(1, int(args.get("page") or 1))
    except ValueError:
        abort(400, description=_("頁碼應為正整數"))
    return {"period": period, "office": listing.choice("office", {o.code for o in offices}, _("機關")),
            "overall": int(overall) if overall else None,
            "service_used": listing.choice("service_used", options["service_used"], _("辦理業務")),
            "age_band": listing.choice("age_band", options["age_band"], _("年齡")),
            "channel": listing.choice("channel", set(CITIZEN_CHANNELS), _("填答管道")),
            "theme": listing.choice("theme", set(themes), _("主題")),
            "tone": listing.choice("tone", set(shown.tone_labels()), _("語氣")), "page": page}


def query(f: dict, text_items: list[str], by_time: bool = True):
    """Comments matching the filters, newest first (or in the order of their text), and how
    many there are in all."""
    comment, overall, service, age = (aliased(Answer) for _ in range(4))

    def answer(alias, key):
        return and_(alias.submission_id == comment.submission_id, alias.item_key == key)

    conditions = [comment.instrument_key == SURVEY, comment.item_key.in_(text_items),
                  aggregates.in_period(comment, f["period"]), comment.value.is_(None),
                  comment.text.isnot(None), comment.text != ""]
    if f["office"]:
        conditions.append(Office.code == f["office"])
    if f["channel"]:
        conditions.append(comment.channel == f["channel"])
    if f["overall"]:
        conditions.append(overall.value == f["overall"])
    if f["service_used"]:
        conditions.append(service.text == f["service_used"])
    if f["age_band"]:
        conditions.append(age.text == f["age_band"])
    if f["theme"]:
        conditions.append(exists().where(CommentTheme.answer_id == comment.id,
                                         CommentTheme.theme == f["theme"]))
    if f["tone"]:
        conditions.append(CommentCode.tone == f["tone"])
    base = (select(comment.submission_id).select_from(comment)
            .join(Office, Office.id == comment.office_id)
            .outerjoin(CommentCode, CommentCode.answer_id == comment.id)
            .outerjoin(overall, answer(overall, MAIN_ITEM))
            .outerjoin(service, answer(service, "service_used"))
            .outerjoin(age, answer(age, "age_band"))
            .where(*conditions))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        base.join(Submission, Submission.id == comment.submission_id)
        .add_columns(Submission.occurred_at, Office, Submission.channel, overall.value,
                     service.text, age.text, comment.text, comment.id, CommentCode)
        .order_by(*((Submission.occurred_at.desc(), Submission.id.desc()) if by_time else
                    (comment.text, Submission.id)))
        .limit(PER_PAGE).offset((f["page"] - 1) * PER_PAGE))
    comments = [Comment(sid, at.astimezone(TAIPEI).date().isoformat(), office, channel, score,
                        served, band, masking.mask(text), answer_id, coded)
                for sid, at, office, channel, score, served, band, text, answer_id, coded in rows]
    return comments, int(total or 0)


def correction(code: CommentCode, labels: dict[str, str]) -> CorrectionForm:
    """The correction form of one comment, ticked as it reads now."""
    return CorrectionForm(formdata=None, themes=[t.theme for t in code.themes], tone=code.tone,
                          labels=labels)


@bp.get("/comments")
@roles_required("analyst", "admin", "office")
def comments():
    _row, survey = instruments.current(SURVEY)
    halves, offices = aggregates.periods_with_data(SURVEY), aggregates.offices()
    if current_user.role == "office":   # an office manager reads their own office's comments
        offices = [o for o in offices if o.id == current_user.office_id]
        if not offices or request.args.get("office") not in (None, "", offices[0].code):
            abort(404)
    locale = locale_code()
    themes = shown.theme_labels(locale)
    f = filters(survey, halves, offices, themes)
    plain = current_user.role == "office"
    if plain:
        f["office"] = offices[0].code   # never everyone's
        f |= {key: None for key in (*FILTERS, "channel")}   # nor a way to single one out
    labels = {key: {o["key"]: pick(o["label"], locale) for o in survey.question(key)["options"]}
              for key in ("service_used", "age_band")}
    found, total = ([], 0)
    if f["period"]:
        found, total = query(f, survey.text_keys(), by_time=not plain)
    pages = max(1, -(-total // PER_PAGE))
    return render_template(
        "reports/comments.html", f=f, comments=found, total=total, pages=pages, plain=plain,
        per_page=PER_PAGE, labels=labels, offices=offices, themes=themes,
        tones=shown.tone_labels(), correct=current_user.role in shown.CORRECTORS,
        reasons=shown.reasons, correction=correction,
        back=urlencode(list(request.args.items(multi=True))),
        channels={c: pick(CHANNEL_LABELS[c], locale) for c in CITIZEN_CHANNELS},
        halves=halves,
        quarters=aggregates.periods_with_data(SURVEY, quarters=True))
