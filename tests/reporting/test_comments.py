"""The analysts' comments page: what citizens wrote, masked, filtered, paged, dated only."""

from __future__ import annotations

from datetime import datetime
from html import unescape

import pytest
from support import factories
from support.web import login

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.platform.extensions import db
from webapp.platform.masking import REPLACEMENTS
from webapp.programme import instruments
from webapp.reporting.reports import views_comments as comments_page


def survey(office, i, *, comment, overall=4, service="household", age="65plus", channel="kiosk",
           day=10):
    version, instrument = instruments.current("satisfaction")
    answers = {"overall": Stored(overall), "comment": Stored(None, comment) if comment else None,
               "service_used": Stored(1 if service == "household" else 4, service),
               "age_band": Stored(4 if age == "65plus" else 1, age)}
    storage.store(version=version, instrument=instrument, office=office, channel=channel,
                  status="submitted", occurred_at=datetime(2025, 9, day, 14, 37, tzinfo=TAIPEI),
                  answers=answers, idempotency_key=f"comment-{office.code}-{i:06d}",
                  commit=False, lookup=False)


@pytest.fixture
def seeded(app, client):
    daan = factories.office(code="TPH-DAAN", name="大安戶政")
    banqiao = factories.office(code="NTL-BANQIAO", name="板橋地政", kind="land")
    survey(daan, 1, comment="櫃台小姐很親切，請回電 0912-345-678，我的身分證 A123456789",
           overall=5, day=1)
    survey(daan, 2, comment="等太久了 <script>alert(1)</script>", overall=1,
           service="land_registration", age="under30", channel="personal", day=2)
    survey(daan, 3, comment=None, overall=3)
    survey(banqiao, 4, comment="信箱 wang@example.com", overall=2, channel="paper", day=3)
    for i in range(comments_page.PER_PAGE + 5):
        survey(banqiao, 100 + i, comment=f"第{i}則", overall=4, day=4)
    db.session.commit()
    login(client, factories.user("analyst").email, factories.PASSWORD)
    return client


def page(client, query: str) -> str:
    response = client.get(f"/reports/comments?period=2025H2&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_comments_are_masked_escaped_and_dated_only(seeded):
    html = page(seeded, "office=TPH-DAAN")
    text = unescape(html)
    assert "0912-345-678" not in text and "A123456789" not in text
    assert REPLACEMENTS["phone"] in text and REPLACEMENTS["national_id"] in text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "2025-09-01" in text and "14:37" not in text
    assert "共 2 則意見" in text                      # the empty comment is not one


@pytest.mark.parametrize("query, expected", [
    ("overall=1", {"等太久了"}),
    ("overall=5", {"櫃台小姐很親切"}),
    ("channel=personal", {"等太久了"}),
    ("service_used=land_registration", {"等太久了"}),
    ("office=TPH-DAAN&age_band=65plus", {"櫃台小姐很親切"}),
    ("channel=paper", {"信箱"}),
])
def test_each_filter_narrows_the_list(seeded, query, expected):
    text = unescape(page(seeded, query))
    shown = {w for w in ("等太久了", "櫃台小姐很親切", "信箱") if w in text}
    assert shown == expected


def test_pages_of_fifty_newest_first(seeded):
    first = unescape(page(seeded, "office=NTL-BANQIAO"))
    total = comments_page.PER_PAGE + 6
    assert f"共 {total} 則意見" in first and "第 1 / 2 頁" in first
    assert first.count('<li class="comment" ') == comments_page.PER_PAGE
    second = unescape(page(seeded, "office=NTL-BANQIAO&page=2"))
    assert second.count('<li class="comment" ') == 6 and "信箱" in second   # the oldest last
    assert "上一頁" in second and "下一頁" not in second


@pytest.mark.parametrize("query", ["overall=9", "channel=inspector", "office=NOPE", "page=x",
                                   "service_used=<b>", "period=2025X1"])
def test_a_bad_filter_is_a_clear_400(seeded, query):
    if not query.startswith("period="):
        query = f"period=2025H2&{query}"
    response = seeded.get(f"/reports/comments?{query}")
    assert response.status_code == 400
    assert "<b>" not in response.get_data(as_text=True)
