"""A withdrawn dataset comes back: the table reappears at the source (the real shared test DB),
the next harvest reuses the same dataset, removes the withdrawal note and follows auto_publish."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import (
    approve_auto_publish,
    create_source,
    datastore_rows,
    run_harvest,
    update_source_config,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

CREATE = ("CREATE TABLE kiem_thu.cho_ban_dem (ma_cho text PRIMARY KEY, ten_cho text, "
          "so_quay integer); INSERT INTO kiem_thu.cho_ban_dem VALUES "
          "('C01', 'Chợ đêm Tân An', 120), ('C02', 'Chợ đêm Bến Lức', 80)")


def _show(dataset_id: str) -> dict:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset_id})


@pytest.mark.parametrize("auto_publish", [True, False])
def test_a_table_that_comes_back_reuses_its_dataset(
        shared_database, reader_env, sysadmin, org, owner_conn, scratch_schema, auto_publish):
    with owner_conn.cursor() as cur:
        cur.execute(CREATE)
    config = {"url": shared_database["reader_url"], "password_env": reader_env,
              "tables": [{"schema": "kiem_thu", "table": "cho_ban_dem",
                          "title": "Chợ đêm trên địa bàn tỉnh"}]}
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"], config)
    approve_auto_publish(sysadmin, source)
    [first] = run_harvest(source, LonganSqlHarvester()).values()
    dataset = first["dataset"]
    resource_id = dataset["resources"][0]["id"]
    assert dataset["private"] is False

    with owner_conn.cursor() as cur:
        cur.execute("DROP TABLE kiem_thu.cho_ban_dem")
    [gone] = run_harvest(source, LonganSqlHarvester()).values()
    assert gone["report_status"] == "deleted"
    withdrawn = _show(dataset["id"])
    assert withdrawn["private"] is True and "Đã rút khỏi nguồn" in withdrawn["notes"]
    assert withdrawn["workflow_state"] == workflow.WITHDRAWN

    with owner_conn.cursor() as cur:  # the same table is back, one more row
        cur.execute(CREATE + ", ('C03', 'Chợ đêm Cần Giuộc', 45)")
    if not auto_publish:
        update_source_config(sysadmin, source, {**config, "auto_publish": False})
    [back] = run_harvest(source, LonganSqlHarvester()).values()
    assert back["state"] == "COMPLETE", back["errors"]
    assert back["report_status"] == "updated"
    shown = _show(dataset["id"])
    assert shown["id"] == dataset["id"] and shown["name"] == dataset["name"]
    assert "withdrawn at source" not in shown["notes"] and "Đã rút" not in shown["notes"]
    assert shown["private"] is (not auto_publish)
    assert shown["workflow_state"] == (workflow.PUBLISHED if auto_publish else workflow.PENDING)
    assert [r["id"] for r in shown["resources"]] == [resource_id]  # the same DataStore table
    assert datastore_rows(resource_id, limit=0)["total"] == 3
    found = tk.get_action("package_search")({"ignore_auth": True},
                                            {"q": "Chợ đêm", "include_private": True})
    assert found["count"] == 1  # no second dataset
    # the next harvest of an unchanged table writes nothing
    assert list(run_harvest(source, LonganSqlHarvester())) == []
