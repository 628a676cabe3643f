"""Reading a ``longan_sql`` source: connecting (read-only, to the address :mod:`netguard` checked,
with the secret the source is bound to) and turning a table or query into DataStore columns and a
``COPY`` stream.

PostgreSQL sources stream ``COPY (SELECT …) TO STDOUT`` through an OS pipe (:func:`pipe_copy`);
other databases go through SQLAlchemy with a server-side cursor (:func:`generic_rows`).
"""
from __future__ import annotations

import datetime as dt
import decimal
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg2
from psycopg2 import sql as pgsql
from sqlalchemy.engine import URL, make_url

from ckanext.longan_opendata.security import netguard

from . import copy_text, loader
from .config import ConfigError, err
from .secrets import read_secret, source_owner
from .sql_config import URL_PARAMETERS, host_port, is_postgres, item_key, type_overrides

# PostgreSQL type oid/name → DataStore column type; anything else becomes text
_PG_TYPES = {
    "int2": "int4", "int4": "int4", "int8": "int8", "numeric": "numeric", "float4": "numeric",
    "float8": "numeric", "money": "numeric", "date": "date", "timestamp": "timestamp",
    "timestamptz": "timestamp", "bool": "bool", "text": "text", "varchar": "text",
    "bpchar": "text", "name": "text",
}
CHUNK_ROWS = 5_000


# ------------------------------------------------------------------------------------ addresses
def checked_address(host: str, port: int | None) -> str:
    """The address ``host`` resolves to, if :mod:`netguard` allows it (ConfigError if not);
    OSError when the name is unknown."""
    try:
        return netguard.resolve(host, port)[0][4][0]
    except netguard.BlockedAddress as exc:
        raise ConfigError(exc, "url") from exc


def unknown_host(host: str | None) -> ConfigError:
    return err("url", "cannot connect to the source database: unknown host '%(host)s'", host=host)


# ----------------------------------------------------------------------------------- PostgreSQL
def connect(cfg: dict[str, Any], stage: str = "gather") -> psycopg2.extensions.connection:
    """A read-only psycopg2 connection (PostgreSQL sources), named after the stage."""
    url: URL = make_url(cfg["url"])
    host = url.host or "127.0.0.1"
    try:
        address = checked_address(host, url.port or 5432)
    except OSError as exc:
        raise unknown_host(url.host) from exc
    password = read_secret(cfg, "password", host=host, owner=source_owner.get())
    try:
        conn = psycopg2.connect(
            host=host, hostaddr=address, port=url.port or 5432, user=url.username,
            password=password, dbname=url.database, connect_timeout=10,
            application_name=f"longan-harvest-{stage}",
            **{k: str(v) for k, v in url.query.items() if k in URL_PARAMETERS})
    except psycopg2.OperationalError as exc:
        raise _connection_error(url, exc) from exc
    conn.set_session(readonly=True)
    with conn.cursor() as cur:
        cur.execute("SET TRANSACTION READ ONLY")
    return conn


# The fetch stage's connection is handed to the import of the same object (they run one after
# the other in the same consumer process): one connection per table instead of two.
_KEPT: dict[str, psycopg2.extensions.connection] = {}  # harvest object id → its connection


def fetch_connection(object_id: str, cfg: dict[str, Any]) -> psycopg2.extensions.connection:
    """A new connection for the fetch of the harvest object ``object_id``, kept for its import
    (:func:`import_connection`) until :func:`release_connection`."""
    release_connection(object_id)
    conn = connect(cfg, "fetch")
    _KEPT[object_id] = conn
    return conn


def import_connection(object_id: str, cfg: dict[str, Any]) -> psycopg2.extensions.connection:
    """The connection the fetch of ``object_id`` kept (its transaction ended, named after the
    import stage as a new one would be), or a new one; the caller closes it."""
    conn = _KEPT.pop(object_id, None)
    if conn is not None and not conn.closed:
        try:
            conn.rollback()
            with conn.cursor() as cur:
                cur.execute("SET application_name = 'longan-harvest-import'")
            conn.commit()  # a SET is undone with its transaction
            return conn
        except psycopg2.Error:
            conn.close()
    return connect(cfg, "import")


def release_connection(object_id: str) -> None:
    """Close the connection kept for ``object_id``, if any."""
    conn = _KEPT.pop(object_id, None)
    if conn is not None:
        conn.close()


