"""The read API (issue 15, items 4 and 5): the OpenAPI document validates; schemathesis runs
every documented operation over the real app and checks each response against the document;
tokens are shown once, stored hashed, revocable, scoped and rate-limited; a session cookie is
never a way in; errors are problem documents; CORS only where the data is public."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select
from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.extensions import db
from webapp.programme import api_tokens, instruments
from webapp.programme.api_tokens import ApiToken, ApiUsage
from webapp.publishing.opendata import publications

PERIOD = "2025H2"


@pytest.fixture
def world(app):
    offices = [factories.office(f"TPH-{i}", f"第{i}戶政事務所") for i in range(3)]
    version, survey = instruments.current("satisfaction")
    for i in range(75):
        storage.store(version=version, instrument=survey, office=offices[i % 3], channel="paper",
                      status="submitted", occurred_at=datetime(2025, 9, 2, 3, tzinfo=UTC),
                      idempotency_key=uuid.uuid4().hex,
                      answers={"overall": Stored(1 + i % 5), "comment": Stored(None, "我的電話 0912345678")},
                      commit=False)
    db.session.commit()
    publications.publish(PERIOD, None, None)
    _row, analyst = api_tokens.create("研究團隊", "analyst", None)
    _row, public = api_tokens.create("市府開放資料平台", "public", None)
    db.session.commit()
    return {"analyst": analyst, "public": public, "offices": offices}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_document_is_valid_openapi_3_1(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)


@pytest.mark.slow
def test_every_operation_answers_as_documented(app, world):
    """Every documented operation, with parameters schemathesis makes from the document
    (hostile and ordinary alike), asked with no token, a public and an analyst one: each
    answer has a documented status and a body that matches the document, never a 5xx.
    (The operations are walked by hand: schemathesis' pytest plugin predates pytest 9.2.)"""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # (schemathesis leaves out the document's own path; the first test reads it)
    assert {op.path for op in operations} == {"/offices", "/periods", "/results", "/responses",
                                              "/variables"}
    for operation in operations:
        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            generated = dict(case.headers or {})
            for headers in ({}, bearer(world["public"]), bearer(world["analyst"])):
                # identity: the WSGI transport hands back the bytes as sent, compressed or not
                case.headers = {**generated, **headers, "Accept-Encoding": "identity"}
                response = case.call()
                assert response.status_code < 500, (case.path, case.query, response.text[:300])
                # every check but "schema-valid requests are accepted": a cursor is opaque,
                # so most strings the document allows are not ones the API gave out (a 400)
                case.validate_response(response, excluded_checks=[positive_data_acceptance])

        check()


def test_public_results_need_no_token_and_carry_cors(app, world):
    client = app.test_client()
    response = client.get(f"/api/v1/results?period={PERIOD}&instrument=satisfaction")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    rows = response.get_json()
    assert {r["office_code"] for r in rows} == {"TPH-0", "TPH-1", "TPH-2", "ALL"}
    assert response.headers["X-Publication-Version"] == "1"
    assert client.get("/api/v1/periods").get_json()[0]["period"] == PERIOD


def test_the_period_list_is_one_query_without_the_frozen_data(app, world):
    """Two published half-years, one corrected: listed newest first with the correction, read
    in one statement that never loads a snapshot."""
    from sqlalchemy import event

    version, survey = instruments.current("satisfaction")
    storage.store(version=version, instrument=survey, office=world["offices"][0], channel="paper",
                  status="submitted", occurred_at=datetime(2025, 3, 2, 3, tzinfo=UTC),
                  idempotency_key=uuid.uuid4().hex, answers={"overall": Stored(4)}, commit=False)
    db.session.commit()
    publications.publish("2025H1", None, None)
    for _ in range(30):   # fewer would be refused: v2 - v1 would give those people's answers
        storage.store(version=version, instrument=survey, office=world["offices"][1],
                      channel="paper", status="submitted",
                      occurred_at=datetime(2025, 9, 3, 3, tzinfo=UTC),
                      idempotency_key=uuid.uuid4().hex, answers={"overall": Stored(2)},
                      commit=False)
    db.session.commit()
    publications.publish(PERIOD, "補登紙本問卷 30 份", None)
    db.session.commit()
    statements = []
    engine = db.engine

    def seen(_conn, _cursor, statement, *_args):
        if "publications" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        listed = app.test_client().get("/api/v1/periods").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [p["period"] for p in listed] == [PERIOD, "2025H1"]
    assert listed[0]["latest_version"] == 2 and listed[1]["latest_version"] == 1
    assert listed[0]["corrections"] == [{"version": 2, "note": "補登紙本問卷 30 份"}]
    assert len(statements) == 1 and "publications.data" not in statements[0]


