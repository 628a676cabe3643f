"""The ``longan_api`` harvester against the demo LGSP service (real HTTP on 127.0.0.1)."""
from __future__ import annotations

import json
import time

import pytest
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.demo import shared_db
from ckanext.longan_opendata.harvesters.api import LonganApiHarvester
from ckanext.longan_opendata.harvesters.config import ConfigError

from .conftest import activity_count, control, create_source, datastore_rows, run_harvest

ENDPOINTS = [
    {"path": "/api/v1/dan-so", "records_path": "data.items", "title": "Dân số theo xã (LGSP)",
     "pagination": {"type": "page", "page_param": "page", "size_param": "size", "size": 100},
     "columns": {"nam": "int"}, "theme": ["dan-cu-xa-hoi"]},
    {"path": "/api/v1/truong-hoc", "records_path": "result.records", "title": "Trường học (LGSP)",
     "pagination": {"type": "offset", "offset_param": "offset", "limit_param": "limit",
                    "size": 75}},
    {"path": "/api/v1/dich-vu-cong", "records_path": "items", "title": "Dịch vụ công (LGSP)",
     "pagination": {"type": "cursor", "cursor_param": "cursor", "next_path": "next_cursor",
                    "size_param": "limit", "size": 200}},
]
API_KEY = {"type": "api_key", "header": "X-API-Key", "key_env": "LONGAN_HARVEST_LGSP_API_KEY"}
OAUTH = {"type": "oauth2", "token_url": "/oauth/token", "client_id": "cong-du-lieu-mo",
         "client_secret_env": "LONGAN_HARVEST_LGSP_CLIENT_SECRET"}


def _config(demo, auth=None, endpoints=None, **extra) -> dict:
    return {"base_url": demo.url, "auth": auth or API_KEY, "endpoints": endpoints or ENDPOINTS,
            "timeout": 5, "retries": 3, "backoff": 0.05,
            "defaults": {"frequency": "monthly", "source_system": "LGSP tỉnh Long An"}, **extra}


def _by_path(results: dict) -> dict:
    return {guid.split(":", 1)[1]: r for guid, r in results.items()}


pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_three_paginations_load_typed_tables(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url, _config(lgsp), name="lgsp")
    lgsp.state.requests.clear()  # the connection test made when the source was saved
    results = _by_path(run_harvest(source, LonganApiHarvester()))
    assert {p: r["state"] for p, r in results.items()} == {
        e["path"]: "COMPLETE" for e in ENDPOINTS}, {p: r["errors"] for p, r in results.items()}
    expected = {"/api/v1/dan-so": len(shared_db.population_rows()),
                "/api/v1/truong-hoc": len(shared_db.school_rows()),
                "/api/v1/dich-vu-cong": len(shared_db.online_rows())}
    for path, result in results.items():
        dataset = result["dataset"]
        assert dataset["owner_org"] == org["id"]
        table = datastore_rows(dataset["resources"][0]["id"], limit=1, sort="_id")
        assert table["total"] == expected[path], path
    pop = datastore_rows(results["/api/v1/dan-so"]["dataset"]["resources"][0]["id"], limit=1)
    types = {f["id"]: f["type"] for f in pop["fields"]}
    assert types["nam"] == "int8" and types["dien_tich_km2"] == "numeric"
    assert types["ten_xa"] == "text"
    schools = datastore_rows(results["/api/v1/truong-hoc"]["dataset"]["resources"][0]["id"],
                             limit=1)
    types = {f["id"]: f["type"] for f in schools["fields"]}
    assert types["ngay_thanh_lap"] == "date" and types["dat_chuan_quoc_gia"] == "bool"
    online = datastore_rows(results["/api/v1/dich-vu-cong"]["dataset"]["resources"][0]["id"],
                            q="Hộ tịch", limit=1)
    assert online["total"] > 0
    assert {f["id"]: f["type"] for f in online["fields"]}["cap_nhat_luc"] == "timestamp"
    # pages: 414 population rows by 100 → 5 requests
    assert len(lgsp.requests_to("/api/v1/dan-so")) == 5


def test_unchanged_service_writes_nothing_and_changes_are_picked_up(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:1]), name="lgsp")
    [first] = run_harvest(source, LonganApiHarvester()).values()
    dataset_id = first["dataset"]["id"]
    count = activity_count(dataset_id)
    [second] = run_harvest(source, LonganApiHarvester()).values()
    assert second["report_status"] == "not modified"
    assert activity_count(dataset_id) == count
    # a column added at the source: a new table version with a note, not a crash
    control(lgsp, extra_column=True)
    [third] = run_harvest(source, LonganApiHarvester()).values()
    assert third["report_status"] == "updated", third["errors"]
    resource = third["dataset"]["resources"][0]
    assert "ghi_chu" in {f["id"] for f in datastore_rows(resource["id"], limit=0)["fields"]}
    assert "thêm cột ['ghi_chu']" in resource["description"]
    assert activity_count(dataset_id) == count + 1
    # and a column removed
    control(lgsp, extra_column=False, drop_column="dan_so_nu")
    [fourth] = run_harvest(source, LonganApiHarvester()).values()
    assert fourth["report_status"] == "updated", fourth["errors"]
    fields = {f["id"] for f in datastore_rows(resource["id"], limit=0)["fields"]}
    assert "dan_so_nu" not in fields and "ghi_chu" not in fields
    assert "bỏ cột ['dan_so_nu', 'ghi_chu']" in fourth["dataset"]["resources"][0]["description"]


