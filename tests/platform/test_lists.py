"""Staff lists paged, sorted and filtered by the server: the inspector's records, the review
queue, the audit log and the accounts.  What a user depends on: every row reachable page by
page and none twice, the order asked for, filters that narrow and combine, another inspector's
records never shown, and a hand-edited query string answered with a 400 that says what is wrong.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import login

from webapp.platform import audit
from webapp.platform.audit import AuditEvent
from webapp.platform.extensions import db

START = datetime(2025, 7, 1, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return client


def ids(html: str) -> list[int]:
    """Record numbers in the order the rows show them."""
    return [int(n) for n in re.findall(r'<span class="muted">#(\d+)</span>', html)]


def text(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def field(app):
    """Two offices, two inspectors: 60 records for the first (a day apart, scores 40..99),
    5 for the second."""
    daan = factories.office()
    xinyi = factories.office("TPH-XINYI", "臺北市信義區戶政事務所", district="信義區")
    first, second = factories.user("inspector"), factories.user("inspector")
    first.display_name, second.display_name = "陳志明", "李大華"
    records = []
    for n in range(60):
        records.append(factories.record(
            daan if n % 3 else xinyi, first, "phone" if n % 2 else "mystery",
            ("submitted", "approved", "returned", "draft")[n % 4],
            occurred_at=START + timedelta(days=n), score=40 + n))
    others = [factories.record(daan, second, occurred_at=START + timedelta(days=n, hours=1),
                               score=50.0) for n in range(5)]
    return {"daan": daan, "xinyi": xinyi, "first": first, "second": second,
            "records": records, "others": others}


def test_an_inspectors_records_page_through_every_row_once_in_the_order_asked(app, field):
    client = signed_in(app, field["first"])
    seen = []
    for page in (1, 2, 3):
        html = text(client, f"/inspect/?sort=-occurred&page={page}")
        seen += ids(html)
    mine = field["records"]
    assert seen == [r.id for r in sorted(mine, key=lambda r: r.occurred_at, reverse=True)]
    assert "共 60 筆，顯示第 51–60 筆" in html and "第 3 / 3 頁" in html
    # past the end shows the last page; another inspector's records never appear
    assert ids(text(client, "/inspect/?sort=-occurred&page=40")) == seen[50:]
    assert not {r.id for r in field["others"]} & set(seen)
    assert ids(text(client, "/inspect/?sort=score"))[:3] == [mine[0].id, mine[1].id, mine[2].id]
    assert 'aria-sort="ascending"' in text(client, "/inspect/?sort=score")


def test_filters_narrow_and_combine(app, field):
    client = signed_in(app, field["first"])
    mine = field["records"]

    def expected(keep):
        return {r.id for r in mine if keep(r)}

    def shown(url):
        found, page = set(), 1
        while True:  # every page of it
            html = text(client, f"{url}&sort=occurred&page={page}")
            found |= set(ids(html))
            if "下一頁" not in html:
                return found
            page += 1

    assert shown("/inspect/?status=approved") == expected(lambda r: r.status == "approved")
    assert shown("/inspect/?instrument=phone&office=TPH-XINYI") == expected(
        lambda r: r.instrument_key == "phone" and r.office_id == field["xinyi"].id)
    # dates are Taipei days, both ends included
    assert shown("/inspect/?from=2025-07-03&to=2025-07-05") == {mine[2].id, mine[3].id, mine[4].id}
    assert shown("/inspect/?q=信義") == expected(lambda r: r.office_id == field["xinyi"].id)
    assert shown(f"/inspect/?q=%23{mine[7].id}") == {mine[7].id}
    # an inspector cannot widen the list to someone else's records
    assert shown(f"/inspect/?inspector={field['second'].id}") == expected(lambda r: True)
    assert "沒有符合條件的紀錄" in text(client, "/inspect/?q=不存在的機關")


def test_an_admin_filters_records_by_inspector(app, field):
    client = signed_in(app, factories.user("admin"))
    html = text(client, f"/inspect/?inspector={field['second'].id}")
    assert set(ids(html)) == {r.id for r in field["others"]}
    assert "李大華" in html


@pytest.mark.parametrize("query, says", [
    ("sort=password", "無法依「password」排序"), ("page=0", "頁碼應為正整數"),
    ("page=abc", "頁碼應為正整數"), ("status=deleted", "狀態「deleted」不在可選的項目中"),
    ("office=NOPE", "受查機關「NOPE」不在可選的項目中"), ("from=2025-13-01", "日期格式應為"),
    ("to=0001-01-01", "日期應在"), ("instrument=staff", "類別「staff」不在可選的項目中")])
def test_a_hand_edited_query_gets_a_400_that_says_what_is_wrong(app, field, query, says):
    client = signed_in(app, field["first"])
    for url in ("/inspect/", "/review/"):
        reviewer = signed_in(app, factories.user("reviewer")) if url == "/review/" else client
        assert says in text(reviewer, f"{url}?{query}", status=400)


def test_the_review_queue_is_first_come_first_served_and_finds_past_decisions(app, field):
    client = signed_in(app, factories.user("reviewer"))
    waiting = [r for r in field["records"] + field["others"] if r.status == "submitted"]
    html = text(client, "/review/?page=1")
    assert ids(html) == [r.id for r in sorted(waiting, key=lambda r: (r.submitted_at, r.id))][:25]
    assert f"共 {len(waiting)} 筆" in html
    approved = text(client, "/review/?status=approved&sort=-submitted&page=1")
    assert set(ids(approved)) <= {r.id for r in field["records"] if r.status == "approved"}
    assert len(ids(approved)) == 15
    everything = text(client, f"/review/?status=&inspector={field['first'].id}")
    assert "共 45 筆" in everything  # every status but the drafts, which stay the inspector's
    assert "draft" not in re.findall(r"status-(\w+)", everything)
    assert "狀態「draft」不在可選的項目中" in text(client, "/review/?status=draft", status=400)


def test_the_audit_log_pages_and_filters_by_action_and_by_name(app, field):
    admin = factories.user("admin")
    for _n in range(70):
        audit.record("exported", "responses", None, {"instrument": "phone", "period": "2025H2"},
                     who=field["first"].email)
    audit.record("user_created", "user", field["second"].id, {"role": "inspector"},
                 who=admin.email)
    db.session.commit()
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))  # and the publishing
    client = signed_in(app, admin)
    first = text(client, "/admin/audit")
    assert f"共 {total} 筆，顯示第 1–50 筆" in first and "第 1 / 2 頁" in first
    rows = first.split("<tbody>")[1]
    assert rows.index("建立了帳號") < rows.index("匯出了")  # newest first
    assert "共 1 筆" in text(client, "/admin/audit?action=user_created")
    assert "共 70 筆" in text(client, "/admin/audit?actor=陳志明")  # a display name finds the e-mail
    assert "<option value=\"user_created\" >建立了帳號</option>" in first
    assert "動作「bogus」不在可選的項目中" in text(client, "/admin/audit?action=bogus", status=400)
    assert f"共 {total} 筆，顯示第 51–{total} 筆" in text(client, "/admin/audit?page=2")


def test_the_account_list_filters_by_role_state_and_search(app, field):
    admin = factories.user("admin")
    field["second"].active = False
    db.session.commit()
    client = signed_in(app, admin)
    assert "共 2 筆" in text(client, "/admin/users?role=inspector")
    one = text(client, "/admin/users?role=inspector&active=no")
    assert "共 1 筆" in one and "李大華" in one and "陳志明" not in one
    assert "共 1 筆" in text(client, "/admin/users?q=志明")
    assert "角色「root」不在可選的項目中" in text(client, "/admin/users?role=root", status=400)
