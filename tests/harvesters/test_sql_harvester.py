"""The ``longan_sql`` harvester against the real demo shared database and DataStore."""
from __future__ import annotations

import json

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.harvest import model as harvest_model

from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import (
    activity_count,
    approve_auto_publish,
    create_source,
    datastore_rows,
    run_harvest,
    update_source_config,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TABLES = [
    {"schema": "thong_ke", "table": "dan_so_theo_xa", "title": "Dân số trung bình theo xã",
     "theme": ["dan-cu-xa-hoi"], "spatial_units": ["old-80"], "frequency": "annual"},
    {"schema": "thong_ke", "table": "Sản lượng nông nghiệp", "theme": ["nong-nghiep"]},
    {"schema": "thong_ke", "table": "luong_mua_thang"},
    {"schema": "thong_ke", "table": "v_dan_so_theo_huyen", "title": "Dân số theo huyện"},
    {"schema": "dich_vu_cong", "table": "thong_ke_truc_tuyen"},
    {"query_name": "ho_so_theo_trang_thai",
     "query": "SELECT trang_thai, count(*) AS so_ho_so FROM dich_vu_cong.ho_so GROUP BY 1",
     "title": "Hồ sơ theo trạng thái"},
]


def _config(reader_url: str, env: str, tables=None, **extra) -> dict:
    return {"url": reader_url, "password_env": env, "tables": tables or TABLES,
            "defaults": {"license_id": "vn-open-data-1.0", "frequency": "annual",
                         "source_system": "CSDL dùng chung tỉnh Long An"}, **extra}


def _datasets(results: dict) -> dict[str, dict]:
    return {guid.split(":", 1)[1]: r for guid, r in results.items()}


def test_first_harvest_creates_datasets_with_typed_datastore_tables(
        shared_database, reader_env, sysadmin, org):
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env))
    approve_auto_publish(sysadmin, source)
    results = _datasets(run_harvest(source, LonganSqlHarvester()))
    assert {k: r["state"] for k, r in results.items()} == {
        "thong_ke.dan_so_theo_xa": "COMPLETE", "thong_ke.Sản lượng nông nghiệp": "COMPLETE",
        "thong_ke.luong_mua_thang": "COMPLETE", "thong_ke.v_dan_so_theo_huyen": "COMPLETE",
        "dich_vu_cong.thong_ke_truc_tuyen": "COMPLETE", "query.ho_so_theo_trang_thai": "COMPLETE",
    }, {k: r["errors"] for k, r in results.items()}

    pop = results["thong_ke.dan_so_theo_xa"]["dataset"]
    assert pop["title"] == "Dân số trung bình theo xã"
    assert pop["name"] == "dan-so-trung-binh-theo-xa"
    assert pop["owner_org"] == org["id"]
    assert pop["private"] is False  # auto_publish defaults to true (approved above)
    assert pop["license_id"] == "vn-open-data-1.0"
    [resource] = pop["resources"]
    assert resource["format"] == "CSV" and resource["datastore_active"] is True
    assert resource["url"].endswith(f"/datastore/dump/{resource['id']}")

    table = datastore_rows(resource["id"], limit=5, sort="_id")
    types = {f["id"]: f["type"] for f in table["fields"]}
    assert types["ma_xa"] == "text" and types["nam"] == "int4"
    assert types["dien_tich_km2"] == "numeric" and types["dan_so"] == "int4"
    assert table["total"] == shared_database["counts"]["thong_ke.dan_so_theo_xa"]
    assert table["records"][0]["ten_huyen"] == "Thành phố Tân An"  # Vietnamese intact
    # NULLs stay NULL
    nulls = datastore_rows(resource["id"], filters={"dan_so": None}, limit=1)
    assert all(r["dan_so"] is None for r in nulls["records"])
    # full text search works on the COPY-loaded rows (the _full_text column is filled)
    found = datastore_rows(resource["id"], q="Khánh Hậu")
    assert found["total"] == 6 and {r["ten_xa"] for r in found["records"]} == {"Phường Khánh Hậu"}

    crops = results["thong_ke.Sản lượng nông nghiệp"]["dataset"]
    # no title in the config: the table's comment, and a Vietnamese slug of it
    assert crops["title"].startswith("Diện tích và sản lượng cây trồng chính")
    assert crops["name"] == "dien-tich-va-san-luong-cay-trong-chinh-lua-thanh-long-khom-mia-rau"
    rows = datastore_rows(crops["resources"][0]["id"], filters={"cay_trong": "Thanh long"})
    assert rows["total"] > 0
    assert {f["id"]: f["type"] for f in rows["fields"]}["san_luong_tan"] == "numeric"

    rain = results["thong_ke.luong_mua_thang"]["dataset"]  # no primary key at the source
    fields = {f["id"]: f["type"] for f in datastore_rows(rain["resources"][0]["id"])["fields"]}
    assert fields["thang"] == "date"
    online = results["dich_vu_cong.thong_ke_truc_tuyen"]["dataset"]
    online_rows = datastore_rows(online["resources"][0]["id"], limit=1, sort="_id")
    assert online_rows["records"][0]["cap_nhat_luc"].startswith("2023-01-28T17:")

    query = results["query.ho_so_theo_trang_thai"]["dataset"]
    counts = datastore_rows(query["resources"][0]["id"])
    assert sum(r["so_ho_so"] for r in counts["records"]) == shared_database["counts"][
        "dich_vu_cong.ho_so"]


