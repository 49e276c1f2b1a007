"""WCAG 2.1 AA in Chromium: axe-core's A and AA rules on every kind of page, in both languages,
plus what axe cannot see: focus kept clear of the sticky bar, distinct titles, reflow at 320 px,
no word broken inside an answer button, answers kept across a language switch.

axe-core comes from the npm registry (``make`` installs it into node_modules/); without it the
axe test skips with the reason.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from support import browser, factories
from support.axe import AXE, axe_violations
from support.browser import tap

from forms.types import Stored
from webapp.capture import store as storage
from webapp.platform.db import TAIPEI
from webapp.programme import instruments

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser



@pytest.fixture
def site(app, office, kiosk, tmp_path):
    """Every kind of page with something on it: a record to review, a report with data."""
    inspector, admin = factories.user("inspector"), factories.user("admin")
    version, phone = instruments.current("phone")
    whole = {q["key"]: Stored(1) for q in phone.questions() if q["type"] == "yes_no_na"}
    record, _ = storage.store(version=version, instrument=phone, office=office,
                              channel="inspector", status="submitted",
                              occurred_at=datetime(2025, 8, 12, 10, tzinfo=TAIPEI),
                              answers={**whole, "rings": Stored(3)},
                              idempotency_key="a11y-record-000001", inspector=inspector)
    draft, _ = storage.store(version=version, instrument=phone, office=office,
                             channel="inspector", status="draft",
                             occurred_at=datetime(2025, 8, 13, 10, tzinfo=TAIPEI),
                             answers={"rings": Stored(3)}, idempotency_key="a11y-draft-0000001",
                             inspector=inspector)
    survey_version, survey = instruments.current("satisfaction")
    for i in range(40):
        storage.store(version=survey_version, instrument=survey, office=office, channel="paper",
                      status="submitted", occurred_at=datetime(2025, 8, 1, 10, tzinfo=TAIPEI),
                      answers={k: Stored(1 + (i + j) % 5) for j, k in
                               enumerate(survey.likert_keys())},
                      idempotency_key=f"a11y-survey-{i:06d}", commit=False, lookup=False)
    from webapp.platform.extensions import db

    db.session.commit()
    from webapp.publishing.opendata import publications as snapshot

    snapshot.publish("2025H2", None, None)   # /open/2025H2/ has data to show
    from webapp.cycle.notifications.models import Notification

    db.session.add(Notification(user_id=admin.id, kind="case_overdue", link="/cases/",
                                params={"case": 1, "office": office.name, "due": "2025-01-01"}))
    db.session.commit()   # an unread notification: its count shows in the bar on every page
    cycle = inspection_cycle(app, office, inspector, version, tmp_path)
    from analysis.periods import Period
    from webapp.capture.staff import services as staff_survey

    staff_round = staff_survey.open_round(Period.parse("2025H2"), {office: 12})
    staff_code = staff_survey.issue(staff_round, office.id, 1)[0]
    db.session.commit()
    return {**cycle, "office": office, "kiosk": kiosk, "record": record, "draft": draft,
            "staff_round": staff_round, "staff_code": staff_code,
            "admin": admin,
            "inspector": inspector, "slip": factories.personal_url(office)}


def inspection_cycle(app, office, inspector, version, tmp_path) -> dict:
    """A plan, a calibration round with a score, and a mystery-visit draft with a note and a
    photo: the cycle's pages with something on them."""
    import io
    from datetime import date

    from PIL import Image

    from webapp.capture import evidence
    from webapp.capture.evidence import ItemNote
    from webapp.cycle.calibration.models import CalibrationRound, CalibrationScore
    from webapp.cycle.plans.models import Assignment, CheckPlan
    from webapp.platform.extensions import db

    app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    plan = CheckPlan(period="2025Q3", instrument_key="phone", per_office=1, assignments=[
        Assignment(office_id=office.id, inspector_id=inspector.id, window_start=date(2025, 7, 1),
                   due_on=date(2025, 9, 30))])
    scenario = CalibrationRound(instrument_version_id=version.id, title="錄音 1", scores=[
        CalibrationScore(inspector_id=inspector.id, answers={"tone": [1, None]}, score=100.0)])
    db.session.add_all([plan, scenario])
    mystery_version, mystery = instruments.current("mystery")
    visit, _ = storage.store(version=mystery_version, instrument=mystery, office=office,
                             channel="inspector", status="draft",
                             occurred_at=datetime(2025, 8, 14, 10, tzinfo=TAIPEI),
                             answers={"clean": Stored(0)}, idempotency_key="a11y-visit-0000001",
                             inspector=inspector)
    db.session.add(ItemNote(submission_id=visit.id, item_key="clean", note="地板有水漬",
                            action_required=True))
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 90, 160)).save(picture, "JPEG")
    evidence.add_photo(visit, picture.getvalue(), "地板有水漬", 1 << 22, by=inspector)
    db.session.commit()
    return {"plan": plan, "round": scenario, "visit": visit}


