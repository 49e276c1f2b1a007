"""The citizen survey posted as a browser posts it: CSRF on, hidden key, real answers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support import factories
from support.web import hidden_fields

from webapp.capture.submissions import Answer, Submission
from webapp.platform.extensions import db

ANSWERS = {"attitude": "5", "knowledge": "4", "efficiency": "na", "overall": "4",
           "service_used": "household", "comment": "<script>alert(1)</script>謝謝"}


def count(model=Submission) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fill(client, url: str, answers: dict) -> tuple[dict, object]:
    page = client.get(url)
    assert page.status_code == 200
    data = hidden_fields(page.get_data(as_text=True))
    data.update(answers)
    return data, client.post(url, data=data)


def test_kiosk_submission_is_stored_and_the_page_resets_itself(client, kiosk):
    url = f"/kiosk/{kiosk.token}"
    _data, response = fill(client, url, ANSWERS)
    assert response.status_code == 302
    assert response.location.endswith(f"/kiosk/{kiosk.token}/thanks")
    thanks = client.get(response.location).get_data(as_text=True)
    assert "謝謝您的寶貴意見" in thanks
    assert "http-equiv" not in thanks                    # the citizen controls the pause
    assert f'href="/kiosk/{kiosk.token}?lang=zh_Hant_TW" data-restart' in thanks
    submission = db.session.scalars(select(Submission)).one()
    assert (submission.channel, submission.status, submission.kiosk_id) == ("kiosk", "submitted",
                                                                          kiosk.id)
    assert submission.office_id == kiosk.office_id and submission.instrument_key == "satisfaction"
    values = {a.item_key: (a.value, a.text) for a in submission.answers}
    assert values["attitude"] == (5, None)
    assert values["efficiency"] == (None, None)          # "no answer" is its own category
    assert values["fairness"] == (None, None)            # skipped optional Likert = no answer
    assert values["service_used"] == (1, "household")
    assert "age_band" not in values                      # skipped optional choice: no row
    assert values["comment"][1] == "<script>alert(1)</script>謝謝"
    assert {a.office_id for a in submission.answers} == {kiosk.office_id}
    assert {a.half for a in submission.answers} == {submission.half}


def test_personal_device_survey_thanks_without_resetting(client, office):
    _data, response = fill(client, factories.personal_url(office), ANSWERS)
    assert response.status_code == 302
    thanks = client.get(response.location).get_data(as_text=True)
    assert "data-restart" not in thanks and "您可以關閉這個頁面" in thanks
    assert db.session.scalars(select(Submission)).one().channel == "personal"


def test_the_survey_asks_nothing_that_identifies_a_person(client, office):
    html = client.get(factories.personal_url(office)).get_data(as_text=True)
    for word in ("姓名", "身分證字號", "電話", "email", "地址"):
        assert f'name="{word}"' not in html
    assert "不記名" in html


def test_missing_required_answer_gets_a_clear_message_and_stores_nothing(client, office):
    answers = {k: v for k, v in ANSWERS.items() if k != "overall"}
    data, response = fill(client, factories.personal_url(office), answers)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "此題必須作答" in html and "還有題目需要您作答" in html
    assert 'checked id="attitude-0"' in html            # the answers given stay on the page
    assert count() == 0 and count(Answer) == 0


def test_out_of_range_answer_is_a_400_not_a_500(client, office):
    _data, response = fill(client, factories.personal_url(office), {**ANSWERS, "overall": "9"})
    assert response.status_code == 400 and count() == 0
    html = response.get_data(as_text=True)
    assert "不是有效的選擇" in html and "选择" not in html   # Traditional, not Simplified
    _data, english = fill(client, factories.personal_url(office) + "&lang=en",
                          {**ANSWERS, "overall": "9"})
    assert "Not a valid choice" in english.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, office):
    page = client.get(factories.personal_url(office))
    data = hidden_fields(page.get_data(as_text=True))
    del data["csrf_token"]
    response = client.post(factories.personal_url(office), data={**data, **ANSWERS})
    assert response.status_code == 400
    assert "頁面已過期" in response.get_data(as_text=True)
    assert count() == 0


def test_resent_submission_is_stored_once(client, kiosk):
    url = f"/kiosk/{kiosk.token}"
    data, first = fill(client, url, ANSWERS)
    second = client.post(url, data=data)
    assert first.status_code == second.status_code == 302
    assert count() == 1
    assert count(Answer) == len(db.session.scalars(select(Submission)).one().answers)


def test_each_page_carries_a_fresh_idempotency_key(client, kiosk):
    keys = {hidden_fields(client.get(f"/kiosk/{kiosk.token}").get_data(as_text=True))
            ["idempotency_key"] for _ in range(3)}
    assert len(keys) == 3


def test_honeypot_filled_by_a_bot_stores_nothing(client, office):
    _data, response = fill(client, factories.personal_url(office), {**ANSWERS, "website": "x"})
    assert response.status_code == 302 and count() == 0


@pytest.mark.parametrize("path", ["/kiosk/not-a-token", "/survey/NOPE"])
def test_unknown_kiosk_or_office_is_404(client, path, office):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("lang, words", [("zh_Hant_TW", "請告訴櫃檯人員"),
                                         ("en", "Please tell the counter staff")])
def test_a_retired_kiosk_asks_calmly_to_tell_the_counter_staff(client, office, lang, words):
    kiosk = factories.kiosk(office, active=False)
    response = client.get(f"/kiosk/{kiosk.token}?lang={lang}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and words in html and "錯誤" not in html
    assert 'method="post"' not in html


def test_required_questions_say_so_to_assistive_technology(client, office):
    html = client.get(factories.personal_url(office)).get_data(as_text=True)
    assert 'id="overall-0" name="overall" required type="radio"' in html      # required
    assert 'id="attitude-0" name="attitude" type="radio"' in html             # optional


def test_english_is_selectable(client, office):
    html = client.get(factories.personal_url(office) + "&lang=en").get_data(as_text=True)
    assert 'lang="en"' in html and "Overall satisfaction" in html and "Very satisfied" in html


def test_kiosk_returns_to_chinese_for_the_next_citizen(client, kiosk):
    url = f"/kiosk/{kiosk.token}"
    _data, response = fill(client, url + "?lang=en", ANSWERS)
    thanks = client.get(response.location).get_data(as_text=True)
    restart = thanks.split('data-restart')[0].rsplit('href="', 1)[1].split('"')[0].replace(
        "&amp;", "&")
    assert 'lang="zh-Hant-TW"' in client.get(restart).get_data(as_text=True)


def test_works_without_javascript(client, office):
    html = client.get(factories.personal_url(office)).get_data(as_text=True)
    assert "<script" not in html and 'method="post"' in html


def test_free_text_is_escaped_when_shown_again(client, office):
    _data, response = fill(client, factories.personal_url(office),
                           {**ANSWERS, "overall": "", "comment": "<img src=x onerror=alert(1)>"})
    html = response.get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_database_down_gives_503_and_keeps_the_answers(client, office, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from webapp.capture import store as storage

    def locked(**kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(storage, "store", locked)
    data, response = fill(client, factories.personal_url(office), ANSWERS)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "答案仍保留在頁面上" in html
    assert 'checked id="attitude-0"' in html and data["idempotency_key"] in html
    assert count() == 0


def test_personal_survey_needs_a_one_time_code(client, office):
    response = client.get(f"/survey/{office.code}")
    assert response.status_code == 403 and "問卷條碼" in response.get_data(as_text=True)
    assert client.get(f"/survey/{office.code}?c=forged").status_code == 403


def test_a_code_is_good_for_one_response_only(client, office):
    url = factories.personal_url(office)
    first_page = client.get(url).get_data(as_text=True)
    second_page = client.get(url).get_data(as_text=True)       # the same slip opened twice
    first = client.post(url, data={**hidden_fields(first_page), **ANSWERS})
    assert first.status_code == 302
    again = client.post(url, data={**hidden_fields(second_page), **ANSWERS})
    assert again.status_code == 410 and "已經使用過" in again.get_data(as_text=True)
    assert client.get(url).status_code == 410
    assert count() == 1
    # resending the first page (same idempotency key) is still a success, not a second row
    assert client.post(url, data={**hidden_fields(first_page), **ANSWERS}).status_code == 302
    assert count() == 1


def test_a_code_from_another_office_is_refused(client, office):
    other = factories.office(code="NTL-LINKOU", name="新北市林口地政事務所", kind="land")
    url = factories.personal_url(other).replace("NTL-LINKOU", office.code)
    assert client.get(url).status_code == 403


def test_codes_are_stored_only_as_hashes(app, office):
    from sqlalchemy import select

    from webapp.capture.survey.codes import SurveyCode

    url = factories.personal_url(office)
    plain = url.split("c=")[1]
    stored = db.session.scalars(select(SurveyCode)).one()
    assert plain not in stored.code_hash and len(stored.code_hash) == 64


def test_database_unreachable_before_the_form_is_built_still_keeps_the_answers(
        client, kiosk, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from webapp.capture.survey import views as survey

    data, _response = fill(client, f"/kiosk/{kiosk.token}", {})
    data.update(ANSWERS)

    def down(token):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    monkeypatch.setattr(survey, "kiosk_by_token", down)
    response = client.post(f"/kiosk/{kiosk.token}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "答案仍保留在頁面上" in html
    assert 'checked id="attitude-0"' in html and data["idempotency_key"] in html
    assert f'action="/kiosk/{kiosk.token}"' in html
    monkeypatch.undo()
    assert client.post(f"/kiosk/{kiosk.token}", data=data).status_code == 302   # the retry
    assert count() == 1


def test_each_kind_of_office_offers_only_its_own_services(client, office):
    """A household-registration office's citizens are not asked about land surveys, and a
    land office's not about ID cards; an answer keeps its place in the whole list."""
    land = factories.office(code="NTL-BANQIAO", name="新北市板橋地政事務所", kind="land")
    household_page = client.get(factories.personal_url(office)).get_data(as_text=True)
    land_page = client.get(factories.personal_url(land)).get_data(as_text=True)
    assert "戶籍謄本" in household_page and "其他" in household_page
    assert "地籍謄本" not in household_page and "土地測量" not in household_page
    assert "地籍謄本" in land_page and "土地測量" in land_page and "其他" in land_page
    assert "戶籍謄本" not in land_page and "身分證、戶口名簿" not in land_page

    _data, refused = fill(client, factories.personal_url(office),
                          {**ANSWERS, "service_used": "land_transcript"})
    assert refused.status_code == 400 and count() == 0
    _data, stored = fill(client, factories.personal_url(land),
                         {**ANSWERS, "service_used": "land_transcript"})
    assert stored.status_code == 302
    values = {a.item_key: (a.value, a.text) for a in db.session.scalars(select(Answer))}
    assert values["service_used"] == (5, "land_transcript")
