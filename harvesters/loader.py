"""Loading harvested rows into the DataStore with PostgreSQL ``COPY``, all or nothing.

One transaction on the DataStore write connection:

1. ``COPY`` the rows (PostgreSQL text format) into a temporary table with the typed columns;
2. build the new version of the table under a staging name: ``_id``, ``_full_text`` (the words of
   the text columns, as ``to_tsvector`` of the DataStore's full-text trigger) and the columns;
3. build the ``_full_text`` index the DataStore builds (its ``default_fts_index_method``);
4. swap: drop the previous version, rename the staging table, its sequence and indexes to the
   names the DataStore gives them, add the DataStore's ``zfulltext`` trigger (so later
   ``datastore_upsert`` calls keep ``_full_text`` filled) and the column comments;
5. commit.

Anything failing before the commit rolls back: the previous complete version stays, readers of
the old table are only blocked for the few statements of the swap.
"""
from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import ckan.plugins.toolkit as tk
from psycopg2 import sql

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


def load(resource_id: str, columns: list[Column], feed: Callable[[Any], None],
         comments: dict[str, dict[str, Any]] | None = None) -> int:
    """Replace the DataStore table ``resource_id`` by the rows ``feed`` copies in.

    ``feed(copy_from)`` is called with a function ``copy_from(fileobj)`` that runs
    ``COPY … FROM STDIN`` on the temporary table, reading the PostgreSQL text format from
    ``fileobj`` (anything with ``read(size)``). It may raise to abort the load. Returns the
    number of rows of the new version.
    """
    fts_method = tk.config.get("ckan.datastore.default_fts_index_method") or "gist"
    if fts_method not in ("gist", "gin"):
        fts_method = "gist"
    stage = "_longan_stage_" + hashlib.sha1(resource_id.encode()).hexdigest()[:16]  # noqa: S324
    rid = sql.Identifier(resource_id)
    names = [sql.Identifier(c.id) for c in columns]
    typed = sql.SQL(", ").join(
        sql.SQL("{} {}").format(n, sql.SQL(c.type)) for n, c in zip(names, columns, strict=True))
    col_list = sql.SQL(", ").join(names)
    texts = [sql.Identifier(c.id) for c in columns if c.type in TEXTUAL]
    full_text = (sql.SQL("to_tsvector(concat_ws(' ', {}))").format(sql.SQL(", ").join(texts))
                 if texts else sql.SQL("NULL::tsvector"))

    engine = _write_engine()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET LOCAL statement_timeout = 0")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute(sql.SQL("CREATE TEMP TABLE _longan_rows ({}) ON COMMIT DROP").format(typed))

        def copy_from(fileobj: IO[Any]) -> None:
            statement = sql.SQL("COPY _longan_rows ({}) FROM STDIN").format(col_list)
            try:
                cur.copy_expert(statement.as_string(cur), fileobj, size=1 << 20)
            except Exception as exc:  # psycopg2.DataError and friends
                if getattr(exc, "pgcode", None):
                    raise _copy_error(exc) from exc
                raise

        feed(copy_from)
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(stage)))
        cur.execute(sql.SQL(
            "CREATE TABLE {} (_id serial PRIMARY KEY, _full_text tsvector, {})"
        ).format(sql.Identifier(stage), typed))
        cur.execute(sql.SQL(
            "INSERT INTO {} ({}, _full_text) SELECT {}, {} FROM _longan_rows"
        ).format(sql.Identifier(stage), col_list, col_list, full_text))
        count = cur.rowcount
        fts_tmp = sql.Identifier(stage + "_fts")
        cur.execute(sql.SQL("CREATE INDEX {} ON {} USING {} (_full_text)").format(
            fts_tmp, sql.Identifier(stage), sql.SQL(fts_method)))
        # swap
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(rid))
        cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(stage), rid))
        cur.execute(sql.SQL("ALTER SEQUENCE {} RENAME TO {}").format(
            sql.Identifier(stage + "__id_seq"), sql.Identifier(resource_id + "__id_seq")))
        cur.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
            sql.Identifier(stage + "_pkey"), sql.Identifier(resource_id + "_pkey")))
        cur.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(
            fts_tmp, sql.Identifier(index_name(resource_id, '"_full_text"'))))
        cur.execute(sql.SQL(
            "CREATE TRIGGER zfulltext BEFORE INSERT OR UPDATE ON {} "
            "FOR EACH ROW EXECUTE PROCEDURE populate_full_text_trigger()").format(rid))
        for column in columns:
            info = (comments or {}).get(column.id)
            if info:
                cur.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                    rid, sql.Identifier(column.id),
                    sql.Literal(" " + json.dumps({"_info": info}, ensure_ascii=False,
                                                 separators=(",", ":")))))
        cur.execute("DELETE FROM _table_stats WHERE resource_id = %s", (resource_id,))
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return count


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
