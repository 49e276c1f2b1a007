"""What staff do in a few requests: sign in, fill a checklist, post it; shared by the flow tests."""

from __future__ import annotations

import re
from html import unescape

from forms.instrument import load_default
from support import factories
from support.web import hidden_fields, login


def signed_in(client, user):
    response = login(client, user.email, factories.PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def full_phone_answers(**changes) -> dict:
    phone = load_default("phone")
    answers = {q["key"]: "yes" for q in phone.questions() if q["type"] == "yes_no_na"}
    answers.update(rings="3", scenario="詢問戶籍謄本申請應備文件")
    answers.update(changes)
    return answers


def post_form(client, url, answers, office, action="submit", when="2025-08-12T10:15"):
    page = client.get(url)
    assert page.status_code == 200
    data = hidden_fields(page.get_data(as_text=True))
    data.update(answers, office=office.code, occurred_at=when, action=action)
    return client.post(url, data=data)


def client_for(app, user):
    """A test client signed in as ``user``."""
    client = app.test_client()
    assert login(client, user.email, factories.PASSWORD).status_code == 302
    return client


def post_page(client, url, data, page_url=None, only_token=False, **extra):
    """Post ``data`` to ``url`` as its page (or ``page_url``) would, with the page's hidden
    fields; ``only_token`` for a second form on a page, which carries its own token only."""
    page = client.get(page_url or url)
    assert page.status_code == 200, url
    fields = hidden_fields(page.get_data(as_text=True))
    if only_token:
        fields = {"csrf_token": fields["csrf_token"]}
    return client.post(url, data={**fields, **data}, **extra)


def decide_case_item(client, url, item_id, data, page=None):
    """A reviewer's accept or reopen of one case item, as its form on the case page posts it:
    with the mark of the answer that page showed (``page``: an older copy of the page)."""
    html = (page or client.get(url)).get_data(as_text=True)
    found = re.search(rf'name="item" value="{item_id}"><input type="hidden" name="seen" '
                      r'value="([^"]*)"', html)
    fields = {"csrf_token": hidden_fields(html)["csrf_token"], "item": item_id,
              "seen": unescape(found.group(1)) if found else ""}
    return client.post(url, data={**fields, **data})
