"""Harvested metadata complete (issue 11, item 5): the contact point from the agency, the
English title from a bilingual title, the temporal coverage from a date column at the source,
and what is still missing marked on the dataset and listed on the job page."""
from __future__ import annotations

import html as htmllib
import json
import re

import pytest
from ckan.plugins import toolkit as tk
from ckanext.harvest import model as harvest_model

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.harvesters import completeness
from ckanext.longan_opendata.harvesters.config import ConfigError
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import create_source, run_harvest, update_source_config

COMPLETE_DEFAULTS = {"theme": ["dan-cu-xa-hoi"], "spatial_units": ["old-80"],
                     "frequency": "annual", "license_id": "vn-open-data-1.0"}


def _config(shared_database, env, tables, defaults=None) -> dict:
    return {"url": shared_database["reader_url"], "password_env": env, "tables": tables,
            "defaults": defaults or {}}


def _by_table(results: dict) -> dict[str, dict]:
    return {guid.split(":", 1)[1]: r["dataset"] for guid, r in results.items()}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_missing_review_fields_are_marked_then_derived(
        app, shared_database, reader_env, sysadmin, org, owner_conn):
    tables = [
        {"schema": "thong_ke", "table": "dan_so_theo_xa", "temporal_column": "nam",
         "title": "Dân số theo xã / Population by commune"},
        {"schema": "thong_ke", "table": "luong_mua_thang"},
    ]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database, reader_env, tables, COMPLETE_DEFAULTS))
    found = _by_table(run_harvest(source, LonganSqlHarvester()))
    people, rain = found["thong_ke.dan_so_theo_xa"], found["thong_ke.luong_mua_thang"]
    with owner_conn.cursor() as cur:
        cur.execute("SELECT min(nam), max(nam) FROM thong_ke.dan_so_theo_xa")
        first, last = cur.fetchone()
    assert (people["temporal_start"], people["temporal_end"]) == (f"{first}-01-01",
                                                                  f"{last}-12-31")
    assert (people["title"], people["title_en"]) == ("Dân số theo xã", "Population by commune")
    # the agency has no e-mail nor phone: no contact point to derive, so it is marked
    assert people["harvest_review_missing"] == "contact_points"
    assert rain["harvest_review_missing"] == "contact_points,temporal_start"
    assert workflow.missing_review_fields(rain) == ["contact_points", "temporal_start"]

    [job] = harvest_model.HarvestJob.filter(source_id=source["id"]).all()
    page = htmllib.unescape(app.get(f"/harvest/{source['name']}/job/{job.id}", headers={
        "Authorization": sysadmin["token"]}).get_data(as_text=True))
    assert "Bộ dữ liệu chưa đủ siêu dữ liệu" in page and "2 bộ dữ liệu" in page
    rows = dict(re.findall(r'<tr data-incomplete-dataset="([^"]+)">(.*?)</tr>', page, re.S))
    assert "<code>temporal_start</code>" in rows[rain["name"]]
    assert "<code>contact_points</code>" in rows[people["name"]]

    # the agency gets an e-mail, the rain table its date column: the next harvest completes it
    tk.get_action("organization_patch")({"user": sysadmin["name"]}, {
        "id": org["id"], "email": "thongke@longan.gov.vn"})
    tables[1]["temporal_column"] = "thang"
    update_source_config(sysadmin, source,
                         _config(shared_database, reader_env, tables, COMPLETE_DEFAULTS))
    rain = _by_table(run_harvest(source, LonganSqlHarvester()))["thong_ke.luong_mua_thang"]
    assert rain["harvest_review_missing"] == ""
    assert workflow.missing_review_fields(rain) == []
    assert rain["contact_points"] == [{"name": org["title"], "email": "thongke@longan.gov.vn"}]
    with owner_conn.cursor() as cur:
        cur.execute("SELECT min(thang)::text, max(thang)::text FROM thong_ke.luong_mua_thang")
        assert (rain["temporal_start"], rain["temporal_end"]) == cur.fetchone()


def test_periods_from_values_and_records(tmp_path):
    assert completeness.period([2019, 2024]) == {"temporal_start": "2019-01-01",
                                                 "temporal_end": "2024-12-31"}
    assert completeness.period(["2024-02", "2023-11-05T08:00:00", None, "không rõ"]) == {
        "temporal_start": "2023-11-05", "temporal_end": "2024-02-29"}
    assert completeness.period(["", "x"]) is None
    spool = tmp_path / "records.jsonl"
    spool.write_text("\n".join(json.dumps(r) for r in [
        {"thang": "2024-03-01"}, {"thang": None}, {"thang": "2023-01-01"},
        {"thang": "2024-12-01"}]) + "\n", encoding="utf-8")
    assert completeness.records_period(str(spool), "thang") == {
        "temporal_start": "2023-01-01", "temporal_end": "2024-12-01"}
    assert completeness.records_period(str(spool), "khong_co") is None
    assert completeness.split_bilingual("Dân số / Population") == ("Dân số", "Population")
    assert completeness.split_bilingual("Thu / chi ngân sách") is None


def test_temporal_column_must_be_a_name():
    harvester = LonganSqlHarvester()
    config = {"url": "postgresql://r@127.0.0.1/db", "password_env": "LONGAN_HARVEST_X",
              "tables": [{"schema": "a", "table": "b", "temporal_column": 7}]}
    with pytest.raises(ConfigError, match=r"tables\[0\]\.temporal_column"):
        harvester.check_config(json.dumps(config))