def test_responses_need_an_analyst_token_and_page_by_cursor(app, world):
    client = app.test_client()
    refused = client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}")
    assert refused.status_code == 401 and refused.content_type == "application/problem+json"
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}",
                      headers=bearer(world["public"])).status_code == 403
    seen, cursor = [], None
    while True:
        url = f"/api/v1/responses?instrument=satisfaction&period={PERIOD}&limit=20"
        answered = client.get(url + (f"&cursor={cursor}" if cursor else ""),
                              headers=bearer(world["analyst"]))
        page = answered.get_json()
        seen += [row["response_id"] for row in page]
        cursor = answered.headers.get("X-Next-Cursor")
        if cursor is None:
            assert "Link" not in answered.headers
            break
        assert answered.headers["Link"].endswith(f'cursor={cursor}>; rel="next"')
    assert len(seen) == 75 == len(set(seen)) and seen == sorted(seen)
    one = page[-1]
    assert one["comment"] == "我的電話 **********" or "0912345678" not in str(one)
    assert not {"kiosk", "user_agent", "occurred_at"} & set(one)
    only = client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}&office=TPH-1",
                      headers=bearer(world["analyst"])).get_json()
    assert {r["office_code"] for r in only} == {"TPH-1"} and len(only) == 25


def test_a_session_cookie_is_never_a_way_in(app, world):
    client = app.test_client()
    assert login(client, factories.user("analyst").email, factories.PASSWORD).status_code == 302
    assert client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}").status_code == 401
    posted = client.post("/api/v1/offices")   # nothing here takes a POST
    assert posted.status_code in (405, 415) and posted.content_type == "application/problem+json"


def test_a_token_is_stored_hashed_counted_per_day_and_revocable(app, world):
    text = world["analyst"]
    row = db.session.scalars(select(ApiToken).where(ApiToken.scope == "analyst")).one()
    assert text not in str(row.token_hash) and row.token_hash == api_tokens.digest(text)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/offices", headers=bearer(text)).status_code == 200
    client.get(f"/api/v1/responses?instrument=bogus&period={PERIOD}", headers=bearer(text))
    db.session.expire_all()
    (day,) = db.session.scalars(select(ApiUsage).where(ApiUsage.token_id == row.id)).all()
    assert (day.requests, day.refused) == (3, 1)
    api_tokens.revoke(row)
    db.session.commit()
    gone = client.get("/api/v1/offices", headers=bearer(text))
    assert gone.status_code == 401 and gone.get_json()["title"] == "Unauthorized"


