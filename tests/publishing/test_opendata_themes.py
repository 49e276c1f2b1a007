"""Theme counts in the open data: per office and theme, counts only, withheld below the minimum
number of commenters, never a comment's text; and a correction that would give away a few
commenters' themes is refused like one that would give away their answers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import numpy as np
from support import factories
from support.opendata import MIN_N, download, publish, signed_in

from analysis import opendata
from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.extensions import db
from webapp.programme import instruments

SECRET = "櫃檯的王小姐態度很差"


def commented(office, count: int, text: str) -> None:
    version, instrument = instruments.current("satisfaction")
    for _ in range(count):
        storage.store(version=version, instrument=instrument, office=office, channel="paper",
                      status="submitted", occurred_at=datetime(2025, 9, 2, 3, tzinfo=UTC),
                      idempotency_key=uuid.uuid4().hex, commit=False,
                      answers={"overall": Stored(2), "comment": Stored(None, text)})
    db.session.commit()


def rows(client, name: str = "themes.csv") -> list[dict]:
    return list(csv.DictReader(io.StringIO(download(client, name).decode("utf-8-sig"))))


def test_offices_with_enough_commenters_publish_counts_and_no_text(app):
    daan = factories.office("TPH-DAAN", "臺北市大安區戶政事務所")
    xinyi = factories.office("TPH-XINYI", "臺北市信義區戶政事務所")
    wanhua = factories.office("TPH-WANHUA", "臺北市萬華區戶政事務所")
    songshan = factories.office("TPH-SONGSHAN", "臺北市松山區戶政事務所")
    commented(daan, 25, SECRET)
    commented(daan, 10, "停車位太少")
    commented(xinyi, 31, "等了一個小時")
    commented(songshan, 33, "等了一個小時")
    commented(wanhua, 2, SECRET)   # two commenters: their themes must not be publishable
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    anyone = app.test_client()
    found = {(r["office_code"], r["theme"]): r for r in rows(anyone)}
    attitude = found[("TPH-DAAN", "attitude")]
    assert (attitude["commenters"], attitude["mentions"], attitude["complaints"]) == ("35", "25", "25")
    assert attitude["theme_label"] == "服務態度" and attitude["suppressed"] == ""
    assert found[("TPH-DAAN", "parking")]["mentions"] == "10"
    # Wanhua, and with it Xinyi and Songshan: no single withheld office follows from the total
    assert found[("TPH-WANHUA", "attitude")]["suppressed"] == "small_n"
    assert found[("TPH-WANHUA", "attitude")]["mentions"] == ""
    assert found[("TPH-XINYI", "wait")]["suppressed"] == "complementary"
    assert found[("TPH-SONGSHAN", "wait")]["suppressed"] == "complementary"
    assert found[("ALL", "wait")]["mentions"] == "64"
    for name in ("themes.csv", "survey.csv", "results.json", "metadata.json"):
        body = download(anyone, name).decode("utf-8-sig")
        assert SECRET not in body and "停車位太少" not in body
    meta = download(anyone, "metadata.json").decode("utf-8")
    assert "themes.csv" in meta and "留下意見的民眾人數" in meta


def test_a_correction_moving_a_few_commenters_is_refused(app):
    daan = factories.office("TPH-DAAN", "臺北市大安區戶政事務所")
    commented(daan, MIN_N + 5, "等了一個小時")
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    # an analyst corrects two comments' themes: no answer moves, two commenters' themes do
    from sqlalchemy import select

    from webapp.reporting.themes import reading
    from webapp.reporting.themes.models import CommentCode

    person = factories.user("analyst")
    for answer_id in db.session.scalars(select(CommentCode.answer_id).limit(2)).all():
        reading.correct(answer_id, ["parking"], "complaint", person.id)
    refused = publish(analyst, note="修正兩則意見的主題")
    assert refused.status_code == 400
    assert "停車與交通" in refused.get_data(as_text=True)


def test_theme_cells_and_basis():
    codes, themes = ["A", "B", "C", "D"], ["wait", "parking"]
    mentions = np.array([[20, 5], [1, 0], [3, 3], [4, 4]])
    complaints = np.array([[15, 5], [1, 0], [3, 3], [4, 4]])
    praise = np.array([[3, 0], [0, 0], [0, 0], [0, 0]])
    commenters = [40, 2, 35, 33]
    cells = opendata.theme_cells(codes, themes, commenters, mentions, complaints, praise, MIN_N)
    by = {(c["office_code"], c["theme"]): c for c in cells}
    assert by[("A", "wait")] == {"office_code": "A", "theme": "wait", "commenters": 40,
                                  "mentions": 20, "complaints": 15, "praise": 3,
                                  "suppressed": None}
    assert by[("B", "wait")]["mentions"] is None and by[("B", "wait")]["suppressed"] == "small_n"
    assert by[("D", "wait")]["suppressed"] == "complementary"   # D with B: 35 together
    assert by[("ALL", "wait")]["mentions"] == 28
    basis = opendata.theme_basis(codes, themes, commenters, mentions, complaints, praise)
    assert basis["theme:wait"]["A"] == [15, 3, 2, 20, 0]
    moved = np.array([[0, 2], [0, 0], [0, 0], [0, 0]])
    later = opendata.theme_basis(codes, themes, [42, 2, 35, 33], mentions + moved,
                                 complaints + moved, praise)
    assert ("theme:parking", "A", 2) in opendata.small_changes(basis, later, MIN_N)


def test_a_period_published_before_themes_takes_a_genuine_correction(app):
    from support.opendata import survey

    from webapp.publishing.opendata.publications import Publication

    daan = factories.office("TPH-DAAN", "臺北市大安區戶政事務所")
    wanhua = factories.office("TPH-WANHUA", "臺北市萬華區戶政事務所")
    commented(daan, 40, "等了一個小時")
    commented(wanhua, 3, SECRET)
    analyst = signed_in(app, "analyst")
    assert publish(analyst).status_code == 302
    first = db.session.scalars(db.select(Publication)).one()   # as the previous release kept it
    first.data = {k: v for k, v in first.data.items() if k != "themes"}
    first.basis = {k: v for k, v in first.basis.items() if not k.startswith("theme:")}
    db.session.commit()
    survey(daan, 4, 40)   # forty late paper forms: a correction big enough to publish
    assert publish(analyst, note="補登 40 份紙本").status_code == 302