def public_pages(site) -> list[str]:
    token, office = site["kiosk"].token, site["office"]
    return [f"/kiosk/{token}", f"/kiosk/{token}/thanks", site["slip"],
            f"/survey/{office.code}/thanks", f"/survey/{office.code}", "/accessibility", "/",
            "/login", "/c", "/c?code=ZZZZ-ZZZZ", "/open/", "/open/2025H2/", "/staff-survey",
            "/staff-survey?code=ZZZZ-ZZZZ", f"/staff-survey/{site['staff_code']}",
            "/staff-survey/thanks"]


def staff_pages(site) -> list[str]:
    record = site["record"]
    return ["/inspect/", "/inspect/new/phone", "/inspect/new/mystery", f"/inspect/{record.id}",
            f"/inspect/{site['draft'].id}/delete",
            "/review/", f"/review/{record.id}", "/reports/?period=2025H2", "/reports/quality?period=2025H2",
            "/reports/comments?period=2025H2", f"/reports/office/{record.office.code}?period=2025H2",
            "/admin/offices", f"/admin/offices/{record.office_id}", "/admin/users",
            f"/admin/users/{site['inspector'].id}",
            "/admin/kiosks", "/admin/instruments", "/admin/audit", "/slips", "/paper/",
            "/open/publish", "/cases/", "/contacts/", "/notifications/", "/plans/", f"/plans/{site['plan'].id}",
            f"/plans/assignments/{site['plan'].assignments[0].id}", "/calibration/",
            f"/calibration/{site['round'].id}", f"/inspect/{site['visit'].id}/edit",
            f"/inspect/{site['visit'].id}", "/staff-rounds/",
            f"/staff-rounds/{site['staff_round'].id}", "/no/such/page"]


def sign_in(page, user) -> None:
    browser.sign_in(page, user.email, factories.PASSWORD)


@pytest.mark.parametrize("lang", ["zh_Hant_TW", "en"])
def test_axe_finds_no_critical_or_serious_violation(chromium, live_server, site, lang):
    if not AXE.exists():
        pytest.skip("axe-core not installed: run `make` (needs npm and the npm registry)")
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True,
                                   **browser.TABLET)
    context.set_default_timeout(30_000)
    page = context.new_page()
    found = {}
    try:
        page.goto(f"/?lang={lang}")
        for path in public_pages(site):
            page.goto(path)
            if violations := axe_violations(page):
                found[path] = violations
        sign_in(page, site["admin"])
        page.goto(f"/admin/offices?lang={lang}")
        for path in staff_pages(site):
            page.goto(path)
            if violations := axe_violations(page):
                found[path] = violations
    finally:
        context.close()
    assert found == {}


# -- what axe cannot see ---------------------------------------------------------------------

def all_pages(site) -> list[str]:
    return public_pages(site) + staff_pages(site)


def signed_in_page(chromium, live_server, site, lang="zh_Hant_TW", **options):
    context = chromium.new_context(base_url=live_server.url, **(options or browser.TABLET))
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"/?lang={lang}")
    sign_in(page, site["admin"])
    return context, page


