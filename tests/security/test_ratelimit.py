"""Rate limits (issue 14 item 4): the Redis fixed window of :mod:`.security.ratelimit` and the
rate-limited doors (login, password reset, API tokens), with their 429 in Vietnamese and English.
Real Redis, real app; windows of 1-2 s."""
from __future__ import annotations

import json
import time
import uuid

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.longan_opendata.security import limits, ratelimit


def _wait_for_new_window(seconds: int) -> None:
    """Start at the beginning of a fixed window, so a burst stays inside one."""
    time.sleep(ratelimit.seconds_left(seconds) + 0.01)


@pytest.fixture()
def fresh_counters():
    """No counter left by an earlier test (they live up to a window in the shared Redis db)."""
    redis = connect_to_redis()
    site = tk.config.get("ckan.site_id")
    for name in redis.scan_iter(f"longan:ratelimit:{site}:*"):
        redis.delete(name)
    return redis


def test_fixed_window_counts_then_resets(fresh_counters):
    key = uuid.uuid4().hex
    _wait_for_new_window(1)
    assert [ratelimit.allow("t", 3, 1, key=key) for _ in range(5)] == [True] * 3 + [False] * 2
    assert ratelimit.allow("t", 3, 1, key="someone-else")  # another client is not counted
    _wait_for_new_window(1)
    assert ratelimit.allow("t", 3, 1, key=key)


def test_zero_limit_means_no_limit(fresh_counters):
    assert all(ratelimit.allow("t", 0, 1, key="k") for _ in range(20))


def test_rules_parse_and_refuse_nonsense():
    assert limits.parse_rule("10/300") == (10, 300)
    assert limits.parse_rule("0") == (0, 0)
    for bad in ("ten", "5/0", "-1/10"):
        with pytest.raises(ValueError):
            limits.parse_rule(bad)


def _login(app, prefix: str = ""):
    return app.post(f"{prefix}/user/login", data={"login": "nobody", "password": "wrong"})


@pytest.mark.ckan_config("ckanext.longan_opendata.ratelimit.login", "2/2")
@pytest.mark.usefixtures("with_plugins")
def test_login_gets_429_after_the_limit_then_again_after_the_window(app, fresh_counters):
    app.get("/user/login")  # the first render compiles templates (slow): not inside the window
    _wait_for_new_window(2)
    assert [_login(app).status_code for _ in range(2)] == [200, 200]  # wrong password
    refused = _login(app)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Quá nhiều yêu cầu" in page
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    english = _login(app, "/en")
    assert english.status_code == 429 and "Too many requests" in english.get_data(as_text=True)
    # the client's address is never stored in clear
    keys = [k.decode() for k in fresh_counters.scan_iter("longan:ratelimit:*")]
    assert keys and not any("127.0.0.1" in k for k in keys)
    _wait_for_new_window(2)
    assert _login(app).status_code != 429


@pytest.mark.ckan_config("ckanext.longan_opendata.ratelimit.password_reset", "1/60")
@pytest.mark.usefixtures("with_plugins")
def test_password_reset_is_limited(app, fresh_counters):
    app.post("/user/reset", data={"user": "ai-do@example.org"})
    assert app.post("/user/reset", data={"user": "ai-do@example.org"}).status_code == 429
    assert app.get("/user/reset").status_code == 200  # reading the form is not counted


@pytest.mark.ckan_config("ckanext.longan_opendata.ratelimit.api_token", "2/60")
@pytest.mark.usefixtures("with_plugins")  # a new user of unique name: no need to empty the db
def test_api_token_create_gets_json_429(app, fresh_counters):
    user = factories.User()
    token = factories.APIToken(user=user["name"])["token"]

    def create():
        return app.post("/api/3/action/api_token_create",
                        data=json.dumps({"user": user["name"], "name": "t"}),
                        headers={"Authorization": token, "Content-Type": "application/json"})

    assert [create().status_code for _ in range(2)] == [200, 200]
    refused = create()
    assert refused.status_code == 429
    body = refused.json
    assert body["success"] is False and "Quá nhiều yêu cầu" in body["error"]["message"]
    assert refused.headers["Retry-After"]


def test_trusted_proxy_forwarded_address_is_the_client(app, monkeypatch):
    with app.flask_app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "10.0.0.9"},
            headers={"X-Forwarded-For": "1.2.3.4"}):
        direct = ratelimit.client_key()
    with app.flask_app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "10.0.0.9"},
            headers={"X-Forwarded-For": "1.2.3.5"}):
        assert ratelimit.client_key() == direct  # untrusted peer: the header is ignored
    monkeypatch.setitem(tk.config, "ckanext.longan_opendata.ratelimit.trusted_proxies",
                        ["10.0.0.9"])
    with app.flask_app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "10.0.0.9"},
            headers={"X-Forwarded-For": "1.2.3.5"}):
        assert ratelimit.client_key() != direct
