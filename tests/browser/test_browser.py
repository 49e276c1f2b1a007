"""What citizens and inspectors do, in a real browser: Debian's headless Chromium via Playwright.

The app runs on a live local port (CSRF on, the session's migrated database emptied per test by
the ``app`` fixture), so each test can check in ``db.session`` what a tap actually stored.
Without Chromium these tests skip with the reason; ``make test`` installs it.
"""

from __future__ import annotations

import re

import pytest
from support import browser, factories
from support.browser import answer_the_rest, choice, radio, stored, submit_button, tap

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install -e '.[dev]')")
expect = sync_api.expect
pytestmark = pytest.mark.browser

THANKS = "謝謝您的寶貴意見"
REQUIRED = "此題必須作答"


# -- Citizens: the counter tablet (kiosk) ------------------------------------------------------


def test_kiosk_tap_submit_thanks_and_back_to_a_blank_form(open_page, kiosk, live_server):
    form_url = f"{live_server.url}/kiosk/{kiosk.token}"
    page = open_page(form_url, clock=True, **browser.TABLET)
    tap(page, "attitude", "非常滿意")
    tap(page, "efficiency", "不作答")
    tap(page, "overall", "滿意")
    tap(page, "service_used", "戶籍謄本")
    page.get_by_label("其他意見或建議").fill("動線清楚")
    submit_button(page).tap()

    page.wait_for_url(form_url + "/thanks")
    expect(page.get_by_role("heading", name=re.compile(THANKS))).to_be_visible()
    expect(page.get_by_role("link", name="回到問卷首頁")).to_be_visible()
    # The tablet resets itself for the next citizen (after 20 s on the page's clock): a blank
    # form, but not before the thanks could be read.
    page.clock.run_for(15_000)
    expect(page.get_by_role("link", name="回到問卷首頁")).to_be_visible()
    page.clock.run_for(6_000)
    page.wait_for_url(re.compile(re.escape(form_url) + r"(\?[^/]*)?$"))
    expect(page.get_by_role("heading", name="民眾滿意度調查")).to_be_visible()
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    expect(page.get_by_label("其他意見或建議")).to_have_value("")
    assert page.console_errors == []

    [submission] = stored()
    assert (submission.channel, submission.kiosk_id, submission.office_id) == (
        "kiosk", kiosk.id, kiosk.office_id)
    answers = {a.item_key: (a.value, a.text) for a in submission.answers}
    assert answers["attitude"] == (5, None) and answers["overall"] == (4, None)
    assert answers["efficiency"] == (None, None)
    assert answers["service_used"] == (3, "household_transcript")
    assert answers["comment"] == (None, "動線清楚")


def test_missing_overall_shows_the_error_at_that_question_and_keeps_the_answers(
        open_page, kiosk, live_server):
    form_url = f"{live_server.url}/kiosk/{kiosk.token}"
    page = open_page(form_url, **browser.TABLET)
    tap(page, "attitude", "非常滿意")
    tap(page, "age_band", "65歲以上")
    page.get_by_label("其他意見或建議").fill("座位不夠")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        submit_button(page).tap()
    assert posted.value.status == 400
    page.wait_for_load_state()

    expect(page.get_by_role("alert")).to_contain_text("還有題目需要您作答")
    overall = page.locator("#q-overall")
    expect(overall).to_have_class(re.compile(r"\bhas-error\b"))
    error = overall.locator("#err-overall")
    expect(error).to_have_text(REQUIRED)
    expect(error).to_be_visible()
    expect(overall).to_have_attribute("aria-describedby", "err-overall")
    # Right under the question's own wording, above its choices.
    legend, choices = overall.locator("legend").bounding_box(), overall.locator(
        ".choices").bounding_box()
    box = error.bounding_box()
    assert legend["y"] + legend["height"] <= box["y"] + 1
    assert box["y"] + box["height"] <= choices["y"] + 1
    assert page.locator("[id^=err-]").count() == 1    # only the one missing item is marked
    # What the citizen already chose is still chosen; nothing was stored.
    assert radio(page, "attitude", "非常滿意").is_checked()
    assert radio(page, "age_band", "65歲以上").is_checked()
    expect(page.get_by_label("其他意見或建議")).to_have_value("座位不夠")
    assert stored() == []

    # Answering the one missing item is enough.
    tap(page, "overall", "普通")
    submit_button(page).tap()
    expect(page.get_by_role("heading", name=re.compile(THANKS))).to_be_visible()
    [submission] = stored()
    answers = {a.item_key: a.value for a in submission.answers}
    assert answers["attitude"] == 5 and answers["overall"] == 3 and answers["age_band"] == 4