def test_bad_parameters_get_a_problem_document(app, world):
    client = app.test_client()
    for url in ("/api/v1/results", "/api/v1/results?period=2025Q3", "/api/v1/results?period=x",
                f"/api/v1/results?period={PERIOD}&instrument=staff"):
        response = client.get(url)
        assert response.status_code == 400 and response.get_json()["status"] == 400, url
    assert client.get("/api/v1/results?period=2024H1").status_code == 404
    for query in ("cursor=%%%", "cursor=eHl6", "limit=0", "limit=9999"):
        response = client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}&{query}",
                              headers=bearer(world["analyst"]))
        assert response.status_code == 400, query
    nobody = client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}&office=NOPE",
                        headers=bearer(world["analyst"]))
    assert nobody.status_code == 200 and nobody.get_json() == []   # a filter, not an error
    for url in ("/api/v1/offices?page=2", f"/api/v1/results?period={PERIOD}&format=xml",
                f"/api/v1/results?period={PERIOD}&instrumnet=phone", "/api/v1/openapi.json?x=1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.content_type == "application/problem+json", url
    assert "instrumnet" in client.get(f"/api/v1/results?period={PERIOD}&instrumnet=1").get_json()[
        "detail"]
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.content_type == "application/problem+json"


@pytest.mark.parametrize("app", [{"RATELIMIT_ENABLED": True, "API_RATE_ANONYMOUS": "3/minute"}],
                         indirect=True)
def test_requests_without_a_token_are_rate_limited(app, world):
    client = app.test_client()
    statuses = [client.get("/api/v1/offices").status_code for _ in range(5)]
    assert statuses[:3] == [200] * 3 and statuses[3:] == [429, 429]
    assert client.get("/api/v1/offices", headers=bearer(world["public"])).status_code == 200


def test_admins_create_a_token_on_the_web_shown_once(app, world):
    from support.web import hidden_fields

    client = app.test_client()
    assert login(client, factories.user("admin").email, factories.PASSWORD).status_code == 302
    page = client.get("/admin/api-tokens")
    created = client.post("/admin/api-tokens", data={**hidden_fields(page.get_data(as_text=True)),
                                                     "name": "縣府儀表板", "scope": "public"})
    html = created.get_data(as_text=True)
    text = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert client.get("/api/v1/offices", headers=bearer(text)).status_code == 200
    assert text not in client.get("/admin/api-tokens").get_data(as_text=True)   # shown once


def test_the_command_line_creates_a_token(app, world):
    result = app.test_cli_runner().invoke(args=["api-tokens", "create", "--name", "ci",
                                                "--scope", "public"])
    assert result.exit_code == 0
    text = result.output.strip().splitlines()[-1]
    assert app.test_client().get("/api/v1/periods", headers=bearer(text)).status_code == 200


def test_every_api_export_is_audited_and_read_back_as_a_sentence(app, world):
    """Issue 25, finding 11: reading responses through the API leaves the same trace as the
    web download: which token, which filters, how many rows."""
    from webapp.platform.audit import AuditEvent

    client = app.test_client()
    client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}&limit=20",
               headers=bearer(world["analyst"]))
    client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}&office=TPH-1",
               headers=bearer(world["analyst"]))
    client.get(f"/api/v1/responses?instrument=satisfaction&period={PERIOD}",
               headers=bearer(world["public"]))             # refused: not an export
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")
                                .order_by(AuditEvent.id)).all()
    assert [(e.detail["rows"], e.detail["office"]) for e in events] == [(20, None), (25, "TPH-1")]
    token = db.session.scalars(select(ApiToken).where(ApiToken.scope == "analyst")).one()
    assert {e.detail["token"] for e in events} == {token.id}
    admin = app.test_client()
    assert login(admin, factories.user("admin").email, factories.PASSWORD).status_code == 302
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "API 金鑰「研究團隊」 匯出了 原始資料" in log and "（API，25 筆，機關 TPH-1）" in log
    english = admin.get("/admin/audit?lang=en").get_data(as_text=True)
    assert "API token “研究團隊” exported raw responses" in english and "through the API, 20 rows" in english


def test_pandas_reads_the_json_and_the_csv_as_tables(app, world, live_server):
    """What an analyst types: pandas.read_json and read_csv on the addresses, nothing more."""
    import io

    import pandas as pd
    import requests

    base = live_server.url + "/api/v1"
    results = pd.read_json(f"{base}/results?period={PERIOD}")
    assert {"office_code", "item", "n", "satisfied_rate"} <= set(results.columns)
    assert set(results["office_code"]) >= {"TPH-0", "TPH-1", "TPH-2", "ALL"}
    as_csv = pd.read_csv(f"{base}/results?period={PERIOD}&format=csv")
    assert list(as_csv.columns[:3]) == ["period", "instrument", "office_code"]
    assert len(as_csv) == len(results)
    offices = pd.read_json(f"{base}/offices")
    assert sorted(offices["code"]) == ["TPH-0", "TPH-1", "TPH-2"]
    headers = bearer(world["analyst"]) | {"Accept": "text/csv"}
    answered = requests.get(f"{base}/responses?instrument=satisfaction&period={PERIOD}&limit=500",
                            headers=headers, timeout=60)
    assert answered.headers["Content-Type"] == "text/csv; charset=utf-8"
    responses = pd.read_csv(io.BytesIO(answered.content))
    assert len(responses) == 75 and "0912345678" not in answered.text
    as_json = requests.get(f"{base}/responses?instrument=satisfaction&period={PERIOD}&limit=500",
                           headers=bearer(world["analyst"]), timeout=60)
    frame = pd.read_json(io.StringIO(as_json.text))
    assert list(frame["response_id"]) == list(responses["response_id"])
    labels = pd.read_json(f"{base}/variables?instrument=satisfaction&period={PERIOD}")
    assert "overall" in set(labels["name"]) and labels["label"].notna().all()


def test_csv_by_accept_with_parameters_and_headers_a_browser_may_read(app, world):
    client = app.test_client()
    for accept in ("text/csv", "text/csv; charset=utf-8", "text/csv;header=present"):
        answered = client.get(f"/api/v1/results?period={PERIOD}", headers={"Accept": accept})
        assert answered.content_type == "text/csv; charset=utf-8", accept
    assert client.get(f"/api/v1/results?period={PERIOD}",
                      headers={"Accept": "*/*"}).content_type == "application/json"
    exposed = client.get(f"/api/v1/results?period={PERIOD}").headers[
        "Access-Control-Expose-Headers"]
    assert "X-Publication-Version" in exposed and "Link" in exposed
