"""What a first view of the report costs on the wire (issue 27, item 17): the charts and JSON
travel compressed (brotli, else gzip), static files through nginx's gzip; HTML does not (it
carries the CSRF token beside what the visitor typed: BREACH).  Measured on the demo data, 23
offices."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from support import factories
from support.web import login

from webapp.platform.db import TAIPEI

BUDGET = 300 * 1024


@pytest.fixture
def analyst(app, client):
    from webapp.demo import data as demo

    loaded = demo.load(scale=0.2, today=datetime(2026, 11, 22, tzinfo=TAIPEI))
    login(client, factories.user("analyst").email, factories.PASSWORD)
    return client, loaded["halves"][-1]


def test_a_first_view_of_the_report_stays_under_300_kb(analyst, capsys):
    client, period = analyst
    br = {"Accept-Encoding": "br, gzip"}
    page = client.get(f"/reports/?period={period}", headers=br)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assets = [unescape(u) for u in re.findall(r'(?:src|href)="(/(?:static|reports/chart)/[^"]+)"', html)]
    assert any("/reports/chart/" in u for u in assets) and any(".css" in u for u in assets)
    sizes = {"html": len(page.data)}
    raw = {"html": len(page.data)}
    for url in dict.fromkeys(assets):
        with client.get(url, headers=br) as answer:
            assert answer.status_code == 200, url
            if "/reports/chart/" in url:        # static files: nginx compresses them
                assert answer.headers.get("Content-Encoding") == "br", url
                assert "Accept-Encoding" in answer.headers.get("Vary", "")
            sizes[url] = len(answer.data)
        with client.get(url) as plain:            # without Accept-Encoding: as it was
            raw[url] = len(plain.data)
    sent, before = sum(sizes.values()), sum(raw.values())
    with capsys.disabled():
        print(f"\nreport first view: {before / 1024:.0f} KB uncompressed, "
              f"{sent / 1024:.0f} KB sent ({len(sizes) - 1} files beside the page)")
    assert sent < BUDGET


def test_gzip_for_clients_without_brotli(analyst):
    import gzip

    client, period = analyst
    html = client.get(f"/reports/?period={period}").get_data(as_text=True)
    chart = unescape(re.search(r'src="(/reports/chart/[^"]+)"', html).group(1))
    answer = client.get(chart, headers={"Accept-Encoding": "gzip"})
    assert answer.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(answer.data).startswith(b"<?xml")


def test_public_pages_describe_themselves(client):
    html = client.get("/open/").get_data(as_text=True)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
