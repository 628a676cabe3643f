"""Cacheable public pages (issue 13 item 4): anonymous GETs of the public pages carry no cookie,
``Cache-Control: public, max-age=N``, an ETag (304 on If-None-Match) and ``Vary: Cookie``;
logged-in visitors and pages with a CSRF form stay ``private``. One app, one seeded catalogue."""
from __future__ import annotations

import pytest
from ckan.tests import factories

from tests.fast import cached_test_app
from tests.portal.conftest import make_dataset
from tests.web import logged_in_client

PASSWORD = "MatKhau-2025-an-toan"

PUBLIC_PAGES = ["/", "/dataset/", "/dataset/?q=dan+so", "/dataset/dan-so-cache",
                "/organization/", "/organization/cuc-thong-ke-cache", "/dia-ban/new-80",
                "/thong-ke", "/huong-dan-api", "/en/", "/en/dataset/dan-so-cache",
                "/en/thong-ke"]


@pytest.fixture(scope="module")
def site(empty_site):
    empty_site()
    admin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(name="cuc-thong-ke-cache", title="Cục Thống kê", image_url="")
    make_dataset(admin, org, "dan-so-cache", title="Dân số trung bình")
    return cached_test_app(), admin


def _public(response) -> None:
    assert response.status_code == 200, response.request.path
    assert "Set-Cookie" not in response.headers, response.request.path
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=60" in cache and "private" not in cache, cache
    assert response.headers.get("ETag")
    assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in
                                             response.headers["Vary"].split(",")}


def test_anonymous_public_pages_are_public_without_cookie(site):
    app, _ = site
    app.client = app.test_client()
    for path in PUBLIC_PAGES:
        response = app.get(path)
        _public(response)
        if "dan-so-cache" in path:  # the dataset page shows its view counter: a new ETag
            continue
        again = app.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and not again.get_data(), path
    assert not app.client._cookies  # the client never received a cookie


def test_language_switch_and_search_box_need_no_session(site):
    app, _ = site
    app.client = app.test_client()
    page = app.get("/dataset/dan-so-cache").get_data(as_text=True)
    assert 'href="/en/dataset/dan-so-cache"' in page  # the switch is a link, not a POST form
    assert "util.internal_redirect" not in page and "/util/redirect" not in page
    assert 'name="_csrf_token"' not in page
    assert 'action="/dataset/"' in page and 'method="get"' in page.lower()  # the search box
    english = app.get("/en/dataset/", query_string={"q": "dan so"})
    _public(english)
    assert "Dân số trung bình" in english.get_data(as_text=True)


def test_logged_in_and_form_pages_stay_private(site):
    app, admin = site
    app.client = app.test_client()
    login = app.get("/user/login")  # a CSRF form: a session, private
    assert "private" in login.headers["Cache-Control"] and "Set-Cookie" in login.headers
    api = app.get("/api/3/action/package_show", query_string={"id": "dan-so-cache"})
    assert "max-age=60" not in api.headers.get("Cache-Control", "")  # CKAN: max-age=0
    assert app.get("/dataset/khong-co").status_code == 404
    client = logged_in_client(admin["name"], PASSWORD)
    assert "/user/_logout" in client.get("/").get_data(as_text=True)  # really logged in
    for path in ("/", "/dataset/dan-so-cache", "/thong-ke"):
        cache = client.get(path).headers["Cache-Control"]
        assert "private" in cache and "public" not in cache, (path, cache)


@pytest.mark.ckan_config("ckanext.longan_opendata.cache.max_age", 0)
def test_max_age_zero_turns_caching_off(site):
    app, _ = site
    app.client = app.test_client()
    response = app.get("/dataset/dan-so-cache")
    assert "max-age=60" not in response.headers["Cache-Control"]
