"""Stored files in an S3-compatible object store: a real SeaweedFS server, never a mock.

What a city's operator relies on: with ``STORAGE_URL=s3://…`` a photo an inspector uploads is
kept in the bucket (no server's own disk), is served only through the app's permission check
(the bucket answers nobody without its keys), is part of a backup, and ``/readyz`` says when
the store is gone; ``flask storage migrate --to`` moves the files an office kept in its folder
into the bucket, each checked by hash, and a second run copies nothing twice.
"""

from __future__ import annotations

import hashlib
import io
import urllib.error
import urllib.request

import pytest
from PIL import Image
from sqlalchemy import select
from support import factories
from support.flows import client_for, post_page
from support.s3server import S3Server, require_weed

from webapp.capture import photo_files
from webapp.capture.evidence import Photo
from webapp.platform import storage
from webapp.platform.extensions import db

pytestmark = pytest.mark.processes

@pytest.fixture
def s3(tmp_path, monkeypatch):
    require_weed()
    with S3Server(tmp_path) as server:
        server.make_bucket("evidence")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.access_key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.secret_key)
        yield server


def jpeg(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def test_a_photo_lives_in_the_bucket_and_is_served_only_through_the_app(app, s3, tmp_path):
    app.config["STORAGE_URL"] = s3.url("evidence")
    app.config["PHOTO_DIR"] = str(tmp_path / "never-used")
    office, inspector = factories.office(), factories.user("inspector")
    reviewer, stranger = factories.user("reviewer"), factories.user("analyst")
    record = factories.record(office, inspector, key="mystery", status="draft")
    field = client_for(app, inspector)
    sent = post_page(field, f"/inspect/{record.id}/photos",
                     {"photo": (io.BytesIO(jpeg()), "ramp.jpg"), "caption": "坡道"},
                     page_url=f"/inspect/{record.id}/edit", only_token=True,
                     content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    photo = db.session.scalars(select(Photo)).one()
    names = set(storage.current().names())
    assert names == {f"{photo.digest}.jpg", f"{photo.digest}.thumb.jpg"}
    assert not (tmp_path / "never-used").exists()                 # no server's own disk
    kept = photo_files.read(photo.digest)
    assert hashlib.sha256(kept).hexdigest() == photo.digest

    shown = field.get(f"/photos/{photo.id}")
    assert shown.status_code == 200 and shown.data == kept and shown.mimetype == "image/jpeg"
    assert client_for(app, reviewer).get(f"/photos/{photo.id}/thumb").status_code == 200
    assert client_for(app, stranger).get(f"/photos/{photo.id}").status_code == 404
    with pytest.raises(urllib.error.HTTPError) as refused:        # the bucket is private
        urllib.request.urlopen(f"{s3.endpoint}/evidence/{photo.digest}.jpg", timeout=10)
    assert refused.value.code in (401, 403)
    refused.value.close()


def test_migrate_copies_a_folder_into_the_bucket_checked_by_hash_and_once(app, s3, tmp_path):
    folder = tmp_path / "photos"
    app.config["PHOTO_DIR"], app.config["STORAGE_URL"] = str(folder), None
    kept = [photo_files.process(jpeg(c), 8 << 20) for c in ((10, 20, 30), (90, 80, 70))]
    for one in kept:
        photo_files.save(one)
    cli = app.test_cli_runner()
    first = cli.invoke(args=["storage", "migrate", "--to", s3.url("evidence")])
    assert first.exit_code == 0, first.output
    assert "4 copied, 0 already there, 0 failed" in first.output
    again = cli.invoke(args=["storage", "migrate", "--to", s3.url("evidence")])
    assert "0 copied, 4 already there" in again.output
    app.config["STORAGE_URL"] = s3.url("evidence")
    for one in kept:
        assert photo_files.read(one.digest) == one.image
        assert photo_files.read(one.digest, thumb=True) == one.thumb
    nowhere = cli.invoke(args=["storage", "migrate", "--to", "s3://missing?endpoint=" + s3.endpoint])
    assert nowhere.exit_code == 1 and "cannot be used" in nowhere.output


def test_readiness_and_backup_see_the_bucket(app, s3, tmp_path):
    app.config["STORAGE_URL"] = s3.url("evidence")
    one = photo_files.process(jpeg(), 8 << 20)
    photo_files.save(one)
    client = app.test_client()
    assert client.get("/readyz").get_json()["checks"]["storage"] == "ok"
    made = app.test_cli_runner().invoke(args=["backup", "create", "--out", str(tmp_path / "b")])
    assert made.exit_code == 0 and "2 files" in made.output, made.output
    assert (tmp_path / "b" / "files" / "photos" / f"{one.digest}.jpg").read_bytes() == one.image
    s3.stop()
    down = client.get("/readyz")
    assert down.status_code == 503 and down.get_json()["checks"]["storage"].startswith("unavailable")
