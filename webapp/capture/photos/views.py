"""``/photos/<id>``: an evidence photo, and its thumbnail, for whoever may see it
(``evidence.may_see``: the reviewers, the inspector who took it, the checked office's manager
once the record has an improvement case).  Anyone else gets 404, not a hint that it exists."""

from __future__ import annotations

import io

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from webapp.capture import evidence
from webapp.capture import photo_files as photos
from webapp.capture.evidence import Photo
from webapp.platform.extensions import db
from webapp.platform.web.security import private_cache

bp = Blueprint("photos", __name__, url_prefix="/photos")


def _send(photo_id: int, thumb: bool):
    photo = db.session.get(Photo, photo_id)
    if photo is None or not evidence.may_see(current_user, photo):
        abort(404)
    data = photos.read(photo.digest, thumb=thumb)     # from the store, never its own address
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype="image/jpeg", max_age=3600, conditional=True,
                         etag=f"{photo.digest}{'-thumb' if thumb else ''}")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<int:photo_id>")
@private_cache
@login_required
def full(photo_id: int):
    return _send(photo_id, thumb=False)


@bp.get("/<int:photo_id>/thumb")
@private_cache
@login_required
def thumb(photo_id: int):
    return _send(photo_id, thumb=True)
