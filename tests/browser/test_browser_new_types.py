"""The question types XLSForm brought, on the counter tablet in Chromium: several options as
checkboxes a finger can hit, a note that asks nothing, a hint read with its question, the
question that applies only when 其他 is among the chosen, a decimal and a date."""

from __future__ import annotations

import copy
import os
import re

import pytest
from support import browser
from support.axe import AXE, axe_violations
from support.browser import answer_the_rest, stored, submit_button, tap

from forms.instrument import load_default
from webapp.programme import instruments

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

ADDED = [
    {"key": "visit_note", "type": "note",
     "label": {"zh_TW": "以下三題關於今天辦的事，可略過。", "en": "The next three questions are about today."}},
    {"key": "services_today", "type": "multiple_choice", "hint": {"zh_TW": "可複選", "en": "Choose any"},
     "label": {"zh_TW": "今天辦了哪些業務？", "en": "What did you do today?"},
     "options": [{"key": "transcript", "label": {"zh_TW": "申請謄本", "en": "Transcript"}},
                 {"key": "move", "label": {"zh_TW": "遷徙登記", "en": "Moving"}},
                 {"key": "other", "label": {"zh_TW": "其他", "en": "Other"}}]},
    {"key": "other_service", "type": "text", "label": {"zh_TW": "其他業務是", "en": "Other service"},
     "relevant": "selected(${services_today}, 'other')"},
    {"key": "distance_km", "type": "decimal", "min": 0, "max": 300,
     "label": {"zh_TW": "從住處到這裡大約幾公里？", "en": "About how many km from home?"}},
    {"key": "applied_on", "type": "date", "label": {"zh_TW": "您何時送出申請？", "en": "When did you apply?"}},
]


@pytest.fixture
def survey_v2(app):
    definition = copy.deepcopy(load_default("satisfaction").definition)
    definition["sections"][-1]["questions"][:0] = copy.deepcopy(ADDED)
    instruments.publish(definition)


@pytest.mark.parametrize("size", ["TABLET", "PHONE"])
def test_checkboxes_a_note_a_hint_a_decimal_and_a_date_on_the_counter_tablet(
        open_page, kiosk, survey_v2, size, tmp_path):
    page = open_page(f"/kiosk/{kiosk.token}", bypass_csp=True, **getattr(browser, size))  # axe
    expect(page.get_by_text("以下三題關於今天辦的事，可略過。")).to_be_visible()
    services = page.get_by_role("group", name=re.compile("今天辦了哪些業務"))
    expect(services).to_have_attribute("aria-describedby", "hint-services_today")
    expect(page.locator("#hint-services_today")).to_have_text("可複選")
    other = page.locator("#q-other_service")
    expect(other).to_be_hidden()
    tap_box = lambda name: services.locator("label.choice").filter(   # noqa: E731
        has=page.get_by_text(name, exact=True)).tap()
    tap_box("申請謄本")
    tap_box("其他")
    expect(other).to_be_visible()                    # 其他 is among the chosen
    tap_box("其他")
    expect(other).to_be_hidden()                     # and no longer
    tap_box("其他")
    page.get_by_label("其他業務是").fill("戶籍謄本英文版")
    page.get_by_label(re.compile("從住處到這裡大約幾公里")).fill("3.5")
    page.get_by_label(re.compile("您何時送出申請")).fill("2026-11-30")
    tap(page, "overall", "滿意")
    if AXE.exists():
        assert axe_violations(page) == []
    if os.environ.get("SHOTS"):
        page.screenshot(path=f"{os.environ['SHOTS']}/new-types-{size.lower()}.png", full_page=True)
    submit_button(page).tap()
    expect(page.get_by_role("heading", name=re.compile("謝謝您的寶貴意見"))).to_be_visible()
    [answer] = stored()
    given = {a.item_key: (a.value, a.text) for a in answer.answers}
    assert given["services_today"] == (0b101, "transcript other")
    assert given["other_service"] == (None, "戶籍謄本英文版")
    assert given["distance_km"] == (None, "3.5") and given["applied_on"] == (None, "2026-11-30")
    assert "visit_note" not in given
    assert page.console_errors == []


def test_an_inspectors_ticked_boxes_survive_a_lost_page_and_are_stored(open_page, office, live_server):
    """The tablet's copy of an unsent checklist keeps every ticked box of a multiple choice."""
    from support import factories
    from support.browser import choice

    definition = copy.deepcopy(load_default("phone").definition)
    definition["sections"][-1]["questions"].append(
        {"key": "channels_offered", "type": "multiple_choice",
         "label": {"zh_TW": "承辦人提供哪些後續管道？", "en": "Follow-up channels offered"},
         "options": [{"key": "callback", "label": {"zh_TW": "回電"}},
                     {"key": "email", "label": {"zh_TW": "電子郵件"}},
                     {"key": "online", "label": {"zh_TW": "線上申辦"}}]})
    instruments.publish(definition)
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.TABLET)
    browser.sign_in(page, inspector.email, factories.PASSWORD)
    page.goto("/inspect/new/phone")
    boxes = page.locator("#q-channels_offered label.choice")
    boxes.filter(has=page.get_by_text("回電", exact=True)).click()
    boxes.filter(has=page.get_by_text("線上申辦", exact=True)).click()
    page.get_by_label("受查機關").select_option(office.code)
    page.reload()                                   # the page is lost before the server has it
    page.get_by_role("button", name="恢復").click()
    checked = page.locator("#q-channels_offered input:checked")
    expect(checked).to_have_count(2)
    assert sorted(checked.evaluate_all("els => els.map(e => e.value)")) == ["callback", "online"]
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("3")
    choice(page, "needs_transfer", "否").click()
    answer_the_rest(page)
    page.get_by_label(re.compile("^測試情境")).fill("詢問戶籍謄本申請應備文件")
    page.get_by_role("button", name="送出").click()
    page.wait_for_url(re.compile(r"/inspect/\d+$"))
    [record] = stored()
    given = {a.item_key: (a.value, a.text) for a in record.answers}
    assert given["channels_offered"] == (0b101, "callback online")
    expect(page.get_by_text("回電、線上申辦")).to_be_visible()     # the record reads as chosen
    assert page.console_errors == []


def test_a_number_typed_alone_is_still_cleared_for_the_next_citizen(open_page, kiosk, survey_v2):
    page = open_page(f"/kiosk/{kiosk.token}", clock=True, **browser.TABLET)
    page.get_by_label(re.compile("從住處到這裡大約幾公里")).fill("12")
    page.clock.run_for(155_000)
    expect(page.get_by_role("alertdialog")).to_be_visible()     # a started survey: warned
    page.clock.run_for(31_000)
    page.wait_for_url(re.compile(r"\?lang="))
    expect(page.get_by_label(re.compile("從住處到這裡大約幾公里"))).to_have_value("")
