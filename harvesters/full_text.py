"""The full text of a large harvested table, filled after its load by a background job.

:func:`fill_full_text` (queued by :func:`.loader.load` for a table above
``ckanext.longan_opendata.harvest.full_text_inline_rows`` rows) writes the table once more with
its words and swaps it in (:func:`fill_words`; the words of a repeated value computed once,
:mod:`.words`), makes its primary key (:func:`ensure_primary_key`), then builds its index
``CONCURRENTLY`` (:func:`index_full_text`).
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from psycopg2 import sql

from . import words
from .datastore_tables import (
    fts_lang,
    fts_method,
    full_text_expr,
    index_name,
    table_exists,
    write_engine,
)

log = logging.getLogger(__name__)


def ensure_primary_key(resource_id: str) -> None:
    """Add the primary key on ``_id`` of the DataStore table ``resource_id`` (with the name
    the DataStore gives it) if it has none: a large load leaves it to the full-text job."""
    rid = sql.Identifier(resource_id)
    raw = write_engine().raw_connection()
    try:
        cur = raw.cursor()

        def needs_key() -> bool:
            cur.execute("SELECT to_regclass(%(t)s) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                        "pg_index WHERE indrelid = to_regclass(%(t)s) AND indisprimary)",
                        {"t": rid.as_string(cur)})
            return cur.fetchone()[0]

        if not needs_key():  # the usual case once the job wrote the table: no lock taken
            return
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(rid))
        if needs_key():  # again under the lock: another job may have built it meanwhile
            cur.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (_id)").format(
                rid, sql.Identifier(resource_id + "_pkey")))
        raw.commit()
    finally:
        raw.rollback()
        raw.close()


def full_text_workers() -> int:
    return max(1, tk.asint(tk.config.get("ckanext.longan_opendata.harvest.full_text_workers")))


def fill_full_text(resource_id: str, workers: int | None = None) -> int:
    """Fill the empty ``_full_text`` of the DataStore table ``resource_id`` and build its index.

    The background job of a large load: :func:`fill_words` (the table is searchable by ``q``
    when it returns), then :func:`index_full_text`. Idempotent: a second run (or a run on a
    table replaced meanwhile) only fills what is still empty. Returns the number of rows filled.
    """
    try:
        filled = fill_words(resource_id, workers)
    finally:  # a large load leaves the primary key to this job, whatever happens to it
        ensure_primary_key(resource_id)
    index_full_text(resource_id)
    log.info("full text of %s: %d rows filled", resource_id, filled)
    return filled


def _autocommit_cursor() -> tuple[Any, Any]:
    """(pool connection, cursor) in autocommit mode (each statement its own transaction)."""
    raw = write_engine().raw_connection()
    raw.driver_connection.autocommit = True
    cur = raw.driver_connection.cursor()
    cur.execute("SET statement_timeout = 0")
    return raw, cur


def _release(raw: Any) -> None:
    raw.driver_connection.autocommit = False  # as the pool hands it out
    raw.close()


def fill_words(resource_id: str, workers: int | None = None, *, by_value: bool = True) -> int:
    """Fill the empty ``_full_text`` of ``resource_id`` (the words of its text columns); the
    table is searchable by ``q`` when this returns. Returns the number of rows filled.

    The table is written once more, whole, with its words (``CREATE TABLE … AS SELECT``, whose
    words PostgreSQL computes with ``workers`` parallel workers besides its own process,
    ``ckanext.longan_opendata.harvest.full_text_workers``), and swapped in, in one transaction:
    readers go on meanwhile, writers (``datastore_upsert``, a new harvest of the table) wait for
    it. Several times cheaper than an ``UPDATE`` of every row (a new version of each row, and of
    its primary key entry). A table with other indexes or views (made through the DataStore API)
    is filled by :func:`_fill_by_update` instead.

    The words of a value that repeats are computed once (:mod:`.words`: the same ``tsvector``
    as ``to_tsvector`` of the whole row); ``by_value=False`` parses every row whole, as before
    issue 13 (the baseline of bench/bench_full_text.py).
    """
    if not table_exists(resource_id):
        return 0
    raw = write_engine().raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(resource_id)))
        how = _how_to_fill(cur, resource_id)
        if how != "rebuild":
            raw.rollback()
            ensure_primary_key(resource_id)  # _fill_by_update reads by ranges of _id
            return _fill_by_update(resource_id) if how == "update" else 0
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")  # the primary key, as load
        cur.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)",
                    (str(full_text_workers() if workers is None else workers),))
        filled = _rebuild_with_words(cur, resource_id, by_value)
        raw.commit()
        return filled
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


def _how_to_fill(cur: Any, resource_id: str) -> str:
    """``nothing`` (no empty words), ``rebuild`` (no index but the primary key, no view) or
    ``update``."""
    rid = sql.Identifier(resource_id)
    cur.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE _full_text IS NULL)").format(rid))
    if not cur.fetchone()[0]:
        return "nothing"
    cur.execute("SELECT (SELECT count(*) FROM pg_index WHERE indrelid = %(t)s::regclass "
                "AND NOT indisprimary), (SELECT count(*) FROM pg_depend d JOIN pg_rewrite r "
                "ON r.oid = d.objid WHERE d.refobjid = %(t)s::regclass)",
                {"t": rid.as_string(cur)})
    return "rebuild" if cur.fetchone() == (0, 0) else "update"


def _rebuild_with_words(cur: Any, resource_id: str, by_value: bool = True) -> int:
    """The table written again with its words and swapped in (inside the caller's
    transaction, which holds a SHARE lock on it); the number of rows."""
    rid = sql.Identifier(resource_id)
    stage = "_longan_fts_" + hashlib.sha1(resource_id.encode()).hexdigest()[:16]  # noqa: S324
    cur.execute("SELECT a.attname, a.atttypid = 'text'::regtype, col_description(a.attrelid, "
                "a.attnum), pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
                "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
                "ORDER BY a.attnum", (rid.as_string(cur),))
    columns = cur.fetchall()
    text_columns = [n for n, is_text, _c, _d in columns if is_text and not n.startswith("_")]
    if by_value:
        found = words.lookups(cur, resource_id, text_columns)
        row_words, joins = words.words_by_value(cur, text_columns, fts_lang(), found)
        # a lookup of several columns is hashed (the planner would rather sort the table), and
        # the cheap words are not worth compiling (JIT) in each process
        cur.execute("SET LOCAL enable_mergejoin = off; SET LOCAL jit = off")
    else:  # every row parsed whole (before issue 13; kept for bench/bench_full_text.py)
        row_words, joins = full_text_expr(text_columns), sql.SQL("")
    select = sql.SQL(", ").join(
        sql.SQL("coalesce(t._full_text, {}) AS _full_text").format(row_words)
        if name == "_full_text" else sql.SQL("t.{}").format(sql.Identifier(name))
        for name, *_rest in columns)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(stage)))
    cur.execute(sql.SQL("CREATE TABLE {} AS SELECT {} FROM {} AS t {}").format(
        sql.Identifier(stage), select, rid, joins))
    count = cur.rowcount
    id_default = next(d for name, _t, _c, d in columns if name == "_id")
    cur.execute(sql.SQL("ALTER TABLE {0} ALTER COLUMN _id SET NOT NULL, ALTER COLUMN _id SET "
                        "DEFAULT {1}, ADD CONSTRAINT {2} PRIMARY KEY (_id)").format(
        sql.Identifier(stage), sql.SQL(id_default), sql.Identifier(stage + "_pkey")))
    for name, _t, comment, _d in columns:
        if comment:
            cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                sql.Identifier(stage), sql.Identifier(name), sql.Literal(comment)))
    cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(rid))
    cur.execute(sql.SQL("ALTER SEQUENCE {} OWNED BY {}._id").format(
        sql.Identifier(resource_id + "__id_seq"), sql.Identifier(stage)))
    cur.execute(sql.SQL("DROP TABLE {}").format(rid))
    cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(stage), rid))
    cur.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
        sql.Identifier(stage + "_pkey"), sql.Identifier(resource_id + "_pkey")))
    cur.execute(sql.SQL(
        "CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {} "
        "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()").format(rid))
    return count


def _fill_by_update(resource_id: str, batch_rows: int = 50_000) -> int:
    """Fill the empty words by batches of ``_id``s, each its own short transaction; the words
    of repeated values computed once (:mod:`.words`), as by :func:`_rebuild_with_words`."""
    rid = sql.Identifier(resource_id)
    raw, cur = _autocommit_cursor()
    filled = 0
    try:
        cur.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped AND atttypid = 'text'::regtype AND left(attname, 1) <> '_' "
            "ORDER BY attnum", (rid.as_string(cur),))
        text_columns = [r[0] for r in cur.fetchall()]
        row_words, joins = words.words_by_value(
            cur, text_columns, fts_lang(), words.lookups(cur, resource_id, text_columns))
        # hash joins (the lookups, the batch to its rows): without statistics yet the planner
        # would loop over the lookup for each row; reset below (the pool's connection)
        cur.execute("SET enable_mergejoin = off; SET enable_nestloop = off")
        cur.execute(sql.SQL("SELECT coalesce(max(_id), 0) FROM {}").format(rid))
        for low in range(0, cur.fetchone()[0], batch_rows):
            # no parameters: a '%' in a value of a lookup is not a placeholder
            cur.execute(sql.SQL(
                "UPDATE {rid} AS u SET _full_text = s.words FROM (SELECT t._id, {words} AS words "
                "FROM {rid} AS t {joins} WHERE t._id > {low} AND t._id <= {high} "
                "AND t._full_text IS NULL) AS s WHERE u._id = s._id AND u._id > {low} "
                "AND u._id <= {high} AND u._full_text IS NULL").format(
                rid=rid, words=row_words, joins=joins, low=sql.Literal(low),
                high=sql.Literal(low + batch_rows)))
            filled += cur.rowcount
        cur.execute("RESET enable_mergejoin; RESET enable_nestloop")
    finally:
        _release(raw)
    return filled


def index_full_text(resource_id: str) -> None:
    """Build the full-text index of ``resource_id`` ``CONCURRENTLY`` (the DataStore's
    ``default_fts_index_method``) and refresh the planner's statistics."""
    if not table_exists(resource_id):
        return
    rid = sql.Identifier(resource_id)
    raw, cur = _autocommit_cursor()
    try:
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute(sql.SQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS {} ON {} USING {} (_full_text)").format(
            sql.Identifier(index_name(resource_id, '"_full_text"')), rid, fts_method()))
        cur.execute(sql.SQL("VACUUM (ANALYZE) {}").format(rid))
    finally:
        _release(raw)
