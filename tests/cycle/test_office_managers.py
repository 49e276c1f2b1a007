"""Office managers (issue 13, item 2): an account bound to one office sees that office's
scorecard and masked comments, and nothing of other offices beyond what is published for all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from support import factories
from support.web import hidden_fields, login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.extensions import db
from webapp.programme import instruments
from webapp.programme.accounts import User


@pytest.fixture
def setting(app):
    daan = factories.office()
    xinyi = factories.office("TPH-XINYI", "臺北市信義區戶政事務所", district="信義區")
    version, survey = instruments.current("satisfaction")
    for office, text in ((daan, "櫃台很親切，電話 0912345678"), (xinyi, "信義所的意見")):
        for _ in range(3):
            storage.store(version=version, instrument=survey, office=office, channel="paper",
                          status="submitted", occurred_at=datetime(2025, 9, 2, 3, tzinfo=UTC),
                          idempotency_key=uuid.uuid4().hex,
                          answers={"overall": Stored(5), "comment": Stored(None, text)}, commit=False)
    db.session.commit()
    manager = factories.user("office")
    manager.office_id = daan.id
    db.session.commit()
    client = app.test_client()
    response = login(client, manager.email, factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/office/TPH-DAAN")
    return client, daan, xinyi


def test_an_office_manager_sees_their_own_office_only(setting):
    client, daan, xinyi = setting
    own = client.get("/reports/office/TPH-DAAN?period=2025H2")
    assert own.status_code == 200 and "回到半年報" not in own.get_data(as_text=True)
    assert client.get("/reports/office/TPH-XINYI?period=2025H2").status_code == 404
    assert client.get("/reports/office/NOPE").status_code == 404
    for url in ("/reports/", "/reports/quality", "/reports/responses.csv?instrument=satisfaction&period=2025H2",
                "/inspect/", "/review/", "/admin/users", "/open/publish"):
        assert client.get(url).status_code == 403, url


def test_an_office_manager_reads_their_offices_comments_masked(setting):
    client, daan, xinyi = setting
    page = client.get("/reports/comments?period=2025H2").get_data(as_text=True)
    assert "櫃台很親切" in page and "0912345678" not in page and "信義所的意見" not in page
    picker = page.split('name="office"')[1].split("</select>")[0]
    assert "TPH-XINYI" not in page and ">全部<" not in picker and 'value="TPH-DAAN"' in picker
    assert client.get("/reports/comments?period=2025H2&office=TPH-XINYI").status_code == 404


def test_an_admin_binds_an_office_manager_to_an_office(app, setting):
    _client, daan, _xinyi = setting
    admin = app.test_client()
    assert login(admin, factories.user("admin").email, factories.PASSWORD).status_code == 302
    fields = hidden_fields(admin.get("/admin/users").get_data(as_text=True))
    data = {**fields, "email": "director@example.tw", "password": "long enough pw", "role": "office"}
    refused = admin.post("/admin/users", data=data)
    assert refused.status_code == 400 and "機關主管需要指定一個機關" in refused.get_data(as_text=True)
    assert admin.post("/admin/users", data={**data, "office": "TPH-DAAN"}).status_code == 302
    user = db.session.scalars(select(User).where(User.email == "director@example.tw")).one()
    assert user.office_id == daan.id and user.role == "office"
    assert "機關主管" in admin.get("/admin/users?role=office").get_data(as_text=True)


def test_the_command_line_needs_an_office_for_an_office_manager(app, setting):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "boss@example.tw", "--role", "office"]
    assert runner.invoke(args=args, input="long enough pw\n").exit_code == 1
    result = runner.invoke(args=[*args, "--office", "TPH-XINYI"], input="long enough pw\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(User).where(User.email == "boss@example.tw")).one().office.code == "TPH-XINYI"


def test_an_office_manager_cannot_single_out_a_commenter(app, setting):
    """Issue 25, design risk: at a small office the manager knows who came in when; the
    comments page shows them the text alone, in the order of the text, with no filter by
    score, service, channel or age band (asked for in the address, it is ignored)."""
    client, daan, _xinyi = setting
    version, survey = instruments.current("satisfaction")
    storage.store(version=version, instrument=survey, office=daan, channel="kiosk",
                  status="submitted", occurred_at=datetime(2025, 12, 30, 3, tzinfo=UTC),
                  idempotency_key=uuid.uuid4().hex,
                  answers={"overall": Stored(1), "age_band": Stored(4, "65plus"),
                           "comment": Stored(None, "等了一個小時")})
    page = client.get("/reports/comments?period=2025H2&overall=1&channel=kiosk").get_data(
        as_text=True)
    assert "等了一個小時" in page and "櫃台很親切" in page          # the filter is ignored
    assert "2025-12-30" not in page and "2025-09-02" not in page and "1/5" not in page
    assert 'name="overall"' not in page and 'name="age_band"' not in page
    analyst = app.test_client()
    assert login(analyst, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    full = analyst.get("/reports/comments?period=2025H2&overall=1").get_data(as_text=True)
    assert "等了一個小時" in full and "櫃台很親切" not in full and "2025-12-30" in full