def test_harvested_datasets_are_indexed_with_their_source_and_cleared_with_it(
        shared_database, reader_env, sysadmin, org):
    """The source's Clear removes its datasets from search too (found by ``harvest_source_id``,
    which ckanext-harvest indexes only for a dataset whose object is current)."""
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env, TABLES[:2]))
    approve_auto_publish(sysadmin, source)
    results = run_harvest(source, LonganSqlHarvester())
    names = {r["dataset"]["name"] for r in results.values()}
    assert len(names) == 2, {k: r["errors"] for k, r in results.items()}
    context = {"user": sysadmin["name"]}
    found = tk.get_action("package_search")(dict(context), {
        "fq": f'harvest_source_id:"{source["id"]}"', "include_private": True})
    assert {d["name"] for d in found["results"]} == names

    tk.get_action("harvest_source_clear")(dict(context), {"id": source["id"]})
    left = tk.get_action("package_search")(dict(context), {
        "q": " OR ".join(f'name:"{n}"' for n in names), "include_private": True})
    assert left["count"] == 0, [d["name"] for d in left["results"]]


def test_unchanged_source_writes_nothing(shared_database, reader_env, sysadmin, org):
    tables = TABLES[:2]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env, tables))
    first = _datasets(run_harvest(source, LonganSqlHarvester()))
    ids = {k: r["dataset"]["id"] for k, r in first.items()}
    before = {k: activity_count(i) for k, i in ids.items()}
    modified = {k: tk.get_action("package_show")({"ignore_auth": True}, {"id": i})[
        "metadata_modified"] for k, i in ids.items()}
    # the gather stage sees the same content hashes: no harvest object at all
    assert run_harvest(source, LonganSqlHarvester()) == {}
    # without the gather-time check, every table gets an object reported "not modified"
    update_source_config(sysadmin, source, _config(shared_database["reader_url"], reader_env,
                                                   tables, check_in_gather=False))
    third = _datasets(run_harvest(source, LonganSqlHarvester()))
    assert {k: r["report_status"] for k, r in third.items()} == {
        k: "not modified" for k in ids}
    assert {k: activity_count(i) for k, i in ids.items()} == before
    assert {k: tk.get_action("package_show")({"ignore_auth": True}, {"id": i})[
        "metadata_modified"] for k, i in ids.items()} == modified


def test_changed_metadata_or_rows_update_the_same_dataset(
        shared_database, reader_env, sysadmin, org, owner_conn, scratch_schema):
    with owner_conn.cursor() as cur:
        cur.execute("CREATE TABLE kiem_thu.gia_lua (thang date, gia_dong_kg numeric)")
        cur.execute("INSERT INTO kiem_thu.gia_lua VALUES ('2024-01-01', 7800), "
                    "('2024-02-01', 8100)")
    tables = [{"schema": "kiem_thu", "table": "gia_lua", "title": "Giá lúa"}]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env, tables))
    [first] = run_harvest(source, LonganSqlHarvester()).values()
    dataset = first["dataset"]
    with owner_conn.cursor() as cur:
        cur.execute("INSERT INTO kiem_thu.gia_lua VALUES ('2024-03-01', 8300)")
    [second] = run_harvest(source, LonganSqlHarvester()).values()
    assert second["report_status"] == "updated", second["errors"]
    assert second["dataset"]["id"] == dataset["id"]
    resource_id = dataset["resources"][0]["id"]
    assert second["dataset"]["resources"][0]["id"] == resource_id
    assert datastore_rows(resource_id)["total"] == 3

    tables[0]["title"] = "Giá lúa tẻ thường"
    update_source_config(sysadmin, source,
                         _config(shared_database["reader_url"], reader_env, tables))
    [third] = run_harvest(source, LonganSqlHarvester()).values()
    assert third["report_status"] == "updated"
    assert third["dataset"]["title"] == "Giá lúa tẻ thường"
    assert third["dataset"]["name"] == dataset["name"]

    with owner_conn.cursor() as cur:  # a column added at the source: a new table version
        cur.execute("ALTER TABLE kiem_thu.gia_lua ADD COLUMN ghi_chu text DEFAULT 'tạm tính'")
    [fourth] = run_harvest(source, LonganSqlHarvester()).values()
    assert fourth["report_status"] == "updated", fourth["errors"]
    assert "thêm cột ['ghi_chu']" in fourth["dataset"]["resources"][0]["description"]
    assert datastore_rows(resource_id)["records"][0]["ghi_chu"] == "tạm tính"