def test_double_tap_and_resend_store_one_submission(open_page, kiosk, live_server):
    form_url = f"{live_server.url}/kiosk/{kiosk.token}"
    page = open_page(form_url, **browser.TABLET)
    posts = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r))
    tap(page, "overall", "非常滿意")
    submit_button(page).dblclick()
    expect(page.get_by_role("heading", name=re.compile(THANKS))).to_be_visible()
    assert 1 <= len(posts) <= 2 and len(stored()) == 1

    # Flaky Wi-Fi: the very request the browser sent arrives again (same key, same CSRF token).
    sent = posts[0]
    again = page.context.request.post(
        form_url, data=sent.post_data_buffer, max_redirects=0,
        headers={"Content-Type": sent.headers["content-type"]})
    assert again.status == 302 and again.headers["location"].endswith("/thanks")
    again.dispose()
    [submission] = stored()
    assert submission.channel == "kiosk"
    assert {a.item_key: a.value for a in submission.answers}["overall"] == 5


def test_kiosk_returns_to_chinese_for_the_next_citizen(open_page, kiosk, live_server):
    page = open_page(f"/kiosk/{kiosk.token}", **browser.TABLET)
    page.get_by_role("button", name="English").tap()
    tap(page, "overall", "Satisfied")
    submit_button(page).tap()
    page.wait_for_url(re.compile(r"/thanks$"))
    page.locator(".thanks a.button").tap()      # what the pause does, without the wait
    page.wait_for_url(re.compile(r"/kiosk/[^/]+$"))
    assert page.locator("html").get_attribute("lang") == "zh-Hant-TW"


# -- Citizens: their own phone (QR code) ---------------------------------------------------------


def test_phone_layout_is_thumb_sized_readable_and_submits(open_page, office):
    page = open_page(factories.personal_url(office), **browser.PHONE)
    boxes = page.locator("label.choice").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [e.textContent.trim(), r.width, r.height]; })")
    assert boxes and len(boxes) == page.locator("input[type=radio]").count()
    small = [b for b in boxes if b[1] < 44 or b[2] < 44]
    assert small == [], f"choices smaller than 44x44 CSS px: {small}"
    for name in ("送出", "English"):
        target = page.get_by_role("button", name=name).bounding_box()
        assert target["width"] >= 44 and target["height"] >= 44, (name, target)

    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scrolling: {width}"
    sizes = page.evaluate("""() => {
        const px = e => parseFloat(getComputedStyle(e).fontSize);
        const texts = [...document.querySelectorAll('body *')].filter(e =>
            !e.closest('.hp') && e.getClientRects().length &&
            [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
        return {body: px(document.body), smallest: Math.min(...texts.map(px)),
                tiny: texts.filter(e => px(e) < 16).map(e => e.textContent.trim().slice(0, 20))};
    }""")
    assert sizes["body"] >= 16 and sizes["tiny"] == [], sizes

    tap(page, "overall", "非常滿意")
    submit_button(page).tap()
    expect(page.get_by_role("heading", name=re.compile(THANKS))).to_be_visible()
    expect(page.get_by_text("您可以關閉這個頁面")).to_be_visible()
    assert page.console_errors == []
    [submission] = stored()
    assert submission.channel == "personal" and submission.office_id == office.id


def test_survey_submits_with_javascript_disabled(open_page, office):
    page = open_page(factories.personal_url(office), java_script_enabled=False, **browser.DESKTOP)
    choice(page, "overall", "不滿意").click()
    choice(page, "waiting", "非常不滿意").click()
    page.get_by_label("其他意見或建議").fill("等太久")
    submit_button(page).click()
    expect(page.get_by_role("heading", name=re.compile(THANKS))).to_be_visible()
    [submission] = stored()
    answers = {a.item_key: (a.value, a.text) for a in submission.answers}
    assert answers["overall"] == (2, None) and answers["waiting"] == (1, None)
    assert answers["comment"] == (None, "等太久")


def test_english_switch_shows_english_labels(open_page, office):
    page = open_page(factories.personal_url(office), **browser.PHONE)
    page.get_by_role("button", name="English").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Citizen satisfaction survey")).to_be_visible()
    overall = page.locator("#q-overall")
    expect(overall.locator("legend")).to_contain_text("Overall satisfaction with today's service")
    expect(overall.locator("label.choice")).to_have_text(
        ["Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied",
         "No answer"])
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    tap(page, "overall", "Very satisfied")
    submit_button(page).tap()
    page.wait_for_url(re.compile(r"/thanks$"))
    assert len(stored()) == 1


