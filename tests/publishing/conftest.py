"""The offices most open-data tests publish: two large ones, one too small to show, and the
two-office complement that no single manager can undo."""

from __future__ import annotations

import pytest
from support import factories
from support.opendata import survey


@pytest.fixture
def offices(app):
    daan, xinyi, wanhua, songshan = (factories.office(code, name) for code, name in (
        ("TPH-DAAN", "臺北市大安區戶政事務所"), ("TPH-XINYI", "臺北市信義區戶政事務所"),
        ("TPH-WANHUA", "臺北市萬華區戶政事務所"), ("TPH-SONGSHAN", "臺北市松山區戶政事務所")))
    survey(daan, 5, 40)
    survey(xinyi, 4, 35)
    survey(songshan, 3, 36)   # with Xinyi, the complement that no single manager can undo
    survey(wanhua, 1, 3)   # three people: their answers must not be publishable
    return daan, xinyi, wanhua
