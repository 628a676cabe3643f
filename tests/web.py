"""A web client logged in as a browser is: through CKAN's login form, with its CSRF token (a
request logged in by an API token is exempt from CSRF, so it cannot show a form's protection)."""
from __future__ import annotations

import re

from tests.fast import cached_test_app

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the (first) form in a page."""
    return _TOKEN.search(html).group(1)


def logged_in_client(user_name: str, password: str):
    """A new test client whose cookie session is ``user_name``'s."""
    client = cached_test_app()
    form = client.get("/user/login").get_data(as_text=True)
    client.post("/user/login", data={"login": user_name, "password": password,
                                     "_csrf_token": csrf_token(form)})
    return client
