"""Loading harvested rows into the DataStore with PostgreSQL ``COPY``, all or nothing.

One transaction on the DataStore write connection:

1. create the new version of the table under a staging name (``_id``, ``_full_text`` and the
   typed columns) and ``COPY … FREEZE`` the rows (PostgreSQL text format) straight into it;
2. for a table of at most ``ckanext.longan_opendata.harvest.full_text_inline_rows`` rows, add
   the primary key on ``_id`` (one sort, cheaper than an index kept up to date per row), fill
   ``_full_text`` (the words of the text columns, ``to_tsvector`` in the text search
   configuration ``q`` searches with, ``ckan.datastore.default_fts_lang``) and build its index
   (the DataStore's ``default_fts_index_method``);
4. swap: drop the previous version, rename the staging table, its sequence and indexes to the
   names the DataStore gives them, add the DataStore's ``zfulltext`` trigger (so later
   ``datastore_upsert`` calls keep ``_full_text`` filled) and the column comments;
5. cache the row count (the DataStore's ``_table_stats``: the rows copied, not counted again);
6. commit.

Anything failing before the commit rolls back: the previous complete version stays, readers of
the old table are only blocked for the few statements of the swap.

A larger table is readable (filters, sorting, SQL) as soon as it is committed; its full text is
filled afterwards by a background job (``fill_full_text`` on CKAN's job queue, run by
``ckan jobs worker``): the table is written once more with its words (``CREATE TABLE … AS``,
the words of each repeated value computed once and joined (:mod:`.words`), the rest by
PostgreSQL's parallel workers) and swapped in, then the index is built ``CONCURRENTLY``.
Until the swap, a ``q`` full-text search of the new version finds nothing.
The primary key of such a table is built by the job too, on the table it writes (building it in
the load as well cost 0.3 s per million rows, for a table the job replaces): every path of the
job makes it (:func:`ensure_primary_key`), and the load makes it itself when the job cannot be
queued.
Computing the words costs the database more CPU than copying the rows (bench/bench_harvest.py),
so doing it inside the harvest would hold a large table back for the sake of its search.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import ckan.plugins.toolkit as tk
from psycopg2 import sql

from . import words

log = logging.getLogger(__name__)

# DataStore column types the harvesters produce
DS_TYPES = ("int4", "int8", "numeric", "float8", "date", "timestamp", "bool", "text")
TEXTUAL = ("text",)


@dataclass(frozen=True)
class Column:
    id: str
    type: str  # one of DS_TYPES
    label: str = ""

    def as_field(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type}


class LoadError(Exception):
    """A load that failed; ``row`` is the 1-based row number of the bad row when known."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


def _write_engine():
    from ckanext.datastore.backend.postgres import get_write_engine

    return get_write_engine()


def index_name(resource_id: str, field_str: str) -> str:
    """The name the DataStore gives an index (``_generate_index_name`` of its backend)."""
    return hashlib.sha1((resource_id + field_str).encode("utf-8")).hexdigest()  # noqa: S324


def table_exists(resource_id: str) -> bool:
    with _write_engine().connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = %s",
                        (resource_id,))
            return cur.fetchone() is not None


def drop_table(resource_id: str) -> None:
    engine = _write_engine()
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                sql.Identifier(resource_id)))
            cur.execute("DELETE FROM _table_stats WHERE resource_id = %s", (resource_id,))
        raw.commit()
    finally:
        raw.close()


_LINE = re.compile(r"line (\d+)(?:, column ([^:]+))?")


def _copy_error(exc: Exception) -> LoadError:
    diag = getattr(exc, "diag", None)
    context = (getattr(diag, "context", None) or "") if diag else ""
    primary = (getattr(diag, "message_primary", None) or str(exc)).strip() if diag else str(exc)
    found = _LINE.search(context)
    if found:
        row, column = int(found.group(1)), found.group(2)
        return LoadError(primary, row=row, column=column)
    return LoadError(primary)


