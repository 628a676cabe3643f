"""The DataStore full text of a harvested table: in the harvest for a small table, by a
background job (a real ``ckan jobs worker`` on the test Redis) for a large one."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ckan.lib import jobs
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import changed_config

from ckanext.longan_opendata.harvesters import datastore_tables, full_text
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import create_source, datastore_rows, run_harvest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

ROWS = 300


@pytest.fixture()
def commune_table(owner_conn, scratch_schema) -> str:
    with owner_conn.cursor() as cur:
        cur.execute("CREATE TABLE kiem_thu.ho_tich (so_thu_tu int, ten_xa text, loai text)")
        cur.execute("INSERT INTO kiem_thu.ho_tich SELECT g, CASE WHEN g % 3 = 0 "
                    "THEN 'Xã Mỹ Yên' ELSE 'Phường Tân An' END, 'khai sinh' "
                    f"FROM generate_series(1, {ROWS}) g")
    return "kiem_thu.ho_tich"


def _harvest_table(shared_database, reader_env, sysadmin, org) -> str:
    config = {"url": shared_database["reader_url"], "password_env": reader_env,
              "tables": [{"schema": "kiem_thu", "table": "ho_tich", "title": "Hộ tịch"}]}
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"], config)
    [result] = run_harvest(source, LonganSqlHarvester()).values()
    assert result["state"] == "COMPLETE", [e.message for e in result["errors"]]
    return result["dataset"]["resources"][0]["id"]


def _full_text_jobs(resource_id: str) -> list:
    return [job for job in jobs.get_queue().jobs
            if job.func_name.endswith("full_text.fill_full_text")
            and list(job.args) == [resource_id]]


def _only_its_job_queued(resource_id: str) -> None:
    """The worker runs the table's full-text job only: the DataStore's record-count jobs that
    earlier tests scheduled (``enqueue_in``, one per table) are dropped, queued or scheduled."""
    queue = jobs.get_queue()
    ours = {job.id for job in _full_text_jobs(resource_id)}
    for job in queue.jobs:
        if job.id not in ours:
            job.delete()
    scheduled = queue.scheduled_job_registry
    for job_id in scheduled.get_job_ids():
        scheduled.remove(job_id, delete_job=True)


def _index_exists(resource_id: str) -> bool:
    name = datastore_tables.index_name(resource_id, '"_full_text"')
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (name,))
        return cur.fetchone() is not None


def test_a_small_table_is_searchable_as_soon_as_it_is_harvested(
        shared_database, reader_env, sysadmin, org, commune_table):
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    assert datastore_rows(resource_id, q="Yên", limit=0)["total"] == ROWS // 3
    assert _index_exists(resource_id)
    assert _full_text_jobs(resource_id) == []


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.full_text_inline_rows", "100")
def test_a_large_table_is_readable_at_once_and_searchable_after_the_jobs_worker(
        shared_database, reader_env, sysadmin, org, commune_table, request):
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    # loaded and readable: counts, filters and sorting work; the words are not indexed yet
    assert datastore_rows(resource_id, limit=0)["total"] == ROWS
    filtered = datastore_rows(resource_id, filters={"ten_xa": "Xã Mỹ Yên"}, sort="so_thu_tu desc")
    assert filtered["total"] == ROWS // 3 and filtered["records"][0]["so_thu_tu"] == ROWS
    assert datastore_rows(resource_id, q="Yên", limit=0)["total"] == 0
    assert not _index_exists(resource_id)
    assert len(_full_text_jobs(resource_id)) == 1
    _only_its_job_queued(resource_id)

    ckan = Path(sys.executable).with_name("ckan")
    worker = subprocess.run(  # noqa: S603 - the real worker, as production runs it
        [str(ckan), "-c", request.config.getoption("--ckan-ini"), "jobs", "worker", "--burst"],
        capture_output=True, text=True, timeout=300, check=False)
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert _full_text_jobs(resource_id) == []

    assert datastore_rows(resource_id, q="Yên", limit=0)["total"] == ROWS // 3
    assert datastore_rows(resource_id, q="khai sinh", limit=0)["total"] == ROWS
    assert _index_exists(resource_id)
    assert full_text.fill_full_text(resource_id) == 0  # idempotent: nothing left to fill
    # a row added later through the DataStore API gets its words from the DataStore's trigger
    tk.get_action("datastore_upsert")({"ignore_auth": True}, {
        "resource_id": resource_id, "method": "insert", "force": True,
        "records": [{"so_thu_tu": ROWS + 1, "ten_xa": "Xã Bình Đức", "loai": "kết hôn"}]})
    assert datastore_rows(resource_id, q="Bình Đức", limit=0)["total"] == 1


def test_the_job_of_a_table_dropped_meanwhile_does_nothing():
    assert full_text.fill_full_text("00000000-0000-0000-0000-000000000000") == 0


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.full_text_inline_rows", "100")
def test_a_table_with_an_index_of_its_own_is_filled_in_place(
        shared_database, reader_env, sysadmin, org, commune_table):
    """A table given another index through the DataStore API is not rewritten: its words are
    filled by an UPDATE, and the index stays."""
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    own_index = f"kiem_thu_ten_xa_{resource_id[:8]}"  # unique: the DataStore outlives a run
    raw = datastore_tables.write_engine().raw_connection()
    with raw.cursor() as cur:
        cur.execute(f'CREATE INDEX {own_index} ON "{resource_id}" (ten_xa)')
    raw.commit()
    raw.close()
    assert full_text.fill_words(resource_id) == ROWS
    assert datastore_rows(resource_id, q="Yên", limit=0)["total"] == ROWS // 3
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (own_index,))
        assert cur.fetchone() is not None
    assert full_text.fill_words(resource_id) == 0


@pytest.fixture()
def words_table(owner_conn, scratch_schema) -> str:
    """Vietnamese words that the English configuration mangles: ``ngày`` stemmed to ``ngài``
    (another word), ``do`` and ``an`` dropped as English stop words."""
    with owner_conn.cursor() as cur:
        cur.execute("CREATE TABLE kiem_thu.ho_tich (so_thu_tu int, ten_xa text, loai text)")
        cur.execute("INSERT INTO kiem_thu.ho_tich SELECT g, CASE WHEN g % 2 = 0 "
                    "THEN 'Xã An Lục Long' ELSE 'Phường Tân An' END, CASE WHEN g % 3 = 0 "
                    "THEN 'đăng ký ngày nghỉ do ốm' ELSE 'khai sinh' END "
                    f"FROM generate_series(1, {ROWS}) g")
    return "kiem_thu.ho_tich"


@pytest.mark.parametrize("inline_rows", ["100000", "100"])
def test_the_words_are_those_of_the_configuration_q_searches_with(
        shared_database, reader_env, sysadmin, org, words_table, inline_rows):
    """In the harvest (a small table) or by the job (a large one), the words are computed with
    ``ckan.datastore.default_fts_lang``, the configuration of ``q``, whatever the database's
    default: Vietnamese words are found as written."""
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    with changed_config("ckanext.longan_opendata.harvest.full_text_inline_rows", inline_rows):
        resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    full_text.fill_words(resource_id)
    assert datastore_tables.fts_lang() == tk.config.get("ckan.datastore.default_fts_lang")
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute(f'SELECT _full_text::text FROM "{resource_id}" WHERE so_thu_tu = 6')
        words = cur.fetchone()[0]
    assert "'ngày'" in words and "'do'" in words and "'an'" in words, words
    assert datastore_rows(resource_id, q="ngày", limit=0)["total"] == ROWS // 3
    assert datastore_rows(resource_id, q="nghỉ do ốm", limit=0)["total"] == ROWS // 3
    assert datastore_rows(resource_id, q="An", limit=0)["total"] == ROWS


@pytest.fixture()
def repeating_table(owner_conn, scratch_schema) -> str:
    """A harvested table as they come: a unique code, then agencies, procedures and notes that
    repeat (with NULLs, an empty string, hyphens, an e-mail, a decimal), and in a few rows an
    XML tag cut between two columns (``<b`` | ``class="x y">``), which the parser reads as one
    token (no words) in the whole row but as words in each column alone."""
    with owner_conn.cursor() as cur:
        cur.execute("CREATE TABLE kiem_thu.ho_tich (ma_ho_so text, so_thu_tu int, co_quan text, "
                    "thu_tuc text, ghi_chu text)")
        cur.execute(
            "INSERT INTO kiem_thu.ho_tich SELECT 'HS-' || lpad(g::text, 6, '0'), g, "
            "CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN 'UBND xã Mỹ Yên' WHEN 2 THEN 'Sở Tư pháp' "
            "ELSE 'Phòng Tài nguyên – Môi trường' END, "
            "CASE WHEN g % 50 = 0 THEN 'Nộp <b' WHEN g % 3 = 0 THEN 'Cấp bản sao (1.5 ngày)' "
            "WHEN g % 3 = 1 THEN 'Đăng ký khai sinh' ELSE 'Liên hệ: hotro@longan.gov.vn' END, "
            "CASE WHEN g % 50 = 0 THEN 'class=\"x y\"> kèm' WHEN g % 2 = 0 THEN 'Long-An' "
            f"ELSE '' END FROM generate_series(1, {ROWS}) g")
    return "kiem_thu.ho_tich"


QUERIES = ("Yên", "sở tư pháp", "hotro@longan.gov.vn", "Long-An", "an", "1.5 ngày", "HS-000150",
           "000150", "class", "kèm", "nộp", "khai sinh Mỹ Yên", "môi trường")


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.full_text_inline_rows", "100")
def test_the_words_computed_by_value_are_those_of_the_whole_row(
        shared_database, reader_env, sysadmin, org, repeating_table):
    """The job computes the words of each repeated value once (harvesters/words.py): every row
    gets the same tsvector as ``to_tsvector`` of its whole text, so ``q`` finds the same rows
    (and ranks them the same)."""
    from ckanext.longan_opendata.harvesters import words

    tk.get_action("job_clear")({"ignore_auth": True}, {})
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    text_columns = ["ma_ho_so", "co_quan", "thu_tuc", "ghi_chu"]
    whole = (f"to_tsvector('{datastore_tables.fts_lang()}', concat_ws(' ', "
             f"{', '.join(text_columns)}))")
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        found = words.lookups(cur, resource_id, text_columns)
    # the agencies, procedures and notes go together: one lookup of their tuples
    assert [lk.columns for lk in found] == [("co_quan", "thu_tuc", "ghi_chu")]
    assert full_text.fill_full_text(resource_id) == ROWS
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute(f'SELECT count(*) FROM "{resource_id}" WHERE _full_text IS DISTINCT FROM '
                    f"{whole}")
        assert cur.fetchone()[0] == 0
        for q in QUERIES:
            cur.execute(f'SELECT so_thu_tu FROM "{resource_id}" WHERE {whole} @@ '
                        "plainto_tsquery(%s, %s) ORDER BY so_thu_tu",
                        (datastore_tables.fts_lang(), q))
            expected = [r[0] for r in cur.fetchall()]
            found_by_q = datastore_rows(resource_id, q=q, sort="so_thu_tu", limit=ROWS,
                                        fields="so_thu_tu")
            assert [r["so_thu_tu"] for r in found_by_q["records"]] == expected, q
    # the cut tag: the words of the whole row, not those of each column
    assert datastore_rows(resource_id, q="class", limit=0)["total"] == 0
    assert datastore_rows(resource_id, q="kèm", limit=0)["total"] == ROWS // 50
    assert datastore_rows(resource_id, q="HS-000150", limit=0)["total"] == 1