def test_english_page_chrome_is_translated(open_page, office):
    page = open_page(factories.personal_url(office) + "&lang=en", **browser.DESKTOP)
    assert submit_button(page).inner_text().strip() == "Submit"


# -- Inspectors ----------------------------------------------------------------------------------


def test_inspector_saves_a_draft_comes_back_finishes_and_sees_score_and_grade(
        open_page, office, live_server):
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.DESKTOP)
    page.get_by_label("電子郵件").fill(inspector.email)
    page.get_by_label("密碼").fill(factories.PASSWORD)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("heading", name="我的查核")).to_be_visible()

    page.get_by_role("link", name="新增電話禮貌測試").click()
    page.get_by_label("受查機關").select_option(office.code)
    page.get_by_label("查核時間").fill("2025-08-12T10:15")
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("5")
    for key in ("states_unit", "greets", "needs_transfer"):
        choice(page, key, "是").click()
    choice(page, "confirms_target", "不適用").click()
    page.get_by_role("button", name="儲存草稿").click()
    expect(page.locator("main").get_by_role("status")).to_contain_text("草稿已儲存")
    assert re.search(r"/inspect/\d+/edit$", page.url)
    [draft] = stored()
    assert (draft.status, draft.score, draft.inspector_id) == ("draft", None, inspector.id)

    # Later: from the list, open the draft again; what was saved is there.
    page.goto("/inspect/")
    page.get_by_role("link", name="繼續填寫").click()
    expect(page.get_by_label("受查機關")).to_have_value(office.code)
    expect(page.get_by_label("查核時間")).to_have_value("2025-08-12 10:15")
    expect(page.get_by_label(re.compile("^響鈴幾聲後接聽"))).to_have_value("5")
    for key, answer in (("states_unit", "是"), ("greets", "是"), ("confirms_target", "不適用")):
        assert radio(page, key, answer).is_checked(), key
    assert page.locator("#q-tone input:checked").count() == 0

    choice(page, "asks_surname", "否").click()
    answer_the_rest(page, fieldsets="fieldset.yes_no_na")
    page.get_by_label(re.compile("^測試情境")).fill("詢問戶籍謄本申請應備文件")
    page.get_by_role("button", name="送出").click()

    page.wait_for_url(re.compile(r"/inspect/\d+$"))
    # 105 points possible, 3 N/A; 5 rings earn half of 25, surname not asked: 84.5 / 102.
    expect(page.locator(".scorecard .total .value")).to_have_text("82.8")
    expect(page.locator(".scorecard .grade .value")).to_have_text("甲")
    expect(page.get_by_text("114年下半年")).to_be_visible()
    assert page.console_errors == []
    [record] = stored()
    assert (record.id, record.status, record.grade) == (draft.id, "submitted", "甲")
    assert record.score == round(100 * 84.5 / 102, 2)



def test_an_inspectors_unsent_checklist_survives_a_lost_page(open_page, office, live_server):
    """Weak Wi-Fi: the page is lost before the server has it; the tablet offers it back."""
    inspector = factories.user("inspector")
    page = open_page("/login", **browser.DESKTOP)
    page.get_by_label("電子郵件").fill(inspector.email)
    page.get_by_label("密碼").fill(factories.PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.goto("/inspect/new/phone")
    banner = page.locator("#backup-banner")
    expect(banner).to_be_hidden()
    first_key = page.locator("input[name=idempotency_key]").input_value()
    page.get_by_label("受查機關").select_option(office.code)
    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("7")
    choice(page, "greets", "否").click()

    page.reload()                                   # the page is lost: a fresh form, a new key
    assert page.locator("input[name=idempotency_key]").input_value() != first_key
    expect(banner).to_be_visible()
    page.get_by_role("button", name="恢復").click()
    expect(banner).to_be_hidden()
    expect(page.get_by_label("受查機關")).to_have_value(office.code)
    expect(page.get_by_label(re.compile("^響鈴幾聲後接聽"))).to_have_value("7")
    assert radio(page, "greets", "否").is_checked()
    assert page.locator("input[name=idempotency_key]").input_value() == first_key

    page.get_by_role("button", name="儲存草稿").click()   # the server has it now
    expect(page.locator("main").get_by_role("status").first).to_contain_text("草稿已儲存")
    [draft] = stored()
    assert draft.idempotency_key == first_key
    page.goto("/inspect/new/phone")
    expect(banner).to_be_hidden()                   # nothing left to offer

    page.get_by_label(re.compile("^響鈴幾聲後接聽")).fill("3")
    page.reload()
    expect(banner).to_be_visible()
    page.get_by_role("button", name="捨棄").click()
    page.reload()
    expect(banner).to_be_hidden()
    assert page.console_errors == []