def fts_lang() -> str:
    """The text search configuration of the DataStore's ``q`` (``plainto_tsquery(lang, q)``):
    ``ckan.datastore.default_fts_lang``. The words of a harvested table are computed with the
    same one, so that a ``q`` finds them whatever the database's default configuration."""
    return tk.config.get("ckan.datastore.default_fts_lang") or "english"


def _full_text_expr(text_columns: list[str]) -> sql.Composable:
    """``_full_text`` of a row: the words of its text columns (NULL-safe), in the text search
    configuration of :func:`fts_lang`."""
    if not text_columns:
        return sql.SQL("NULL::tsvector")
    return sql.SQL("to_tsvector({}::regconfig, concat_ws(' ', {}))").format(
        sql.Literal(fts_lang()), sql.SQL(", ").join(sql.Identifier(c) for c in text_columns))


def _fts_method() -> sql.SQL:
    method = tk.config.get("ckan.datastore.default_fts_index_method") or "gist"
    return sql.SQL(method if method in ("gist", "gin") else "gist")


def inline_full_text_rows() -> int:
    return tk.asint(tk.config.get("ckanext.longan_opendata.harvest.full_text_inline_rows"))


def load(resource_id: str, columns: list[Column], feed: Callable[[Any], None],
         comments: dict[str, dict[str, Any]] | None = None) -> int:
    """Replace the DataStore table ``resource_id`` by the rows ``feed`` copies in.

    ``feed(copy_from)`` is called with a function ``copy_from(fileobj)`` that runs
    ``COPY … FROM STDIN`` into the new version, reading the PostgreSQL text format from
    ``fileobj`` (anything with ``read(size)``). It may raise to abort the load. Returns the
    number of rows of the new version. Above ``full_text_inline_rows`` rows the full text and
    the primary key are left to the ``fill_full_text`` background job (queued here, after the
    commit; the key is made here when it cannot be queued).
    """
    stage = "_longan_stage_" + hashlib.sha1(resource_id.encode()).hexdigest()[:16]  # noqa: S324
    engine = _write_engine()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        phases = _Phases()
        count = _copy_into_stage(cur, stage, columns, feed)
        phases.done("copy")
        inline = count <= inline_full_text_rows()
        if inline:
            cur.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (_id)").format(
                sql.Identifier(stage), sql.Identifier(stage + "_pkey")))
            phases.done("primary key")
            _index_full_text(cur, stage, columns)
            phases.done("full text")
        _swap_in(cur, stage, resource_id, inline)
        _comment_columns(cur, resource_id, columns, comments)
        _record_count(cur, resource_id, count, analyze=inline)
        phases.done("swap")
        raw.commit()
        phases.done("commit")
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    log.info("loaded %d rows into %s: %s", count, resource_id, phases)
    if not inline and not _queue_full_text(resource_id, count):
        ensure_primary_key(resource_id)
    return count


