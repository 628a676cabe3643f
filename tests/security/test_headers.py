"""Security headers on every response (issue 14 item 4): pages, API, static files, errors; the
CSP forbids inline script except on the CKAN core pages that need it; cookies Secure over https."""
from __future__ import annotations

import pytest
from flask import Flask

from ckanext.longan_opendata.security import headers

pytestmark = pytest.mark.usefixtures("with_plugins")

PATHS = ["/", "/dataset/", "/thong-ke", "/en/huong-dan-api", "/user/login",
         "/api/3/action/status_show", "/api/3/action/package_show?id=khong-co",
         "/dataset/khong-co", "/base/images/ckan.ico"]


def test_every_response_carries_the_headers(app):
    for path in PATHS:
        response = app.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", path
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp, path
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert script_src.split() == ["script-src", "'self'"], (path, csp)


def test_inline_script_only_where_ckan_core_templates_need_it(app):
    assert "'unsafe-inline'" in headers.policy_for("resource.view").split("style-src")[0]
    assert "'unsafe-inline'" in headers.policy_for("datatablesview.ajax").split("style-src")[0]
    for public in ("home.index", "dataset.read", "dataset.search", "longan_portal.statistics",
                   None):
        assert "'unsafe-inline'" not in headers.policy_for(public).split("style-src")[0]


@pytest.mark.ckan_config("ckanext.longan_opendata.security.csp", "")
def test_empty_policy_sends_no_csp(app):
    response = app.get("/")
    assert "Content-Security-Policy" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.ckan_config("ckan.site_url", "https://dulieu.longan.gov.vn")
def test_cookies_secure_when_the_site_is_https():
    app = Flask("t")
    headers.secure_cookies(app)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_cookies_not_forced_secure_over_http():
    app = Flask("t")
    headers.secure_cookies(app)
    assert not app.config.get("SESSION_COOKIE_SECURE")


@pytest.mark.ckan_config("ckan.site_url", "https://dulieu.longan.gov.vn")
def test_session_cookie_of_the_https_portal_is_secure(make_app):
    app = make_app()
    response = app.get("/user/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie, cookie