def test_table_gone_makes_the_dataset_private_with_a_note(
        shared_database, reader_env, sysadmin, org, owner_conn, scratch_schema):
    with owner_conn.cursor() as cur:
        cur.execute("CREATE TABLE kiem_thu.tam_thoi (ma text PRIMARY KEY, gia_tri integer)")
        cur.execute("INSERT INTO kiem_thu.tam_thoi VALUES ('a', 1), ('b', NULL)")
    tables = [{"schema": "kiem_thu", "table": "tam_thoi"}, TABLES[2]]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env, tables))
    first = _datasets(run_harvest(source, LonganSqlHarvester()))
    dataset = first["kiem_thu.tam_thoi"]["dataset"]
    with owner_conn.cursor() as cur:
        cur.execute("DROP TABLE kiem_thu.tam_thoi")
    second = _datasets(run_harvest(source, LonganSqlHarvester()))
    assert second["kiem_thu.tam_thoi"]["report_status"] == "deleted"
    shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})
    assert shown["state"] == "active" and shown["private"] is True
    assert "Đã rút khỏi nguồn" in shown["notes"] and "withdrawn at source" not in shown["notes"]
    assert datastore_rows(shown["resources"][0]["id"])["total"] == 2  # data kept
    # and it stays so: no new activity on the next run
    count = activity_count(dataset["id"])
    third = _datasets(run_harvest(source, LonganSqlHarvester()))
    assert "kiem_thu.tam_thoi" not in third
    assert activity_count(dataset["id"]) == count


def test_auto_publish_false_keeps_datasets_private(shared_database, reader_env, sysadmin, org):
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env, TABLES[2:3],
                                   auto_publish=False))
    [result] = run_harvest(source, LonganSqlHarvester()).values()
    assert result["dataset"]["private"] is True


def test_secret_is_never_stored_nor_returned(shared_database, reader_env, sysadmin, org):
    password = shared_database["reader_password"]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _config(shared_database["reader_url"], reader_env, TABLES[2:3]))
    run_harvest(source, LonganSqlHarvester())
    editor = factories.User()
    member = factories.User()
    tk.get_action("organization_member_create")(
        {"user": sysadmin["name"]}, {"id": org["id"], "username": editor["name"], "role": "editor"})
    for user in (None, editor["name"], member["name"], sysadmin["name"]):
        try:
            shown = tk.get_action("harvest_source_show")({"user": user}, {"id": source["id"]})
        except tk.NotAuthorized:  # the source itself hidden from this user: nothing shown
            assert user != sysadmin["name"]
            continue
        assert password not in json.dumps(shown)
    # the stored config names the variable, never its value
    stored = harvest_model.HarvestSource.get(source["id"]).config
    assert "LONGAN_HARVEST_SHARED_DB_PW" in stored and password not in stored
    listed = tk.get_action("harvest_source_list")({"user": sysadmin["name"]}, {})
    assert password not in json.dumps(listed)
    for obj in harvest_model.Session.query(harvest_model.HarvestObject).all():
        assert password not in (obj.content or "")
    # a URL with a password is refused
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_sql", "postgresql://x:secret@127.0.0.1/db",
                      _config("postgresql://x:secret@127.0.0.1/db", reader_env), name="nguon-2")
    assert "không được chứa mật khẩu" in json.dumps(raised.value.error_dict, ensure_ascii=False)