def test_oauth2_token_is_fetched_and_refreshed(lgsp, sysadmin, org):
    lgsp.state.token_ttl = 5.3  # the harvester renews 5 s before expiry: 0.3 s tokens
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, auth=OAUTH, endpoints=ENDPOINTS[:1], rate_limit=3),
                           name="lgsp")
    [result] = run_harvest(source, LonganApiHarvester()).values()
    assert result["state"] == "COMPLETE", result["errors"]
    # 5 pages at 3 requests/s take over a second: the token was renewed on the way
    assert lgsp.state.tokens_issued >= 2
    assert all(status == 200 for _t, _p, status in lgsp.requests_to("/api/v1/dan-so"))


def test_rate_limit_spaces_requests(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:1], rate_limit=5), name="lgsp")
    lgsp.state.requests.clear()  # the connection test made when the source was saved
    started = time.monotonic()
    run_harvest(source, LonganApiHarvester())
    times = [t for t, _p, _s in lgsp.requests_to("/api/v1/dan-so")]
    assert len(times) == 5
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.17, gaps  # 5 requests/s, with scheduling slack
    assert time.monotonic() - started >= 0.8


def test_500_then_recovery_is_retried_and_429_honoured(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:1]), name="lgsp")
    lgsp.state.requests.clear()  # the connection test made when the source was saved
    control(lgsp, fail=2, status=500)
    [result] = run_harvest(source, LonganApiHarvester()).values()
    assert result["state"] == "COMPLETE", result["errors"]
    statuses = [s for _t, _p, s in lgsp.requests_to("/api/v1/dan-so")]
    assert statuses[:3] == [500, 500, 200]
    control(lgsp, fail=1, status=429, extra_column=True)
    [again] = run_harvest(source, LonganApiHarvester()).values()
    assert again["state"] == "COMPLETE", again["errors"]
    assert 429 in [s for _t, _p, s in lgsp.requests_to("/api/v1/dan-so")]


def test_service_down_for_good_is_an_error_and_keeps_the_data(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:2]), name="lgsp")
    first = _by_path(run_harvest(source, LonganApiHarvester()))
    resource_id = first["/api/v1/dan-so"]["dataset"]["resources"][0]["id"]
    control(lgsp, fail=100, status=503, extra_column=True)
    second = _by_path(run_harvest(source, LonganApiHarvester()))
    assert all(r["state"] == "ERROR" for r in second.values())
    [error] = second["/api/v1/dan-so"]["errors"]
    assert "trả lỗi HTTP 503 sau 4 lần thử" in error.message
    assert datastore_rows(resource_id, limit=0)["total"] == len(shared_db.population_rows())


def test_malformed_records_are_reported_by_row_without_aborting_the_others(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:2]), name="lgsp")
    control(lgsp, malformed_row=17)
    results = _by_path(run_harvest(source, LonganApiHarvester()))
    bad, other = results["/api/v1/dan-so"], results["/api/v1/truong-hoc"]
    assert bad["state"] == "ERROR"
    [error] = bad["errors"]
    assert "dòng 17, cột nam: 'hai nghìn' không phải int8" in error.message
    assert error.line == 17 and error.stage == "Import"
    # the schools' endpoint declares no types: so_hoc_sinh is inferred from a sample that
    # includes the bad value → text, loaded
    assert other["state"] == "COMPLETE", other["errors"]


def test_endpoint_gone_withdraws_its_dataset(lgsp, sysadmin, org):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:2]), name="lgsp")
    first = _by_path(run_harvest(source, LonganApiHarvester()))
    control(lgsp, hide=["/api/v1/truong-hoc"])
    second = _by_path(run_harvest(source, LonganApiHarvester()))
    assert second["/api/v1/truong-hoc"]["report_status"] == "deleted"
    shown = tk.get_action("package_show")(
        {"ignore_auth": True}, {"id": first["/api/v1/truong-hoc"]["dataset"]["id"]})
    assert shown["private"] is True and "Đã rút khỏi nguồn" in shown["notes"]
    assert second["/api/v1/dan-so"]["report_status"] == "not modified"


def test_wrong_api_key_is_a_clear_error(lgsp, sysadmin, org, monkeypatch):
    source = create_source(sysadmin, org, "longan_api", lgsp.url,
                           _config(lgsp, endpoints=ENDPOINTS[:1]), name="lgsp")
    monkeypatch.setenv("LONGAN_HARVEST_LGSP_API_KEY", "sai")  # the key was revoked since
    [result] = run_harvest(source, LonganApiHarvester()).values()
    [error] = result["errors"]
    assert "bị từ chối truy cập (HTTP 401)" in error.message


@pytest.mark.parametrize(("change", "key"), [
    ({"base_url": "ftp://x"}, "base_url"),
    ({"base_url": "http://u:p@host"}, "base_url"),
    ({"auth": {"type": "api_key", "key": "abc"}}, "auth.key"),
    ({"auth": {"type": "api_key", "key_env": "HOME"}}, "auth.key_env"),
    ({"auth": {"type": "oauth2", "client_id": "x", "client_secret_env": "LONGAN_HARVEST_X"}},
     "auth.token_url"),
    ({"endpoints": [{"path": "/a", "pagination": {"type": "pages"}}]},
     "endpoints[0].pagination.type"),
    ({"retries": 50}, "retries"),
])
def test_bad_api_configs_name_the_key(change, key):
    config = {"base_url": "http://127.0.0.1:1", "auth": API_KEY,
              "endpoints": [{"path": "/a"}], **change}
    with pytest.raises(ConfigError) as raised:
        LonganApiHarvester().validate_config(json.dumps(config))
    assert str(raised.value).startswith(key + ":"), str(raised.value)