@pytest.mark.parametrize("lang", ["zh_Hant_TW", "en"])
def test_every_page_has_its_own_title_and_errors_say_so(chromium, live_server, site, lang):
    context, page = signed_in_page(chromium, live_server, site, lang)
    try:
        titles = {}
        for path in all_pages(site):
            if path == "/login":
                continue  # signed in, it would go on to the staff's start page
            page.goto(path)
            titles[path] = page.title()
    finally:
        context.close()
    # the survey and its thanks are the same pages on a tablet and a phone: compare one of each
    titles = {p: t for p, t in titles.items() if not p.startswith("/survey/")}
    errors = {p: t for p, t in titles.items() if p == "/no/such/page"}
    assert all(t.startswith("錯誤：" if lang != "en" else "Error: ") for t in errors.values())
    repeated = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert repeated == set(), {p: t for p, t in titles.items() if t in repeated}


TARGETS = """() => Array.from(document.querySelectorAll(
  'button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, summary, ' +
  'a.button, .bar a, footer a, label.choice'))
  .filter(el => el.offsetParent !== null && !el.closest('[hidden]'))
  .map(el => [el.tagName + '.' + el.className + ' ' + (el.textContent || el.name || '').trim().slice(0, 20),
              Math.round(el.getBoundingClientRect().height)])
  .filter(([what, height]) => height > 0 && height < 44)"""


@pytest.mark.parametrize("size", ["TABLET", "PHONE"])
def test_every_touch_target_is_at_least_44_px_high(chromium, live_server, site, size):
    """WCAG 2.5.5 on every page, staff tablets included: buttons, fields, file pickers,
    disclosures, the bar's and the footer's links, answer buttons; and no page is a 500."""
    context, page = signed_in_page(chromium, live_server, site, **getattr(browser, size))
    small, broken = {}, {}
    try:
        for path in all_pages(site):
            if path == "/login":
                continue
            response = page.goto(path)
            if response is not None and response.status >= 500:
                broken[path] = response.status
            if found := page.evaluate(TARGETS):
                small[path] = found
    finally:
        context.close()
    assert broken == {} and small == {}


def contrast(a: tuple, b: tuple) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_COLOURS = """el => {
    const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
    const box = el.closest('label.choice') || el;
    const style = getComputedStyle(box);
    const ring = rgb(style.outlineColor);
    const behind = [];
    for (let node = box.parentElement; node; node = node.parentElement) {
        const bg = getComputedStyle(node).backgroundColor;
        if (!bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') { behind.push(rgb(bg)); break; }
    }
    return {ring, width: parseFloat(style.outlineWidth), behind,
            own: rgb(getComputedStyle(box).backgroundColor)};
}"""


