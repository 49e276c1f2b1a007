from datetime import date

import pytest

from analysis.periods import Period


@pytest.mark.parametrize(
    ("text", "roc"),
    [("2024H2", "113年下半年"), ("2025H1", "114年上半年"), ("2025Q3", "114年第3季"),
     ("2026q4", "115年第4季")],
)
def test_roc_labels(text, roc):
    assert Period.parse(text).roc_label() == roc


@pytest.mark.parametrize("bad", ["2025H3", "2025Q0", "25H1", "2025-H1", ""])
def test_bad_period_text_is_refused_with_the_expected_format(bad):
    with pytest.raises(ValueError, match="2025H2"):
        Period.parse(bad)


def test_boundaries_and_neighbours():
    h2 = Period.parse("2025H2")
    assert h2.start() == date(2025, 7, 1) and h2.end() == date(2026, 1, 1)
    assert h2.previous() == Period.parse("2025H1") and h2.next() == Period.parse("2026H1")
    assert Period.half_of(date(2025, 6, 30)) == Period.parse("2025H1")
    assert Period.half_of(date(2025, 7, 1)) == h2
    assert Period.quarter_of(date(2025, 12, 31)) == Period.parse("2025Q4")
    assert Period.parse("2025Q1").previous() == Period.parse("2024Q4")
    assert str(h2) == "2025H2"


def test_a_period_is_its_own_text():
    """One value type: equal to, hashed and sorted as its text, so SQL, JSON and dict keys
    take it as it is, and it still knows its year, kind and label."""
    import json

    h2 = Period.parse("2025h2")
    assert h2 == "2025H2" and {"2025H2": 1}[h2] == 1 and json.dumps([h2]) == '["2025H2"]'
    assert (h2.year, h2.kind, h2.index) == (2025, "H", 2)
    assert sorted([Period.parse("2026H1"), h2, Period.parse("2024H2")]) == [
        "2024H2", "2025H2", "2026H1"]
    assert h2.label("en") == "2025 H2 (ROC 114)" and h2.label("zh_TW") == "114年下半年"
    with pytest.raises(ValueError):
        Period("2025H3")


def test_odd_stored_text_is_labelled_as_it_is():
    from analysis.periods import label

    assert label("2025H1", "zh_TW") == "114年上半年"
    assert label("0999H2", "en") == "0999H2" and label(None, "en") == ""


def test_a_period_column_gives_a_period_and_keeps_an_odd_one_as_text(app):
    from sqlalchemy import text
    from support import factories

    from webapp.capture.submissions import Submission
    from webapp.platform.extensions import db
    from webapp.programme import instruments

    office = factories.office()
    version, _survey = instruments.current("satisfaction")
    for key, half in (("a" * 16, "2025H2"), ("b" * 16, "0999H2")):
        db.session.execute(text(
            "INSERT INTO submissions (idempotency_key, office_id, instrument_key, "
            "instrument_version_id, channel, status, half, quarter, occurred_at, created_at, "
            "updated_at, delayed, revision) VALUES (:k, :o, 'satisfaction', :v, 'paper', "
            "'submitted', :h, :h, '2025-08-01 00:00:00', '2025-08-01 00:00:00', "
            "'2025-08-01 00:00:00', false, 1)"), {"k": key, "o": office.id, "v": version.id, "h": half})
    db.session.commit()
    halves = {s.idempotency_key[0]: s.half for s in db.session.scalars(
        db.select(Submission))}
    assert isinstance(halves["a"], Period) and halves["a"].label("en") == "2025 H2 (ROC 114)"
    assert halves["b"] == "0999H2" and not isinstance(halves["b"], Period)
    found = db.session.scalars(db.select(Submission).where(
        Submission.half == Period.parse("2025H2"))).all()
    assert [s.idempotency_key[0] for s in found] == ["a"]


@pytest.mark.parametrize(("path", "status"), [("/open/2025h2/", 404), ("/open/9999H2/", 404),
                                              ("/open/2025H3/", 404), ("/open/x/survey.csv", 404)])
def test_a_period_in_a_url_is_read_by_its_converter(client, path, status):
    assert client.get(path).status_code == status


def test_the_converter_reads_and_writes_periods(app):
    with app.test_request_context():
        from flask import url_for

        assert url_for("opendata.period_page", period=Period.parse("2025H2")) == "/open/2025H2/"
        adapter = app.url_map.bind("localhost")
        endpoint, values = adapter.match("/open/2025h2/")
        assert endpoint == "opendata.period_page" and values["period"] == "2025H2"
        assert isinstance(values["period"], Period)
