"""``partitions_as_series`` (issue 12): the yearly partitioned table of the demo shared database
harvested as one edition per partition, all in one dataset series."""
from __future__ import annotations

import json

import pytest
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.harvesters.config import ConfigError
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import approve_auto_publish, create_source, datastore_rows, run_harvest

YEARBOOK = {"schema": "thong_ke", "table": "chi_tieu_kinh_te_xa_hoi",
            "partitions_as_series": "nien-giam-thong-ke", "name": "nien-giam-thong-ke",
            "title": "Niên giám thống kê", "title_en": "Statistical yearbook",
            "theme": ["kinh-te"], "frequency": "annual"}
URL = "postgresql://longan_shared_reader@127.0.0.1:5432/longan_shared"


def _config(url: str, env: str) -> dict:
    return {"url": url, "password_env": env, "tables": [YEARBOOK],
            "defaults": {"license_id": "vn-open-data-1.0", "contains_personal_data": "no"}}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_each_partition_becomes_an_edition_of_the_series(
        shared_database, reader_env, sysadmin, org, owner_conn):
    series = tk.get_action("package_create")(
        {"user": sysadmin["name"], "longan_workflow_state": "published"},
        {"type": "dataset_series", "name": "nien-giam-thong-ke-chuoi",
         "title": "Niên giám thống kê tỉnh Long An", "owner_org": org["id"],
         "frequency": "annual"})
    config = _config(shared_database["reader_url"], reader_env)
    config["tables"] = [{**YEARBOOK, "partitions_as_series": series["name"]}]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"], config)
    approve_auto_publish(sysadmin, source)
    results = run_harvest(source, LonganSqlHarvester())
    guids = sorted(g.split(":", 1)[1] for g in results)
    assert guids == [f"thong_ke.chi_tieu_kinh_te_xa_hoi_{y}" for y in range(2020, 2025)]
    assert {r["state"] for r in results.values()} == {"COMPLETE"}, [
        r["errors"] for r in results.values()]
    editions = tk.get_action("longan_series_editions")({"user": ""}, {"id": series["id"]})
    assert [e["name"] for e in editions["editions"]] == [
        f"nien-giam-thong-ke-{y}" for y in range(2020, 2025)]
    first = tk.get_action("package_show")({"user": ""}, {"id": "nien-giam-thong-ke-2020"})
    assert first["title"] == "Niên giám thống kê 2020"
    assert first["title_en"] == "Statistical yearbook 2020"
    assert (first["temporal_start"], first["temporal_end"]) == ("2020-01-01", "2020-12-31")
    assert first["in_series"] == [series["id"]] and first["workflow_state"] == "published"
    rows = datastore_rows(first["resources"][0]["id"], limit=1000)
    assert {r["nam"] for r in rows["records"]} == {2020} and rows["total"] == 60

    # a partition detached at the source: its edition is withdrawn, the others stay
    owner_conn.cursor().execute("ALTER TABLE thong_ke.chi_tieu_kinh_te_xa_hoi "
                                "DETACH PARTITION thong_ke.chi_tieu_kinh_te_xa_hoi_2020")
    try:
        again = run_harvest(source, LonganSqlHarvester())
        assert [g.split(":", 1)[1] for g in again] == ["thong_ke.chi_tieu_kinh_te_xa_hoi_2020"]
    finally:
        owner_conn.cursor().execute(
            "ALTER TABLE thong_ke.chi_tieu_kinh_te_xa_hoi ATTACH PARTITION "
            "thong_ke.chi_tieu_kinh_te_xa_hoi_2020 FOR VALUES FROM (2020) TO (2021)")
    editions = tk.get_action("longan_series_editions")({"user": ""}, {"id": series["id"]})
    assert [e["name"] for e in editions["editions"]][0] == "nien-giam-thong-ke-2021"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_an_unknown_series_is_an_error_of_each_edition(shared_database, reader_env, sysadmin,
                                                        org):
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env))
    results = run_harvest(source, LonganSqlHarvester())
    assert len(results) == 5
    for result in results.values():
        assert result["state"] == "ERROR"
        assert "in_series" in result["errors"][0].message


@pytest.mark.parametrize(("item", "key", "vietnamese"), [
    ({**YEARBOOK, "partitions_as_series": ""}, "tables[0].partitions_as_series",
     "phải là tên hoặc mã của một chuỗi dữ liệu"),
    ({"query_name": "q", "query": "SELECT 1", "partitions_as_series": "x"},
     "tables[0].partitions_as_series", "chỉ dùng được với một bảng"),
    ({"table": "t", "in_series": [3]}, "tables[0].in_series", "phải là tên chuỗi dữ liệu"),
])
def test_bad_series_options_get_a_clear_error_naming_the_key(item, key, vietnamese):
    with pytest.raises(ConfigError) as raised:
        LonganSqlHarvester().check_config(json.dumps(
            {"url": URL, "password_env": "LONGAN_HARVEST_SHARED_DB_PW", "tables": [item]}))
    message = str(raised.value)
    assert message.startswith(key + ":") and vietnamese in message and " / " not in message
    with pytest.raises(ConfigError) as raised:
        LonganSqlHarvester().check_config(json.dumps(
            {"url": "mysql://reader@127.0.0.1/db", "password_env": "LONGAN_HARVEST_DB_PW",
             "tables": [YEARBOOK]}))
    assert "chỉ hỗ trợ bảng phân vùng của PostgreSQL" in str(raised.value)