def test_the_focus_ring_has_3_to_1_against_what_it_sits_on(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate(f"({FOCUS_COLOURS})(document.activeElement)")
        if info["width"] < 1:
            continue  # not a ring-drawn element (e.g. the hidden honeypot is never reached)
        for background in info["behind"]:
            assert contrast(info["ring"], background) >= 3, info
        seen += 1
    assert seen >= 20


OBSCURED = """() => {
    const el = document.activeElement;
    const target = el.closest('label.choice') || el;
    const r = target.getBoundingClientRect();
    const bar = document.querySelector('.inspector .buttons');
    const b = bar.getBoundingClientRect();
    const sticky = getComputedStyle(bar).position === 'sticky';
    const inBar = bar.contains(el);
    const overlap = sticky && !inBar && r.bottom > b.top && r.top < b.bottom;
    const fully = overlap && r.top >= b.top && r.bottom <= b.bottom;
    const offscreen = r.bottom <= 0 || r.top >= innerHeight;
    return {name: el.name || el.id || el.tagName, overlap, fully, offscreen};
}"""


@pytest.mark.parametrize("size", [(1024, 768), (640, 400), (320, 256)])
def test_no_tab_stop_hides_behind_the_save_bar(chromium, live_server, site, size):
    width, height = size
    context, page = signed_in_page(chromium, live_server, site,
                                   viewport={"width": width, "height": height})
    try:
        page.goto("/inspect/new/mystery")
        hidden = []
        for _ in range(120):
            page.keyboard.press("Tab")
            state = page.evaluate(OBSCURED)
            if state["overlap"] or state["offscreen"]:
                hidden.append(state)
            if state["name"] == "action" and page.evaluate(
                    "document.activeElement.value") == "submit":
                break
        assert hidden == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh_Hant_TW", "en"])
def test_pages_reflow_at_320_px_without_sideways_scrolling(chromium, live_server, site, lang):
    context, page = signed_in_page(chromium, live_server, site, lang,
                                   viewport={"width": 320, "height": 640})
    try:
        wide = {}
        for path in all_pages(site):
            if path == "/login":
                continue
            page.goto(path)
            sizes = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            if sizes[0] > sizes[1]:
                wide[path] = sizes
    finally:
        context.close()
    assert wide == {}


BROKEN_WORDS = r"""() => {
    const broken = [];
    for (const label of document.querySelectorAll('label.choice span')) {
        const text = label.firstChild;
        if (!text) continue;
        // words: English between spaces; Chinese between its punctuation (keep-all)
        const re = /[^\s、，,（）()／/・]+/g;
        let m;
        while ((m = re.exec(text.textContent))) {
            const range = document.createRange();
            range.setStart(text, m.index);
            range.setEnd(text, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (tops.size > 1) broken.push(m[0]);
        }
        const box = label.parentElement.getBoundingClientRect();
        const inner = label.getBoundingClientRect();
        if (inner.left < box.left - 0.5 || inner.right > box.right + 0.5)
            broken.push('overflows: ' + text.textContent);
    }
    return broken;
}"""


@pytest.mark.parametrize("lang", ["zh_Hant_TW", "en"])
@pytest.mark.parametrize("width", [360, 390, 768, 1024, 1280])
def test_no_word_breaks_inside_an_answer_button(open_page, kiosk, lang, width):
    page = open_page(f"/kiosk/{kiosk.token}?lang={lang}",
                     viewport={"width": width, "height": 900}, has_touch=True)
    assert page.evaluate(BROKEN_WORDS) == []


@pytest.mark.parametrize("javascript", [True, False])
def test_switching_language_keeps_the_answers(open_page, office, javascript):
    page = open_page(factories.personal_url(office), java_script_enabled=javascript,
                     **browser.PHONE)
    page.locator("#q-overall label.choice").filter(has_text="滿意").first.click()
    page.locator("#q-attitude label.choice").filter(has_text="普通").click()
    page.get_by_label(re.compile("其他意見或建議")).fill("動線清楚")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#q-overall input:checked")).to_have_value("5")
    expect(page.locator("#q-attitude input:checked")).to_have_value("3")
    expect(page.get_by_label(re.compile("Other comments"))).to_have_value("動線清楚")
    expect(page.locator(".error-summary")).to_have_count(0)   # switching is not submitting


def test_a_failed_submit_puts_the_focus_on_the_error_summary(open_page, kiosk):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    tap(page, "attitude", "非常滿意")
    page.locator("form button[type=submit]").last.tap()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#q-overall input").first).to_have_attribute("aria-invalid", "true")


def test_an_office_without_an_english_name_is_marked_as_chinese(client, office, app):
    from webapp.platform.extensions import db

    html = client.get(factories.personal_url(office) + "&lang=en").get_data(as_text=True)
    assert f'<span lang="zh-Hant-TW">{office.name}</span>' in html
    office.name_en = "Da'an District Household Registration Office, Taipei City"
    db.session.commit()
    html = client.get(factories.personal_url(office) + "&lang=en").get_data(as_text=True)
    assert "Da&#39;an District Household Registration Office" in html


def test_sign_in_names_its_fields_purpose_and_pages_have_landmarks(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert 'class="skip" href="#main"' in html and '<main id="main"' in html
    assert re.search(r'<nav aria-label="[^"]+"', html)
    assert 'href="/accessibility"' in html


@pytest.mark.parametrize("lang, heading", [("zh_Hant_TW", "無障礙聲明"),
                                           ("en", "Accessibility statement")])
def test_the_accessibility_statement_is_public_in_both_languages(client, lang, heading):
    response = client.get(f"/accessibility?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f"<h1>{heading}</h1>" in html
    assert "WCAG" in html and "2.1" in html and "axe-core" in html
