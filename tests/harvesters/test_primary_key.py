"""The primary key on ``_id`` of a harvested table: built in the load for a small table; for a
large one left to the full-text job (which writes the table again), whichever way the job fills
the words, and built by the load itself when the job cannot be queued (Redis down)."""
from __future__ import annotations

import pytest
import redis
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.harvesters import datastore_tables, full_text, loader

from .conftest import datastore_rows
from .test_full_text import ROWS, _full_text_jobs, _harvest_table, commune_table  # noqa: F401

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "commune_table")
LARGE = pytest.mark.ckan_config("ckanext.longan_opendata.harvest.full_text_inline_rows", "100")


def _primary_key(resource_id: str) -> str | None:
    with datastore_tables.write_engine().connect() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        cur.execute("SELECT indexrelid::regclass::text FROM pg_index WHERE indisprimary "
                    "AND indrelid = to_regclass(%s)", (f'"{resource_id}"',))
        found = cur.fetchone()
    return found[0].strip('"') if found else None


def test_a_small_table_has_its_primary_key_when_harvested(shared_database, reader_env,
                                                          sysadmin, org):
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    assert _primary_key(resource_id) == resource_id + "_pkey"


@LARGE
def test_a_large_table_gets_its_primary_key_from_the_full_text_job(shared_database, reader_env,
                                                                   sysadmin, org):
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    assert _primary_key(resource_id) is None  # left to the job, which writes the table again
    assert len(_full_text_jobs(resource_id)) == 1
    assert datastore_rows(resource_id, limit=0)["total"] == ROWS
    assert full_text.fill_full_text(resource_id) == ROWS
    assert _primary_key(resource_id) == resource_id + "_pkey"
    assert datastore_rows(resource_id, q="Yên", limit=0)["total"] == ROWS // 3


@LARGE
def test_the_job_filling_in_place_builds_the_primary_key(shared_database, reader_env, sysadmin,
                                                         org):
    """A table given an index of its own is filled by UPDATEs (by ranges of ``_id``)."""
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    own_index = f"kiem_thu_loai_{resource_id[:8]}"
    raw = datastore_tables.write_engine().raw_connection()
    with raw.cursor() as cur:
        cur.execute(f'CREATE INDEX {own_index} ON "{resource_id}" (loai)')
    raw.commit()
    raw.close()
    assert _primary_key(resource_id) is None
    assert full_text.fill_full_text(resource_id) == ROWS
    assert _primary_key(resource_id) == resource_id + "_pkey"
    full_text.ensure_primary_key(resource_id)  # idempotent
    assert datastore_rows(resource_id, q="khai sinh", limit=0)["total"] == ROWS


@LARGE
def test_the_load_builds_the_primary_key_when_the_job_cannot_be_queued(
        shared_database, reader_env, sysadmin, org, monkeypatch):
    def redis_down(*_args, **_kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    # only the queueing fails (a Redis really down also stops the harvest's own queues)
    monkeypatch.setattr(loader.tk, "enqueue_job", redis_down)
    resource_id = _harvest_table(shared_database, reader_env, sysadmin, org)
    assert _primary_key(resource_id) == resource_id + "_pkey"
    assert datastore_rows(resource_id, limit=0)["total"] == ROWS
