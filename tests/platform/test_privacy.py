"""The survey stays anonymous after the fact: no log line a survey visit causes names the
client's address or browser, stored times are no finer than a minute, and no page can be
shown again from a cache or the back-forward history on a shared tablet."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from support import factories
from support.live_server import LiveServer, request
from support.web import hidden_fields

from webapp.capture.submissions import Submission
from webapp.capture.survey.codes import SurveyCode
from webapp.platform.extensions import db

CITIZEN_AGENT = "CitizenPhone/9.9 (unique-fingerprint)"
STAFF_AGENT = "StaffTablet/1.0"


@pytest.mark.slow
@pytest.mark.processes
def test_no_log_line_of_a_survey_visit_carries_the_address_or_user_agent(app, database_uri,
                                                                         kiosk, tmp_path):
    with LiveServer(database_uri, tmp_path, workers=1, access_log=True) as live:
        form = f"/kiosk/{kiosk.token}"
        citizen = {"User-Agent": CITIZEN_AGENT}
        status, headers, body = request(live.port, "GET", form, headers=citizen)
        assert status == 200
        cookie = headers["set-cookie"].split(";", 1)[0]
        html = body.decode()
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
        assert len(assets) >= 2 and all("?v=" in a for a in assets)
        for asset in assets:
            assert request(live.port, "GET", asset.replace("&amp;", "&"),
                           headers=citizen)[0] == 200
        data = {**hidden_fields(html), "overall": "4"}
        status, headers, _ = request(
            live.port, "POST", form, body=urlencode(data).encode(),
            headers={**citizen, "Cookie": cookie,
                     "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302
        assert request(live.port, "GET", headers["location"], headers=citizen)[0] == 200
        assert request(live.port, "GET", "/login", headers={"User-Agent": STAFF_AGENT})[0] == 200
        live.stop()
        log = live.log_path.read_text(errors="replace")
    lines = [line for line in log.splitlines() if '"GET ' in line or '"POST ' in line]
    survey = [line for line in lines if "/kiosk/" in line or "/static/" in line]
    assert len(survey) >= 5, log[-2000:]
    for line in survey:
        assert "127.0.0.1" not in line and CITIZEN_AGENT not in line, line
        assert kiosk.token not in line, line                   # the kiosk link is a secret
    [staff] = [line for line in lines if "/login" in line]
    assert staff.startswith("127.0.0.1") and STAFF_AGENT in staff   # staff pages keep both


def test_citizen_times_are_stored_to_the_minute(client, kiosk, office):
    url = f"/kiosk/{kiosk.token}"
    fields = hidden_fields(client.get(url).get_data(as_text=True))
    assert client.post(url, data={**fields, "overall": "5"}).status_code == 302
    slip = factories.personal_url(office)
    fields = hidden_fields(client.get(slip).get_data(as_text=True))
    assert client.post(slip, data={**fields, "overall": "3"}).status_code == 302
    db.session.expire_all()
    moments = []
    for row in db.session.scalars(select(Submission)):
        moments += [row.occurred_at, row.submitted_at, row.created_at, row.updated_at]
    moments += [code.used_at for code in db.session.scalars(select(SurveyCode))]
    assert len(moments) == 9
    assert all(m.second == 0 and m.microsecond == 0 for m in moments), moments


def test_pages_are_no_store_and_static_files_are_named_by_content(client, kiosk):
    page = client.get(f"/kiosk/{kiosk.token}")
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    asset = re.search(r'href="(/static/style\.css\?v=[0-9a-f]+)"', page.get_data(as_text=True))
    with client.get(asset.group(1)) as cached:
        assert cached.status_code == 200
        assert cached.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/style.css?v=0123456789ab") as stale:  # other content: not a year
        assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_the_survey_form_asks_browsers_not_to_remember_answers(client, kiosk, office):
    for url in (f"/kiosk/{kiosk.token}", factories.personal_url(office)):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r'<form method="post"[^>]*autocomplete="off"', html), url


@pytest.mark.slow
@pytest.mark.processes
def test_json_logs_are_one_object_a_line_and_keep_the_secrets_out(app, database_uri, kiosk,
                                                                  tmp_path):
    """LOG_FORMAT=json: every line gunicorn and the app write parses as one JSON object; the
    kiosk link and the code stay hidden, and an error names its type, not its text."""
    import json

    server = LiveServer(database_uri, tmp_path, workers=1, access_log=True)
    server.env["LOG_FORMAT"] = "json"
    with server as live:
        form = f"/kiosk/{kiosk.token}"
        assert request(live.port, "GET", form, headers={"User-Agent": 'Odd "agent" \\ 9'})[0] == 200
        assert request(live.port, "GET", "/survey/TPH-DAAN?c=SECRETCODE1")[0] < 500
        staff = {"User-Agent": 'Staff "tablet" \\ 1'}
        assert request(live.port, "GET", "/login", headers=staff)[0] == 200
        live.stop()
        log = live.log_path.read_text(errors="replace")
    entries = [json.loads(line) for line in log.splitlines() if line.strip()]   # every line
    access = [e for e in entries if "request" in e]
    assert len(access) >= 3 and all(isinstance(e["status"], int) for e in access)
    assert any(e["request"].startswith("GET /kiosk/***") for e in access)
    assert kiosk.token not in log and "SECRETCODE1" not in log
    assert any(e.get("agent") == 'Staff "tablet" \\ 1' for e in access)   # escaped, read back
    assert any(e.get("logger", "").startswith("gunicorn") for e in entries)


def test_an_error_is_logged_by_its_type_and_place_never_its_text():
    """A database error's text quotes the row it failed on: a citizen's comment, an address."""
    import json
    import logging
    import sys

    from webapp.platform.logs import JsonFormatter

    try:
        raise ValueError("duplicate key: comment='我住在信義路 5 號' email=someone@example.tw")
    except ValueError:
        record = logging.LogRecord("webapp", logging.ERROR, __file__, 1, "job %s failed",
                                   ("mail",), sys.exc_info())
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "job mail failed" and entry["error"] == "ValueError"
    assert entry["level"] == "ERROR" and entry["where"][-1].startswith("test_privacy.py:")
    assert "someone@example.tw" not in line and "信義路" not in line