class _Phases:
    """Seconds of each phase of a load, for the log (where the time of a harvest goes)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {s:.2f} s" for name, s in self.seconds.items())


def _copy_into_stage(cur: Any, stage: str, columns: list[Column],
                     feed: Callable[[Any], None]) -> int:
    """Create the staging table (``_id``, ``_full_text`` and the typed columns) and let ``feed``
    COPY the rows into it; the number of rows copied."""
    stage_id = sql.Identifier(stage)
    names = [sql.Identifier(c.id) for c in columns]
    typed = sql.SQL(", ").join(
        sql.SQL("{} {}").format(n, sql.SQL(c.type)) for n, c in zip(names, columns, strict=True))
    col_list = sql.SQL(", ").join(names)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(stage_id))
    cur.execute(sql.SQL("CREATE TABLE {} (_id serial, _full_text tsvector, {})").format(
        stage_id, typed))
    count = 0

    def copy_from(fileobj: IO[Any]) -> None:
        nonlocal count
        # FREEZE: the rows are written frozen and all-visible (the table was created in this
        # transaction, so no one else sees them before the commit): neither the full-text job's
        # read nor a VACUUM writes every page again to set hint bits
        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FREEZE)").format(stage_id, col_list)
        try:
            cur.copy_expert(statement.as_string(cur), fileobj, size=1 << 20)
        except Exception as exc:  # psycopg2.DataError and friends
            if getattr(exc, "pgcode", None):
                raise _copy_error(exc) from exc
            raise
        count += max(cur.rowcount, 0)

    feed(copy_from)
    return count


def _index_full_text(cur: Any, stage: str, columns: list[Column]) -> None:
    """Fill ``_full_text`` of the staging table and build its index (a small table)."""
    stage_id = sql.Identifier(stage)
    cur.execute(sql.SQL("UPDATE {} SET _full_text = {}").format(
        stage_id, _full_text_expr([c.id for c in columns if c.type in TEXTUAL])))
    cur.execute(sql.SQL("CREATE INDEX {} ON {} USING {} (_full_text)").format(
        sql.Identifier(stage + "_fts"), stage_id, _fts_method()))


def _swap_in(cur: Any, stage: str, resource_id: str, inline: bool) -> None:
    """Drop the previous version; give the staging table, its sequence and indexes the names
    the DataStore gives them; add the DataStore's ``zfulltext`` trigger."""
    rid = sql.Identifier(resource_id)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(rid))
    cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(stage), rid))
    cur.execute(sql.SQL("ALTER SEQUENCE {} RENAME TO {}").format(
        sql.Identifier(stage + "__id_seq"), sql.Identifier(resource_id + "__id_seq")))
    if inline:  # the key and the words of a larger table are made by the full-text job
        cur.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
            sql.Identifier(stage + "_pkey"), sql.Identifier(resource_id + "_pkey")))
        cur.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
            sql.Identifier(stage + "_fts"),
            sql.Identifier(index_name(resource_id, '"_full_text"'))))
    cur.execute(sql.SQL(
        "CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {} "
        "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()").format(rid))


def _comment_columns(cur: Any, resource_id: str, columns: list[Column],
                     comments: dict[str, dict[str, Any]] | None) -> None:
    """The DataStore's data dictionary (``_info`` of each column) as column comments."""
    for column in columns:
        info = (comments or {}).get(column.id)
        if info:
            cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                sql.Identifier(resource_id), sql.Identifier(column.id),
                sql.Literal(" " + json.dumps({"_info": info}, ensure_ascii=False,
                                             separators=(",", ":")))))


def _record_count(cur: Any, resource_id: str, count: int, analyze: bool) -> None:
    """The DataStore's cached row count (``_table_stats``, what ``update_table_stats`` would
    count again) set to the rows just copied; the planner's statistics of a small table (a
    large one is analysed by the full-text job)."""
    cur.execute(
        "INSERT INTO _table_stats (resource_id, stats) VALUES (%s, jsonb_build_object('rows', "
        "%s::bigint)) ON CONFLICT (resource_id) DO UPDATE SET stats = EXCLUDED.stats",
        (resource_id, count))
    if analyze:
        cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(resource_id)))


def _queue_full_text(resource_id: str, rows: int) -> bool:
    """Queue :func:`fill_full_text` of ``resource_id``; False when it cannot be queued."""
    try:
        tk.enqueue_job(fill_full_text, [resource_id],
                       title=f"longan: full text of {resource_id} ({rows} rows)",
                       rq_kwargs={"timeout": 6 * 3600})
    except Exception:  # Redis down: the rows are loaded; the next change of the table retries
        log.exception("could not queue the full-text job of %s", resource_id)
        return False
    return True


