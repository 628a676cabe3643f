"""Issue 13 item 4 with the real reverse proxy: Debian's nginx with the deployed
``deploy/nginx/cache-rules.conf`` in front of the portal served by gunicorn. Anonymous dataset
pages are served from the cache; a published change is visible through it within
``cache.max_age`` seconds; a visitor with a session is never served from the cache."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.browser import fresh_database
from tests.fast import ensure_plugins
from tests.nginx import NGINX, serve_nginx
from tests.served import free_port, serve_portal

MAX_AGE = 2

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="apt-get install nginx-light")


@pytest.fixture(scope="module")
def proxied(request):
    from ckan.tests import factories

    from tests.portal.conftest import make_dataset

    ensure_plugins()
    fresh_database()
    admin = factories.Sysadmin()
    org = factories.Organization(name="cuc-thong-ke", title="Cục Thống kê", image_url="")
    pkg = make_dataset(admin, org, "dan-so-nginx", title="Dân số trung bình")
    workdir = Path(tempfile.mkdtemp(prefix="longan-nginx-"))
    (workdir / "portal").mkdir()
    extra = f"ckanext.longan_opendata.cache.max_age = {MAX_AGE}\n"
    with contextlib.ExitStack() as stack:
        upstream = stack.enter_context(serve_portal(
            request.config.getoption("--ckan-ini"), workdir / "portal", extra_config=extra))
        url = stack.enter_context(serve_nginx(upstream, workdir / "nginx", free_port()))
        yield {"url": url, "admin": admin, "pkg": pkg}
    shutil.rmtree(workdir, ignore_errors=True)


def _get(url: str, **kwargs) -> requests.Response:
    response = requests.get(url, timeout=30, **kwargs)
    assert response.status_code == 200, response.text[:500]
    return response


def test_published_change_visible_through_the_cache_within_max_age(proxied):
    from ckan.tests import helpers

    page = proxied["url"] + "/dataset/dan-so-nginx"
    first = _get(page)
    assert first.headers["X-Cache-Status"] in ("MISS", "EXPIRED")
    assert "Set-Cookie" not in first.headers
    second = _get(page)
    assert second.headers["X-Cache-Status"] == "HIT"  # served by nginx, not rendered again
    helpers.call_action("package_patch", context={"user": proxied["admin"]["name"]},
                        id=proxied["pkg"]["id"], title="Dân số trung bình đã sửa")
    changed_at = time.monotonic()
    # the time a request is sent counts (its render after the expiry is CKAN's, not the cache's)
    while True:
        asked_at = time.monotonic()
        if "đã sửa" in _get(page).text:
            break
        assert asked_at - changed_at <= MAX_AGE + 1, "change not visible in time"
        time.sleep(0.1)
    assert asked_at - changed_at <= MAX_AGE + 1


def test_a_session_is_never_served_from_the_cache(proxied):
    page = proxied["url"] + "/dataset/"
    _get(page)
    assert _get(page).headers["X-Cache-Status"] == "HIT"
    with_session = _get(page, cookies={"ckan": "anything"})
    assert with_session.headers["X-Cache-Status"] == "BYPASS"
    login = _get(proxied["url"] + "/user/login")  # a form page: private, never stored
    assert "Set-Cookie" in login.headers
    assert login.headers["X-Cache-Status"] in ("MISS", "EXPIRED")
    assert _get(proxied["url"] + "/user/login").headers["X-Cache-Status"] != "HIT"
