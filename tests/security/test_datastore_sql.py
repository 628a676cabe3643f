"""The DataStore SQL endpoint (issue 14 item 4): off by default; when enabled, a slow query is
cut by the statement timeout with a 409 naming ``sql`` in Vietnamese, and calls are rate limited.
Real PostgreSQL (the DataStore's read-only role), real Redis."""
from __future__ import annotations

import time

import ckan.plugins.toolkit as tk
import pytest
from ckan.lib.redis import connect_to_redis

SLOW = "SELECT count(*) FROM generate_series(1, 100000000000) AS g"
SQL = "/api/3/action/datastore_search_sql"


@pytest.fixture()
def fresh_counters():
    redis = connect_to_redis()
    for name in redis.scan_iter(f"longan:ratelimit:{tk.config.get('ckan.site_id')}:*"):
        redis.delete(name)


@pytest.mark.usefixtures("with_plugins")
def test_sql_endpoint_is_off_by_default(app):
    response = app.get(SQL, query_string={"sql": "SELECT 1"})
    assert response.status_code == 400
    assert "datastore_search_sql" in response.get_data(as_text=True)  # "action not known"


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true")
@pytest.mark.ckan_config("ckanext.longan_opendata.datastore.sql_timeout_ms", "500")
@pytest.mark.usefixtures("with_plugins", "fresh_counters")
def test_slow_query_is_cut_with_a_clear_409(app):
    assert app.get(SQL, query_string={"sql": "SELECT 1 AS one"}).json["result"]["records"] \
        == [{"one": 1}]
    started = time.monotonic()
    response = app.get(SQL, query_string={"sql": SLOW})
    elapsed = time.monotonic() - started
    assert response.status_code == 409, response.get_data(as_text=True)
    message = response.json["error"]["sql"][0]
    assert "Truy vấn chạy lâu hơn 0.5 giây" in message
    assert elapsed < 5, elapsed  # cut at 0.5 s, not held for CKAN's 60 s
    english = app.get("/en" + SQL, query_string={"sql": SLOW})
    assert "ran longer than 0.5 seconds" in english.json["error"]["sql"][0]


@pytest.mark.ckan_config("ckan.datastore.sqlsearch.enabled", "true")
@pytest.mark.ckan_config("ckanext.longan_opendata.ratelimit.datastore_sql", "2/60")
@pytest.mark.usefixtures("with_plugins", "fresh_counters")
def test_sql_calls_are_rate_limited(app):
    codes = [app.get(SQL, query_string={"sql": "SELECT 1"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