def ensure_primary_key(resource_id: str) -> None:
    """Add the primary key on ``_id`` of the DataStore table ``resource_id`` (with the name
    the DataStore gives it) if it has none: a large load leaves it to the full-text job."""
    rid = sql.Identifier(resource_id)
    raw = _write_engine().raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT to_regclass(%s)", (rid.as_string(cur),))
        if cur.fetchone()[0] is None:
            return
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(rid))
        cur.execute("SELECT 1 FROM pg_index WHERE indrelid = %s::regclass AND indisprimary",
                    (rid.as_string(cur),))
        if cur.fetchone() is None:
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
    raw = _write_engine().raw_connection()
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
    raw = _write_engine().raw_connection()
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
        row_words, joins = _full_text_expr(text_columns), sql.SQL("")
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
            sql.Identifier(index_name(resource_id, '"_full_text"')), rid, _fts_method()))
        cur.execute(sql.SQL("VACUUM (ANALYZE) {}").format(rid))
    finally:
        _release(raw)


# --------------------------------------------------------------- rows of Python values → COPY text
def _copy_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_INT = re.compile(r"^[+-]?\d+$")


def convert(value: Any, kind: str) -> str:
    """One value as PostgreSQL COPY text for a column of type ``kind``; ValueError if it is not."""
    if value is None or value == "":
        return "\\N"
    if kind == "text":
        if isinstance(value, dict | list):
            return _copy_escape(json.dumps(value, ensure_ascii=False, sort_keys=True))
        return _copy_escape(str(value))
    if kind in ("int4", "int8"):
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, str) and _INT.match(value.strip()):
            number = int(value.strip())
            if kind == "int4" and not -2**31 <= number < 2**31:
                raise ValueError
            return str(number)
        raise ValueError
    if kind in ("numeric", "float8"):
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float | decimal.Decimal):
            return str(value)
        return str(decimal.Decimal(str(value).strip()))  # raises InvalidOperation (a ValueError)
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str) and _DATE.match(value):
            return dt.date.fromisoformat(value).isoformat()
        raise ValueError
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        if isinstance(value, str) and _DATETIME.match(value):
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat(sep=" ")
        if isinstance(value, str) and _DATE.match(value):
            return value
        raise ValueError
    if kind == "bool":
        if isinstance(value, bool):
            return "t" if value else "f"
        if str(value).lower() in ("true", "t", "1", "yes", "có"):
            return "t"
        if str(value).lower() in ("false", "f", "0", "no", "không"):
            return "f"
        raise ValueError
    return _copy_escape(str(value))


@dataclass
class RowProblem:
    row: int
    column: str
    value: Any
    kind: str


class CopyTextStream:
    """A file-like ``read(size)`` over rows of Python values, as PostgreSQL COPY text.

    It hashes what it produces (``sha256``) and collects the rows whose values do not fit their
    column types (``problems``; those rows are left out of the stream).
    """

    def __init__(self, columns: list[Column], rows: Iterable[Any], start_row: int = 1):
        self.columns = columns
        self._rows: Iterator[Any] = iter(rows)
        self._buffer = bytearray()
        self.sha256 = hashlib.sha256()
        self.problems: list[RowProblem] = []
        self.count = 0
        self._row_number = start_row - 1

    def _line(self, row: Any) -> bytes | None:
        self._row_number += 1
        cells = []
        for i, column in enumerate(self.columns):
            value = row.get(column.id) if isinstance(row, dict) else row[i]
            try:
                cells.append(convert(value, column.type))
            except (ValueError, ArithmeticError):
                self.problems.append(RowProblem(self._row_number, column.id, value, column.type))
                return None
        return ("\t".join(cells) + "\n").encode("utf-8")

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                row = next(self._rows)
            except StopIteration:
                break
            line = self._line(row)
            if line is not None:
                self._buffer += line
                self.sha256.update(line)
                self.count += 1
        if size < 0:
            size = len(self._buffer)
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def drain(self) -> None:
        """Consume everything (hash and problems only)."""
        while self.read(1 << 20):
            pass


class HashingReader:
    """Wraps a binary file: ``read`` passes the bytes through and hashes them."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.bytes += len(data)
        return data
