"""``/open/``: published periods and their files for anyone, no sign-in; ``/open/publish`` for
analysts, who freeze a period's results as a new version."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from analysis import periods
from analysis.periods import Period
from analysis.satisfaction import MAIN_ITEM
from webapp.platform.extensions import db
from webapp.platform.i18n import locale_code
from webapp.platform.web.security import private_cache, roles_required
from webapp.platform.web.site import site_base
from webapp.platform.web.webforms import StrictForm
from webapp.publishing.opendata import files
from webapp.publishing.opendata import publications as snapshot

bp = Blueprint("opendata", __name__, url_prefix="/open", template_folder="templates")
TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json"}


class PublishForm(StrictForm):
    period = SelectField(_l("期間"), validators=[InputRequired()])
    note = TextAreaField(_l("更正說明（更正已發布的期間時必填，會公開顯示）"),
                         validators=[Length(max=2000)])
    submit = SubmitField(_l("發布"))


def _publication(period: Period, version: int | None = None):
    found = snapshot.latest(period, version)
    return found if found is not None else abort(404)


@bp.get("/")
def index():
    periods = list(snapshot.correction_logs().items())
    return render_template("opendata/index.html", periods=periods, names=files.NAMES)


@bp.get("/<period:period>/")
def period_page(period: Period):
    publication = _publication(period)
    log = snapshot.correction_logs(period)[period]
    overall = [r for r in snapshot.survey_rows(publication) if r["item"] == MAIN_ITEM]
    return render_template("opendata/period.html", publication=publication, log=log,
                           overall=overall, names=files.NAMES,
                           offices={o["code"]: o for o in publication.data["offices"]},
                           inspections=snapshot.inspection_rows(publication))


def _download(publication, name: str):
    if name not in files.NAMES:
        abort(404)
    log = snapshot.log_until(publication)
    body = files.file_bytes(name, publication, log, base=site_base())
    response = make_response(body)
    if not current_app.config.get("PUBLIC_BASE_URL"):
        response.vary.add("Host")     # the metadata's links name the address that was asked
    response.headers["Content-Type"] = TYPES[name[name.rindex("."):]]
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{publication.period}-v{publication.version}-{name}"')
    # a portal's harvester asks again with If-None-Match / If-Modified-Since and gets a 304
    # until a correction is published; "no-cache": always asked, never served stale
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if name.endswith(".csv"):   # frozen at publication; the JSON files also carry settings
        response.last_modified = publication.published_at
    # a signed-in visitor's response may carry their session cookie: never for a shared cache
    signed_in = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    response.headers["Cache-Control"] = ("private" if signed_in else "public") + ", no-cache"
    return response.make_conditional(request)


@bp.get("/<period:period>/<name>")
@private_cache
def latest_file(period: Period, name: str):
    return _download(_publication(period), name)


@bp.get("/<period:period>/v<int:version>/<name>")
@private_cache
def version_file(period: Period, version: int, name: str):
    return _download(_publication(period, version), name)


@bp.route("/publish", methods=["GET", "POST"])
@roles_required("analyst", "admin")
def publish():
    form = PublishForm()
    choices = snapshot.publishable()
    form.period.choices = [SelectChoice(p, periods.label(p, locale_code())) for p in choices]
    status = 200
    if form.validate_on_submit():
        try:
            publication = snapshot.publish(form.period.data, form.note.data, current_user)
        except snapshot.PublishError as error:
            db.session.rollback()
            form.note.errors = [str(error)]
            status = 400
        else:
            db.session.commit()
            flash(_("已發布 %(period)s 第 %(version)s 版。",
                    period=periods.label(publication.period, locale_code()),
                    version=publication.version), "ok")
            return redirect(url_for(".period_page", period=publication.period))
    elif request.method == "POST":
        status = 400
    logs = snapshot.correction_logs()
    published = {p: logs.get(p, []) for p in choices}
    late = {p: snapshot.changed_since(snapshot.latest(p)) for p, log in published.items() if log}
    return render_template("opendata/publish.html", form=form, published=published,
                           late=late), status