def _connection_error(url: URL, exc: psycopg2.OperationalError) -> ConfigError:
    """What libpq's refusal means, naming the config key to fix (never the password)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    if "password authentication failed" in text:
        return err("password", "wrong password for user '%(user)s'", user=url.username)
    if "could not translate host name" in text or "Name or service not known" in text:
        return unknown_host(url.host)
    if "does not exist" in text and "database" in text:
        return err("url", "cannot connect to the source database: database '%(db)s' does not "
                   "exist", db=url.database)
    if "Connection refused" in text:
        return err("url", "cannot connect to the source database: connection refused by "
                   "%(host)s:%(port)s", host=url.host, port=url.port or 5432)
    return err("url", "cannot connect to the source database (%(error)s)", error=text)


def test_connection(cfg: dict[str, Any]) -> None:
    """Connect read-only with the source's secret and read nothing from every listed table and
    query: ConfigError naming what failed (the secret is never part of the message)."""
    if not is_postgres(cfg):
        _test_generic(cfg)
        return
    conn = connect(cfg, "check")
    try:
        with conn.cursor() as cur:
            for i, item in enumerate(cfg["tables"]):
                key = f"tables[{i}]" + (".table" if "table" in item else ".query")
                try:
                    cur.execute(pgsql.SQL("SELECT * FROM ({}) AS _longan_q LIMIT 0").format(
                        relation(item)))
                except psycopg2.Error as exc:
                    conn.rollback()
                    raise _unreadable(cfg, item, key, exc) from exc
    finally:
        conn.close()


def _unreadable(cfg: dict[str, Any], item: dict[str, Any], key: str,
                exc: psycopg2.Error) -> ConfigError:
    if isinstance(exc, psycopg2.errors.UndefinedTable):
        what = item_key(item)
        return err(key, "no table or view '%(what)s' at the source", what=what)
    if isinstance(exc, psycopg2.errors.InsufficientPrivilege):
        return err(key, "permission denied: the user '%(user)s' may not read '%(what)s'",
                   user=make_url(cfg["url"]).username, what=item_key(item))
    text = str(exc).strip().splitlines()[0]
    return err(key, "cannot read '%(what)s' (%(error)s)", what=item_key(item), error=text)


def relation(item: dict[str, Any]) -> pgsql.Composable:
    if "table" in item:
        return pgsql.SQL("SELECT * FROM {}.{}").format(
            pgsql.Identifier(item.get("schema") or "public"), pgsql.Identifier(item["table"]))
    return pgsql.SQL(item["query"].strip().rstrip(";"))


def qualified_name(cur: Any, item: dict[str, Any]) -> str:
    """``"schema"."table"`` of a table item, quoted for ``to_regclass``."""
    return pgsql.SQL("{}.{}").format(
        pgsql.Identifier(item.get("schema") or "public"),
        pgsql.Identifier(item["table"])).as_string(cur)


def columns_of(cur: Any, item: dict[str, Any]) -> tuple[list[loader.Column], str, list[str],
                                                        list[str]]:
    """Columns of a table/query (with the item's type overrides), its comment, the columns of
    type ``timestamptz`` (loaded as the province's local time) and the columns whose ``::text``
    differs from their COPY text (:func:`copy_out_sql`)."""
    cur.execute(pgsql.SQL("SELECT * FROM ({}) AS _longan_q LIMIT 0").format(relation(item)))
    oids = [d.type_code for d in cur.description]
    names = [d.name for d in cur.description]
    cur.execute(_TYPES_SQL, (oids, oids))
    types = {oid: (name, cast) for oid, name, cast in cur.fetchall()}
    overrides = type_overrides(item)
    columns = [loader.Column(n, overrides.get(n) or _PG_TYPES.get(types[o][0], "text"), n)
               for n, o in zip(names, oids, strict=True)]
    comment = ""
    if "table" in item:
        cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')",
                    (qualified_name(cur, item),))
        comment = (cur.fetchone() or [None])[0] or ""
    tz = [n for n, o in zip(names, oids, strict=True) if types[o][0] == "timestamptz"]
    casts = [n for n, o in zip(names, oids, strict=True) if types[o][1] and n not in tz]
    return columns, comment, tz, casts


# The name of each type and whether its ``::text`` may differ from its output function (what
# ``COPY`` writes): a cast to text of the type (or, for a domain, of its base type) that is not
# an I/O conversion: by a function (boolean gives true/false where COPY writes t/f, character(n)
# loses its padding, inet gains its /32…) or binary (xml unchanged where its output function
# rewrites the declaration; varchar, the same text, costs nothing to cast). Every other type is
# cast by its output function: the same text.
_TYPES_SQL = """
WITH RECURSIVE base(oid, base) AS (
    SELECT oid, oid FROM pg_type WHERE oid = ANY(%s)
  UNION ALL
    SELECT b.oid, t.typbasetype FROM base b JOIN pg_type t ON t.oid = b.base
    WHERE t.typtype = 'd')
SELECT t.oid, t.typname, EXISTS (
    SELECT 1 FROM base b JOIN pg_cast c ON c.castsource = b.base
    WHERE b.oid = t.oid AND c.casttarget = 'text'::regtype AND c.castmethod <> 'i')
FROM pg_type t WHERE t.oid = ANY(%s)
"""


def copy_out_sql(item: dict[str, Any], columns: list[loader.Column], tz: list[str],
                 casts: list[str] | None = None, numbered: bool = False) -> pgsql.Composable:
    """``COPY (SELECT …) TO STDOUT`` of the item's rows: ``timestamptz`` columns in the
    province's local time, the columns ``casts`` names (all when None, as before) cast to text;
    ``numbered``: each row first numbered 1, 2, … (the DataStore's ``_id``, see
    :func:`.loader.load`).

    The content hash is a hash of these bytes, and used to be of every column cast to text:
    COPY's own text is the same for every other type, and cheaper (no cast per value)."""
    exprs = [pgsql.SQL("row_number() OVER ()")] if numbered else []
    for c in columns:
        ident = pgsql.Identifier(c.id)
        if c.id in tz:  # timestamptz → local time of the province (a timestamp's own text)
            exprs.append(pgsql.SQL("({} AT TIME ZONE 'Asia/Ho_Chi_Minh')").format(ident))
        elif casts is None or c.id in casts:
            exprs.append(pgsql.SQL("{}::text").format(ident))
        else:
            exprs.append(ident)
    return pgsql.SQL("COPY (SELECT {} FROM ({}) AS _longan_q) TO STDOUT").format(
        pgsql.SQL(", ").join(exprs), relation(item))


def pipe_copy(conn: Any, statement: str, consume: Callable[[Any], None]) -> None:
    """Run ``COPY … TO STDOUT`` on ``conn`` in a thread, writing into an OS pipe whose read
    end ``consume(fileobj)`` reads; re-raise the producer's error after the consumer."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_fd, "wb", buffering=1 << 20) as out:
                conn.cursor().copy_expert(statement, out, size=1 << 20)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer's thread
            failure.append(exc)

    thread = threading.Thread(target=produce, name="longan-copy-out", daemon=True)
    thread.start()
    try:
        with os.fdopen(read_fd, "rb", buffering=1 << 20) as source:
            consume(source)
    finally:
        thread.join()
    if failure:
        raise failure[0]


# ------------------------------------------------------------- other databases (SQLAlchemy)
def generic_engine(cfg: dict[str, Any]) -> Any:
    import sqlalchemy as sa

    host, port = host_port(cfg)
    try:
        address = checked_address(host, port)
    except OSError as exc:
        raise err("url", "unknown host '%(host)s'", host=host) from exc
    password = read_secret(cfg, "password", host=host, owner=source_owner.get())
    # the checked address, not the name: no second resolution by the driver
    url = make_url(cfg["url"]).set(password=password, host=address)
    return sa.create_engine(url, pool_pre_ping=True)


def generic_select(item: dict[str, Any]) -> Any:
    import sqlalchemy as sa

    if "table" in item:
        table = sa.table(item["table"], schema=item.get("schema"))
        return sa.select(sa.text("*")).select_from(table)
    return sa.text(item["query"].strip().rstrip(";"))


def generic_rows(cfg: dict[str, Any], item: dict[str, Any]) -> Iterator[Any]:
    engine = generic_engine(cfg)
    try:
        with engine.connect() as conn:
            if engine.dialect.name in ("mysql", "oracle", "mssql"):
                conn.exec_driver_sql("SET TRANSACTION READ ONLY") if engine.dialect.name != \
                    "mssql" else None
            result = conn.execution_options(stream_results=True).execute(generic_select(item))
            while chunk := result.fetchmany(CHUNK_ROWS):
                yield from chunk
            conn.rollback()
    finally:
        engine.dispose()


def generic_hash(cfg: dict[str, Any], item: dict[str, Any]) -> tuple[
        list[loader.Column], str, list[copy_text.RowProblem]]:
    engine = generic_engine(cfg)
    try:
        with engine.connect() as conn:
            result = conn.execute(generic_select(item))
            sample = result.fetchmany(200)
            keys = list(result.keys())
            result.close()
    finally:
        engine.dispose()
    overrides = type_overrides(item)
    columns = [loader.Column(k, overrides.get(k) or _infer([r[i] for r in sample]), k)
               for i, k in enumerate(keys)]
    stream = copy_text.CopyTextStream(columns, generic_rows(cfg, item))
    stream.drain()
    return columns, stream.sha256.hexdigest(), stream.problems


def _test_generic(cfg: dict[str, Any]) -> None:
    import sqlalchemy as sa

    try:
        engine = generic_engine(cfg)
    except ImportError as exc:
        raise err("url", "the database driver is not installed (%(name)s)",
                  name=exc.name) from exc
    try:
        with engine.connect() as conn:
            for i, item in enumerate(cfg["tables"]):
                try:
                    stmt = generic_select(item)
                    if "table" in item:
                        stmt = stmt.limit(0)
                    conn.execution_options(stream_results=True).execute(stmt).close()
                except sa.exc.DBAPIError as exc:
                    raise err(f"tables[{i}]", "cannot read '%(what)s' (%(error)s)",
                              what=item_key(item), error=type(exc.orig).__name__) from exc
    except sa.exc.DBAPIError as exc:
        raise err("url", "cannot connect to the source database (%(error)s)",
                  error=type(exc.orig).__name__) from exc
    finally:
        engine.dispose()


def _infer(values: list[Any]) -> str:
    """DataStore type of a column from a sample of database values."""
    present = [v for v in values if v is not None]
    if not present:
        return "text"
    if all(isinstance(v, bool) for v in present):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int8"
    if all(isinstance(v, int | float | decimal.Decimal) for v in present):
        return "numeric"
    if all(isinstance(v, dt.datetime) for v in present):
        return "timestamp"
    if all(isinstance(v, dt.date) for v in present):
        return "date"
    return "text"
