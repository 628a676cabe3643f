"""Faults of the ``longan_sql`` harvester: nothing lost, clear errors in Vietnamese."""
from __future__ import annotations

import json
import subprocess
import threading
import time

import psycopg2
import pytest
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.harvesters import loader
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester
from ckanext.longan_opendata.harvesters.sql_source import pipe_copy

from .conftest import create_source, datastore_rows, run_harvest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _config(shared_database, env, tables):
    return {"url": shared_database["reader_url"], "password_env": env, "tables": tables}


def _by_key(results):
    return {guid.split(":", 1)[1]: r for guid, r in results.items()}


def test_malformed_rows_are_reported_by_row_and_the_previous_version_is_kept(
        shared_database, reader_env, sysadmin, org, owner_conn, scratch_schema):
    with owner_conn.cursor() as cur:  # dates kept as text at the source, published as dates
        cur.execute("CREATE TABLE kiem_thu.cap_phep (so_giay_phep text, ngay_cap text, "
                    "dien_tich_m2 text)")
        cur.execute("INSERT INTO kiem_thu.cap_phep SELECT 'GP-' || g, "
                    "(DATE '2024-01-01' + g)::text, (g * 1.5)::text "
                    "FROM generate_series(1, 200) g")
    tables = [{"schema": "kiem_thu", "table": "cap_phep", "title": "Giấy phép xây dựng",
               "types": {"ngay_cap": "date", "dien_tich_m2": "numeric"}},
              {"schema": "thong_ke", "table": "luong_mua_thang"}]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database, reader_env, tables))
    first = _by_key(run_harvest(source, LonganSqlHarvester()))
    resource_id = first["kiem_thu.cap_phep"]["dataset"]["resources"][0]["id"]
    table = datastore_rows(resource_id, limit=1, sort="_id")
    assert {f["id"]: f["type"] for f in table["fields"]}["ngay_cap"] == "date"
    assert table["total"] == 200

    with owner_conn.cursor() as cur:  # a bad date on row 120
        cur.execute("UPDATE kiem_thu.cap_phep SET ngay_cap = '31/02/2024' "
                    "WHERE so_giay_phep = 'GP-120'")
    second = _by_key(run_harvest(source, LonganSqlHarvester()))
    bad = second["kiem_thu.cap_phep"]
    assert bad["state"] == "ERROR"
    [error] = bad["errors"]
    assert error.line == 200  # the updated row moved to the end of the heap
    assert "dòng 200, cột ngay_cap" in error.message and "31/02/2024" in error.message
    assert "phiên bản trước được giữ nguyên" in error.message
    assert "thong_ke.luong_mua_thang" not in second  # unchanged: no object
    # the DataStore still has the previous complete version
    assert datastore_rows(resource_id, limit=0)["total"] == 200
    assert datastore_rows(resource_id, filters={"so_giay_phep": "GP-120"})["records"][0][
        "ngay_cap"].startswith("2024-04-30")

    with owner_conn.cursor() as cur:
        cur.execute("UPDATE kiem_thu.cap_phep SET ngay_cap = '2024-02-29', dien_tich_m2 = 'n/a' "
                    "WHERE so_giay_phep = 'GP-120'")
    third = _by_key(run_harvest(source, LonganSqlHarvester()))
    [error] = third["kiem_thu.cap_phep"]["errors"]
    assert "cột dien_tich_m2" in error.message and "n/a" in error.message

    with owner_conn.cursor() as cur:  # fixed: the next run completes
        cur.execute("UPDATE kiem_thu.cap_phep SET dien_tich_m2 = NULL "
                    "WHERE so_giay_phep = 'GP-120'")
    fourth = _by_key(run_harvest(source, LonganSqlHarvester()))
    assert fourth["kiem_thu.cap_phep"]["report_status"] == "updated"
    fixed = datastore_rows(resource_id, filters={"so_giay_phep": "GP-120"})["records"][0]
    assert fixed["ngay_cap"].startswith("2024-02-29") and fixed["dien_tich_m2"] is None


