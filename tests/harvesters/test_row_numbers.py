"""The rows of a PostgreSQL source come numbered (``row_number()``: the DataStore's ``_id``,
cheaper than a ``nextval`` per row): ``_id`` is 1…N and the DataStore's later inserts number on
after the last row, whether the key is built by the load or by the full-text job; and a table
last imported before the numbering is compared on the stream without numbers, so the upgrade
re-imports nothing while a change is still imported."""
from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import changed_config
from ckanext.harvest.model import HarvestObject

from ckanext.longan_opendata.harvesters import datastore_tables, full_text
from ckanext.longan_opendata.harvesters.sql import ROW_NUMBERS, LonganSqlHarvester

from .conftest import create_source, datastore_rows, run_harvest, update_source_config
from .test_full_text import ROWS, commune_table  # noqa: F401

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "commune_table")
ITEM = {"schema": "kiem_thu", "table": "ho_tich", "title": "Hộ tịch"}


def _config(shared_database, reader_env, **extra) -> dict:
    return {"url": shared_database["reader_url"], "password_env": reader_env,
            "tables": [ITEM], **extra}


def _ids(resource_id: str) -> tuple[int, int, int]:
    """(smallest, largest, distinct) ``_id`` of the table."""
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute(f'SELECT min(_id), max(_id), count(DISTINCT _id) FROM "{resource_id}"')
        return cur.fetchone()


def _insert_one(resource_id: str) -> int:
    """The ``_id`` the DataStore gives a row inserted through its API."""
    tk.get_action("datastore_upsert")({"ignore_auth": True}, {
        "resource_id": resource_id, "method": "insert", "force": True,
        "records": [{"so_thu_tu": ROWS + 1, "ten_xa": "Xã Bình Đức", "loai": "kết hôn"}]})
    [row] = datastore_rows(resource_id, filters={"so_thu_tu": ROWS + 1})["records"]
    return row["_id"]


def _current_object(source: dict) -> HarvestObject:
    model.Session.expire_all()
    return (model.Session.query(HarvestObject)
            .filter_by(harvest_source_id=source["id"], current=True).one())


@pytest.mark.parametrize("inline_rows", ["1000", "100"], ids=["key-in-load", "key-by-job"])
def test_the_rows_are_numbered_and_the_datastore_numbers_on(
        shared_database, reader_env, sysadmin, org, inline_rows):
    with changed_config("ckanext.longan_opendata.harvest.full_text_inline_rows", inline_rows):
        source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                               _config(shared_database, reader_env))
        [result] = run_harvest(source, LonganSqlHarvester()).values()
        assert result["state"] == "COMPLETE", [e.message for e in result["errors"]]
        resource_id = result["dataset"]["resources"][0]["id"]
        if inline_rows == "100":
            assert full_text.fill_full_text(resource_id) == ROWS
    assert _ids(resource_id) == (1, ROWS, ROWS)
    assert _insert_one(resource_id) == ROWS + 1  # no clash with a harvested row's key
    assert json.loads(_current_object(source).content)[ROW_NUMBERS] is True


def test_a_table_hashed_before_the_numbering_is_not_imported_again(
        shared_database, reader_env, sysadmin, org, owner_conn):
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database, reader_env))
    [first] = run_harvest(source, LonganSqlHarvester()).values()
    assert first["state"] == "COMPLETE", [e.message for e in first["errors"]]
    # the object as an import before the numbering left it: the hash of the plain stream
    harvester = LonganSqlHarvester()
    plain_hash = harvester._hash(owner_conn, ITEM, numbered=False)[0]
    numbered_hash = harvester._hash(owner_conn, ITEM, numbered=True)[0]
    obj = _current_object(source)
    content = json.loads(obj.content)
    assert content["hash"] == numbered_hash != plain_hash
    del content[ROW_NUMBERS]
    obj.content = json.dumps({**content, "hash": plain_hash}, ensure_ascii=False)
    obj.save()

    assert run_harvest(source, LonganSqlHarvester()) == {}  # the gather stage: unchanged
    update_source_config(sysadmin, source, _config(shared_database, reader_env,
                                                   check_in_gather=False))
    [fetched] = run_harvest(source, LonganSqlHarvester()).values()
    assert fetched["report_status"] == "not modified"

    with owner_conn.cursor() as cur:  # a change is imported, and hashed numbered from now on
        cur.execute("UPDATE kiem_thu.ho_tich SET loai = 'khai tử' WHERE so_thu_tu = 1")
    [changed] = run_harvest(source, LonganSqlHarvester()).values()
    assert changed["report_status"] == "updated", [e.message for e in changed["errors"]]
    content = json.loads(_current_object(source).content)
    assert content[ROW_NUMBERS] is True
    assert content["hash"] == harvester._hash(owner_conn, ITEM, numbered=True)[0]
