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
filled afterwards by a background job (:func:`.full_text.fill_full_text` on CKAN's job queue, run by
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

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import ckan.plugins.toolkit as tk
from psycopg2 import sql

from .datastore_tables import fts_method, full_text_expr, index_name, write_engine
from .full_text import ensure_primary_key, fill_full_text

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


def inline_full_text_rows() -> int:
    return tk.asint(tk.config.get("ckanext.longan_opendata.harvest.full_text_inline_rows"))


def load(resource_id: str, columns: list[Column], feed: Callable[[Any], None],
         comments: dict[str, dict[str, Any]] | None = None, numbered: bool = False) -> int:
    """Replace the DataStore table ``resource_id`` by the rows ``feed`` copies in.

    ``feed(copy_from)`` is called with a function ``copy_from(fileobj)`` that runs
    ``COPY … FROM STDIN`` into the new version, reading the PostgreSQL text format from
    ``fileobj`` (anything with ``read(size)``). It may raise to abort the load. Returns the
    number of rows of the new version. Above ``full_text_inline_rows`` rows the full text and
    the primary key are left to the ``fill_full_text`` background job (queued here, after the
    commit; the key is made here when it cannot be queued).

    ``numbered``: each row of the stream starts with its ``_id`` (1, 2, … as the source's
    ``row_number()`` gives them) and the table's ``_id`` sequence continues after the last;
    otherwise the sequence numbers the rows, one ``nextval`` per row (a COPY 15 % slower).
    """
    stage = "_longan_stage_" + hashlib.sha1(resource_id.encode()).hexdigest()[:16]  # noqa: S324
    engine = write_engine()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        phases = _Phases()
        count = _copy_into_stage(cur, stage, columns, feed, numbered)
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
                     feed: Callable[[Any], None], numbered: bool) -> int:
    """Create the staging table (``_id``, ``_full_text`` and the typed columns) and let ``feed``
    COPY the rows into it (``numbered``: with their ``_id``); the number of rows copied."""
    stage_id = sql.Identifier(stage)
    names = [sql.Identifier(c.id) for c in columns]
    typed = sql.SQL(", ").join(
        sql.SQL("{} {}").format(n, sql.SQL(c.type)) for n, c in zip(names, columns, strict=True))
    col_list = sql.SQL(", ").join(([sql.Identifier("_id")] if numbered else []) + names)
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
    if numbered and count:  # the DataStore's later inserts number on from the last row
        cur.execute("SELECT setval(%s::regclass, %s)", (f'"{stage}__id_seq"', count))
    return count


def _index_full_text(cur: Any, stage: str, columns: list[Column]) -> None:
    """Fill ``_full_text`` of the staging table and build its index (a small table)."""
    stage_id = sql.Identifier(stage)
    cur.execute(sql.SQL("UPDATE {} SET _full_text = {}").format(
        stage_id, full_text_expr([c.id for c in columns if c.type in TEXTUAL])))
    cur.execute(sql.SQL("CREATE INDEX {} ON {} USING {} (_full_text)").format(
        sql.Identifier(stage + "_fts"), stage_id, fts_method()))


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


