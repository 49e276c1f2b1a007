"""An analyst corrects what a comment is about: the themes ticked and the tone chosen replace
the automatic reading for good (the ``themes`` job never reads it again), audited with both."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.platform.web.security import roles_required
from webapp.reporting.reports.views import bp
from webapp.reporting.themes import reading, shown
from webapp.reporting.themes.webforms import CorrectionForm


@bp.post("/comments/<int:answer_id>/themes")
@roles_required(*shown.CORRECTORS)
def correct_themes(answer_id: int):
    form = CorrectionForm()
    # the comments page's own query string, taken apart and put together again: only its
    # parameters go back, percent-encoded, under the comments page's path
    back = urlencode(parse_qsl(request.args.get("back", ""), keep_blank_values=True))
    target = url_for("reports.comments") + ("?" + back if back else "")
    if not form.validate_on_submit():
        abort(400, description=_("沒有儲存：%(why)s", why="；".join(
            [*form.form_errors, *(e for errors in form.errors.values() for e in errors
                                  if isinstance(e, str))])))
    try:
        reading.correct(answer_id, form.themes.data or [], form.tone.data, current_user.id)
    except LookupError:
        abort(404)
    except reading.CorrectionRefused:
        abort(400)
    flash(_("已修正這則意見的主題；之後重新判讀時會保留您的修正。"), "ok")
    return redirect(f"{target}#comment-{answer_id}", 303)