def test_a_source_failing_halfway_leaves_the_previous_complete_table(
        shared_database, reader_env, sysadmin, org):
    """The loader itself: a real source COPY that errors after streaming rows."""
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database, reader_env,
                                   [{"schema": "thong_ke", "table": "luong_mua_thang"}]))
    [first] = run_harvest(source, LonganSqlHarvester()).values()
    resource_id = first["dataset"]["resources"][0]["id"]
    before = datastore_rows(resource_id, limit=1000, sort="_id")["records"]
    conn = psycopg2.connect(host="127.0.0.1", user="longan_shared_reader",
                            password=shared_database["reader_password"],
                            dbname=shared_database["name"])
    columns = [loader.Column("tram_quan_trac", "text"), loader.Column("thang", "date"),
               loader.Column("luong_mua_mm", "numeric"), loader.Column("so_ngay_mua", "int4")]
    # row 100 divides by zero: 99 rows are already streamed into the new table
    failing = ("COPY (SELECT tram_quan_trac, thang, luong_mua_mm, "
               "so_ngay_mua / (row_number() OVER () - 100)::int * 0 + so_ngay_mua "
               "FROM thong_ke.luong_mua_thang) TO STDOUT")

    def feed(copy_from):
        pipe_copy(conn, failing, copy_from)

    with pytest.raises(psycopg2.errors.DivisionByZero):
        loader.load(resource_id, columns, feed)
    conn.close()
    assert datastore_rows(resource_id, limit=1000, sort="_id")["records"] == before


def _kill_when_copying(database: str, stop: threading.Event, killed: list[int]) -> None:
    while not stop.is_set():
        out = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-XtA", "-d", database, "-c",
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE application_name = 'longan-harvest-import' AND state = 'active' "
             "AND query LIKE 'COPY%'"],
            capture_output=True, text=True, check=False)
        if "t" in out.stdout.split():
            killed.append(1)
            return
        time.sleep(0.05)


def test_source_connection_killed_mid_import_keeps_the_previous_version(
        shared_database, reader_env, sysadmin, org):
    # the same columns each run; only the killed run reads its rows slowly (8 ms a row)
    query = {"query_name": "cham", "title": "Truy vấn chậm",
             "query": "SELECT g AS so, md5(g::text) AS ma, pg_sleep(0) AS cho "
                      "FROM generate_series(1, 600) g"}
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database, reader_env, [query]))
    [first] = run_harvest(source, LonganSqlHarvester()).values()
    assert first["state"] == "COMPLETE", first["errors"]
    resource_id = first["dataset"]["resources"][0]["id"]
    new_content = query["query"].replace("md5(g::text)", "md5((g + 1)::text)")
    slow = {**query, "query": new_content.replace("pg_sleep(0)", "pg_sleep(0.008)")}
    from .conftest import update_source_config

    update_source_config(sysadmin, source, _config(shared_database, reader_env, [slow]))
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_when_copying,
                              args=(shared_database["name"], stop, killed))
    killer.start()
    try:
        [second] = run_harvest(source, LonganSqlHarvester()).values()
    finally:
        stop.set()
        killer.join()
    assert killed, "the import's source connection was never seen"
    assert second["state"] == "ERROR"
    assert "phiên bản trước được giữ nguyên" in second["errors"][0].message
    rows = datastore_rows(resource_id, limit=1, sort="_id")
    assert rows["total"] == 600 and rows["records"][0]["ma"] == "c4ca4238a0b923820dcc509a6f75849b"
    update_source_config(sysadmin, source, _config(shared_database, reader_env,
                                                   [{**query, "query": new_content}]))
    [third] = run_harvest(source, LonganSqlHarvester()).values()  # the next run completes
    assert third["report_status"] == "updated", third["errors"]
    assert datastore_rows(resource_id, limit=1, sort="_id")["records"][0]["ma"] == \
        "c81e728d9d4c2f636f067f89cc14862c"


