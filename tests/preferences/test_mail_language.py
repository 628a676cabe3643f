"""The language of a user's e-mails: who may choose it (the matrix), what may be chosen, the form
on the profile's edit page (CSRF on), and the workflow e-mail that follows the choice."""
from __future__ import annotations

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.longan_opendata import mailer
from tests.web import csrf_token, logged_in_client

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
PASSWORD = "MatKhau-2026!"


@pytest.fixture()
def people() -> dict[str, dict]:
    return {"owner": factories.User(password=PASSWORD), "other": factories.User(),
            "sysadmin": factories.Sysadmin()}


def _set(user: str | None, target: str, locale: str | None) -> dict:
    return tk.get_action("longan_user_language_set")(
        {"user": user or "", "ignore_auth": False}, {"id": target, "locale": locale})


@pytest.mark.parametrize(("who", "allowed"), [
    ("anonymous", False), ("other", False), ("owner", True), ("sysadmin", True)])
def test_who_may_choose_a_users_language(people, who, allowed):
    actor = None if who == "anonymous" else people[who]["name"]
    target = people["owner"]["name"]
    if not allowed:
        with pytest.raises(tk.NotAuthorized):
            _set(actor, target, "en")
        assert mailer.recipient_locale(model.User.get(target)) == "vi"
        return
    assert _set(actor, target, "en")["locale"] == "en"
    assert mailer.recipient_locale(model.User.get(target)) == "en"
    assert _set(actor, target, "")["locale"] is None  # back to the site's default
    assert mailer.recipient_locale(model.User.get(target)) == "vi"


@pytest.mark.parametrize("bad", ["km", "fr", 3])
def test_only_an_offered_language_may_be_chosen(people, bad):
    with pytest.raises(tk.ValidationError) as raised:
        _set(people["owner"]["name"], people["owner"]["name"], bad)
    [message] = raised.value.error_dict["locale"]
    assert "“locale”" in message and "vi, en" in message


def test_the_profile_form_saves_the_choice_with_its_csrf_token(people):
    owner = people["owner"]
    client = logged_in_client(owner["name"], PASSWORD)
    page = client.get(f"/user/edit/{owner['name']}").get_data(as_text=True)
    assert 'name="locale"' in page and "Ngôn ngữ thư điện tử" in page
    form = page[page.index("longan-mail-language"):]
    url = f"/user/{owner['name']}/ngon-ngu-thu"
    assert client.post(url, data={"locale": "en"}).status_code == 400  # no CSRF token: refused
    assert mailer.recipient_locale(model.User.get(owner["id"])) == "vi"
    done = client.post(url, data={"locale": "en", "_csrf_token": csrf_token(form)},
                       follow_redirects=False)
    assert done.status_code == 302
    assert mailer.recipient_locale(model.User.get(owner["id"])) == "en"
    again = client.get(f"/user/edit/{owner['name']}").get_data(as_text=True)
    assert '<option value="en" selected>' in again