def test_wrong_password_and_stopped_server_give_clear_errors(
        shared_database, sysadmin, org, monkeypatch):
    monkeypatch.setenv("LONGAN_HARVEST_SHARED_DB_PW", shared_database["reader_password"])
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database, "LONGAN_HARVEST_SHARED_DB_PW",
                                   [{"schema": "thong_ke", "table": "truong_hoc"}]))
    monkeypatch.setenv("LONGAN_HARVEST_SHARED_DB_PW", "sai-mat-khau")  # the password changed since
    results = run_harvest(source, LonganSqlHarvester())
    assert results == {}  # nothing gathered
    from ckanext.harvest.model import HarvestGatherError

    [error] = HarvestGatherError.filter().all()
    assert "sai mật khẩu cho người dùng 'longan_shared_reader'" in error.message
    assert "wrong password" not in error.message  # stored in the site default language only

    monkeypatch.setenv("LONGAN_HARVEST_SHARED_DB_PW", shared_database["reader_password"])
    stopped = create_source(sysadmin, org, "longan_sql", "postgresql://x@127.0.0.1:9/db",
                            _config(shared_database, "LONGAN_HARVEST_SHARED_DB_PW",
                                    [{"schema": "thong_ke", "table": "co_so_y_te"}]),
                            name="nguon-dung")
    # the server moved (or stopped) after the source was saved
    from ckanext.harvest.model import HarvestSource

    moved = HarvestSource.get(stopped["id"])
    moved.config = json.dumps(_config(
        {"reader_url": "postgresql://longan_shared_reader@127.0.0.1:9/longan_shared"},
        "LONGAN_HARVEST_SHARED_DB_PW", [{"schema": "thong_ke", "table": "truong_hoc"}]))
    moved.save()
    assert run_harvest(stopped, LonganSqlHarvester()) == {}
    messages = [e.message for e in HarvestGatherError.filter().all()]
    assert any("không kết nối được cơ sở dữ liệu nguồn" in m for m in messages), messages


def test_named_queries_cannot_write_even_as_a_role_that_could(
        shared_database, sysadmin, org, owner_conn, scratch_schema, monkeypatch):
    from ckanext.longan_opendata.demo import shared_db

    with owner_conn.cursor() as cur:
        cur.execute("CREATE TABLE kiem_thu.quan_trong (a int); INSERT INTO kiem_thu.quan_trong "
                    "VALUES (1), (2)")
        # a function that writes, which a SELECT can call: only READ ONLY stops it
        cur.execute("CREATE FUNCTION kiem_thu.xoa_het() RETURNS int LANGUAGE sql AS "
                    "'DELETE FROM kiem_thu.quan_trong RETURNING a'")
    from .conftest import SECRETS

    secrets = shared_db.read_secrets(str(SECRETS))
    # the owner's password under a harvest name, bound for this test only (issue 16: the portal's
    # own LONGAN_SHARED_OWNER_PASSWORD cannot be named by a source)
    monkeypatch.setenv("LONGAN_HARVEST_TEST_OWNER_PW", secrets[shared_db.OWNER_PW_KEY])
    monkeypatch.setitem(tk.config, "ckanext.longan_opendata.harvest.secret_bindings",
                        "LONGAN_HARVEST_TEST_OWNER_PW 127.0.0.1 cuc-thong-ke")
    sneaky = {"query_name": "xoa", "title": "Xóa",
              "query": "SELECT kiem_thu.xoa_het() AS a"}
    source = create_source(sysadmin, org, "longan_sql", "owner",
                           {"url": shared_db.owner_url(shared_database["name"]),
                            "password_env": "LONGAN_HARVEST_TEST_OWNER_PW", "tables": [sneaky]})
    [result] = run_harvest(source, LonganSqlHarvester()).values()
    assert result["state"] == "ERROR"
    assert "read-only transaction" in result["errors"][0].message
    with owner_conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM kiem_thu.quan_trong")
        assert cur.fetchone()[0] == 2
