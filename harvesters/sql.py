"""``longan_sql``: harvests tables, views and named read-only queries of a shared database.

Source config (JSON)::

    {
      "url": "postgresql://longan_shared_reader@127.0.0.1:5432/longan_shared",
      "password_env": "LONGAN_HARVEST_SHARED_DB_PW",  # or "password_file" + "password_key"
      "auto_publish": true,
      "defaults": {"theme": ["kinh-te"], "frequency": "annual", "license_id": "vn-open-data-1.0"},
      "tables": [
        {"schema": "thong_ke", "table": "dan_so_theo_xa", "title": "Dân số theo xã",
         "theme": ["dan-cu-xa-hoi"]},
        {"schema": "thong_ke", "table": "Sản lượng nông nghiệp", "types": {"nam": "int4"}},
        {"query_name": "ho_so_theo_thang",
         "query": "SELECT date_trunc('month', ngay_nop)::date AS thang, count(*) AS so_ho_so
                   FROM dich_vu_cong.ho_so GROUP BY 1"}
      ]
    }

The password is never part of the source: ``url`` must not contain one; the harvester reads it
from the environment variable (whose name must start with
``ckanext.longan_opendata.harvest.secret_env_prefix``) or from a ``KEY=value`` file inside
``ckanext.longan_opendata.harvest.secrets_dir``; it is used only with the hosts and organisations
``ckanext.longan_opendata.harvest.secret_bindings`` binds it to. The host is resolved once and
checked by :mod:`ckanext.longan_opendata.security.netguard` (no internal address unless
allowed), and libpq connects to that address (``hostaddr``): no second resolution.

Change detection: a sha256 over the columns, the item's metadata and the COPY stream. By default
(``"check_in_gather": true``) the gather stage already hashes every table on its one connection and
creates harvest objects only for the tables that changed (and deletions for the ones gone), so an
unchanged source costs one connection and a read of its tables, and writes nothing; with ``false``
every table gets an object whose fetch stage hashes it and reports it "not modified".
From PostgreSQL the stream numbers the rows (``row_number()``: the DataStore's ``_id``, cheaper
than a sequence's ``nextval`` per row), and the hash is of that stream; a table last imported
before the rows were numbered (no ``row_numbers`` in its object) is compared on the stream without
numbers, so an upgrade re-imports nothing.

Every connection is read-only (``SET TRANSACTION READ ONLY``); identifiers are quoted; a named
query must be a single ``SELECT``/``WITH`` statement, and runs inside the read-only transaction, so
DML or DDL fails anyway. From PostgreSQL the rows stream ``COPY (SELECT …) TO STDOUT`` →
``COPY … FROM STDIN`` on the DataStore write connection through an OS pipe: no Python object per
row. Other databases (SQL Server through pymssql, MySQL, Oracle through oracledb, when their
drivers are installed) go through SQLAlchemy with a server-side cursor (``stream_results``),
fetching chunks of rows that are written as COPY text.

This module holds the harvest stages; the config check is :mod:`.sql_config`, connecting and
reading the source :mod:`.sql_source`.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import psycopg2
from ckan import model
from psycopg2 import sql as pgsql

from ckanext.longan_opendata.lang import Message

from . import base, completeness, copy_text, loader, sql_partitions
from .config import ConfigError, check_connection_enabled
from .secrets import check_secret_binding, owner_scope, source_owner
from .sql_config import check_sql_config, host_port, is_postgres, item_key
from .sql_source import (
    checked_address,
    columns_of,
    connect,
    copy_out_sql,
    fetch_connection,
    generic_hash,
    generic_rows,
    import_connection,
    pipe_copy,
    qualified_name,
    relation,
    release_connection,
    test_connection,
    unknown_host,
)

log = logging.getLogger(__name__)

UNCHANGED = "unchanged"  # what the gather stage's change check says of an unchanged table
ROW_NUMBERS = "row_numbers"  # in an object's content: its hash is of the numbered stream


class LonganSqlHarvester(base.LonganHarvester):
    """Tables, views and named read-only queries of a provincial shared database."""

    def info(self) -> dict[str, str]:
        return {
            "name": "longan_sql",
            "title": tk._("Shared database (SQL)"),
            "description": tk._("Harvests tables, views and read-only queries of a shared "
                                "database into the DataStore."),
            "form_config_interface": "Text",
        }

    # ---------------------------------------------------------------------------- configuration
    def validate_config(self, config: str | None) -> str:
        """The source form's check: the config; the database host's address (no internal network
        unless allowed) and the password's binding to that host and the source's organisation,
        before any connection; then (switchable) a real connection test."""
        checked = self.check_config(config)
        cfg = json.loads(checked)
        host, port = host_port(cfg)
        try:
            checked_address(host, port)
        except OSError as exc:
            if check_connection_enabled():
                raise unknown_host(host) from exc
        check_secret_binding(cfg, "password", "", host, source_owner.get())
        if check_connection_enabled():
            test_connection(cfg)
        return checked

    def check_config(self, config: str | None) -> str:
        """Check the config alone (no connection); the normalised JSON."""
        return check_sql_config(config)

    # ------------------------------------------------------------------------------- the stages
    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        cfg = self._gather_config(harvest_job)
        if cfg is None:
            return None
        items = {f"{harvest_job.source.id}:{item_key(item)}": item for item in cfg["tables"]}
        hashes: dict[str, str] = {}
        if is_postgres(cfg):
            try:
                with owner_scope(harvest_job.source.id):
                    conn = connect(cfg)
            except ConfigError as exc:
                self._save_gather_error(exc, harvest_job)
                return None
            try:
                items = sql_partitions.expand(conn, items, harvest_job.source.id)
                hashes = self._check_in_gather(conn, cfg, items, harvest_job.source.id)
            finally:
                conn.close()
        unchanged = {guid for guid, found in hashes.items() if found == UNCHANGED}
        # a hash found changed in gather is not computed again by the fetch stage
        ids = self._gather_objects(harvest_job, items, keep=unchanged, extra_content={
            guid: {"gather_hash": found} for guid, found in hashes.items()
            if found != UNCHANGED})
        if unchanged:
            log.info("%s: %d unchanged tables skipped", harvest_job.source.id,
                     len(unchanged))
        return ids

    def _check_in_gather(self, conn: Any, cfg: dict[str, Any], items: dict[str, dict[str, Any]],
                         source_id: str) -> dict[str, str]:
        """Drop the tables gone at the source from ``items``; with ``check_in_gather``, the
        content hash of each table that has a previous version, :data:`UNCHANGED` when it
        equals that version's. A database error here only means every table is fetched."""
        previous = self._previous_objects(source_id)
        try:
            _drop_gone_tables(conn, items)
            if cfg.get("check_in_gather", True):
                return self._hashes_in_gather(conn, items, previous)
        except psycopg2.Error as exc:
            log.warning("gather-time change check failed, fetching all: %s", exc)
        return {}

    def _hashes_in_gather(self, conn: Any, items: dict[str, dict[str, Any]],
                          previous: dict[str, Any]) -> dict[str, str]:
        """Content hashes computed on one connection (:data:`UNCHANGED` for a table whose hash
        equals the current object's): a re-harvest of an unchanged source then creates no
        harvest object and writes nothing."""
        found: dict[str, str] = {}
        for guid, item in items.items():
            old = previous.get(guid)
            if old is None or not old.content:
                continue
            old_content = json.loads(old.content)
            old_hash = old_content.get("hash")
            package = model.Package.get(old.package_id)
            if not old_hash or package is None or package.state != "active" \
                    or self._awaits_publication(old.harvest_source_id, package.id):
                continue
            new_hash = self._hash(conn, item, bool(old_content.get(ROW_NUMBERS)))[0]
            found[guid] = UNCHANGED if new_hash == old_hash else new_hash
            conn.rollback()
        return found

    def _hash(self, conn: Any, item: dict[str, Any], numbered: bool
              ) -> tuple[str, list[loader.Column], str, list[str], list[str]]:
        """Content hash of a table/query (``numbered``: of the stream with row numbers, as the
        import loads it): (hash, columns, comment, timestamptz columns, columns cast to text)."""
        with conn.cursor() as cur:
            columns, comment, tz, casts = columns_of(cur, item)
        hasher = copy_text.HashingReader(None)  # type: ignore[arg-type]

        def consume(source: Any) -> None:
            hasher.raw = source
            while hasher.read(1 << 20):
                pass

        pipe_copy(conn, copy_out_sql(item, columns, tz, casts, numbered).as_string(conn),
                  consume)
        return (self.content_hash(item, columns, hasher.sha256.hexdigest()), columns, comment, tz,
                casts)

    def _hash_at_source(self, object_id: str, cfg: dict[str, Any], item: dict[str, Any],
                        numbered: bool) -> tuple[str, list[loader.Column], str, list[str],
                                                 list[str]]:
        """:meth:`_hash` on the fetch's connection, or through SQLAlchemy for other databases."""
        if not is_postgres(cfg):
            columns, data_sha, _problems = generic_hash(cfg, item)
            return self.content_hash(item, columns, data_sha), columns, "", [], []
        return self._hash(fetch_connection(object_id, cfg), item, numbered)

    def _columns_at_source(self, object_id: str, cfg: dict[str, Any], item: dict[str, Any]
                           ) -> tuple[list[loader.Column], str, list[str], list[str]]:
        """The columns, comment, timestamptz columns and columns cast to text of a PostgreSQL
        table (no row read)."""
        with fetch_connection(object_id, cfg).cursor() as cur:
            return columns_of(cur, item)

    def _fetch_hash(self, harvest_object: Any, cfg: dict[str, Any], item: dict[str, Any],
                    gathered: str | None) -> tuple[str | None, list[loader.Column], str,
                                                   list[str], list[str]]:
        """:meth:`_hash_at_source`, but without reading the rows when the hash cannot decide
        anything: the gather stage computed it, or there is no previous version to compare
        with (the import hashes what it loads anyway)."""
        previous = self._previous_content(harvest_object)
        if is_postgres(cfg) and (gathered or not (previous or {}).get("hash")):
            return (gathered, *self._columns_at_source(harvest_object.id, cfg, item))
        return self._hash_at_source(harvest_object.id, cfg, item,
                                    bool((previous or {}).get(ROW_NUMBERS)))

    def _fetch(self, harvest_object: Any) -> bool | str:
        """:meth:`_fetch_table`; the source connection is kept only for an import to come."""
        try:
            result = self._fetch_table(harvest_object)
        except BaseException:
            release_connection(harvest_object.id)
            raise
        if result is not True:
            release_connection(harvest_object.id)
        return result

    def _fetch_table(self, harvest_object: Any) -> bool | str:
        cfg = json.loads(harvest_object.source.config)
        content = json.loads(harvest_object.content)
        item = content["item"]
        where = item_key(item)
        try:
            new_hash, columns, comment, tz, casts = self._fetch_hash(
                harvest_object, cfg, item, content.get("gather_hash"))
        except ConfigError as exc:
            return self._error(harvest_object, "Fetch", Message("%(where)s: %(error)s",
                                                                where=where, error=exc))
        except psycopg2.Error as exc:
            return self._error(harvest_object, "Fetch", Message(
                "%(where)s: error reading the source: %(error)s", where=where,
                error=str(exc).strip()))
        harvest_object.content = json.dumps(
            {"item": item, "hash": new_hash, "comment": comment, "tz": tz, "casts": casts,
             "columns": [[c.id, c.type] for c in columns]}, ensure_ascii=False)
        harvest_object.save()
        if new_hash and self._unchanged(harvest_object, new_hash):
            return "unchanged"
        return True

    def _import(self, harvest_object: Any) -> bool | str:
        try:
            return self._import_item(harvest_object)
        finally:  # a connection the fetch kept and the import did not take
            release_connection(harvest_object.id)

    def _import_item(self, harvest_object: Any) -> bool | str:
        cfg = json.loads(harvest_object.source.config)
        content = json.loads(harvest_object.content)
        item = content["item"]
        where = item_key(item)
        columns = self._stored_columns(content)
        load = (self._load_from_postgres if is_postgres(cfg) else self._load_from_other_database)
        try:
            ok, data_sha = load(harvest_object, cfg, content, columns)
        except loader.LoadError as exc:
            if not exc.row:
                line = Message("loading failed")
            elif exc.column:
                line = Message("row %(row)s, column %(column)s", row=exc.row, column=exc.column)
            else:
                line = Message("row %(row)s", row=exc.row)
            return self._error(harvest_object, "Import", Message(
                "%(where)s: %(line)s: %(error)s; the previous version is kept", where=where,
                line=line, error=exc), exc.row)
        except ConfigError as exc:
            return self._error(harvest_object, "Import", Message("%(where)s: %(error)s",
                                                                 where=where, error=exc))
        except psycopg2.Error as exc:
            return self._error(harvest_object, "Import", Message(
                "%(where)s: error reading the source, the previous version is kept: %(error)s",
                where=where, error=str(exc).strip()))
        except Exception as exc:
            return self._import_failed(harvest_object, where, exc)
        # what was loaded may differ from what was hashed at fetch time
        content = json.loads(harvest_object.content)
        content["hash"] = self.content_hash(item, columns, data_sha)
        content[ROW_NUMBERS] = is_postgres(cfg)
        harvest_object.content = json.dumps(content, ensure_ascii=False)
        harvest_object.save()
        return ok

    def _import_table(self, harvest_object: Any, cfg: dict[str, Any], content: dict[str, Any],
                      columns: list[loader.Column], feed: Any, numbered: bool = False) -> bool:
        """:meth:`_import_rows` with the dataset title and description of a table or query."""
        item = content["item"]
        where = item_key(item)
        title = content.get("comment") or item.get("table") or item.get("query_name")
        description = Message("Harvested automatically from the shared database: `%(where)s`.",
                              where=where)
        return self._import_rows(harvest_object, cfg, item, columns, feed, content, title,
                                 description, numbered)

    def _load_from_postgres(self, harvest_object: Any, cfg: dict[str, Any],
                            content: dict[str, Any], columns: list[loader.Column]) -> tuple[
            bool, str]:
        """COPY out of the source piped into COPY into the DataStore; (result, data hash)."""
        conn = import_connection(harvest_object.id, cfg)
        hasher = copy_text.HashingReader(None)  # type: ignore[arg-type]
        content["temporal"] = _source_period(conn, content["item"], columns)

        def feed(copy_from: Any) -> None:
            def consume(source: Any) -> None:
                hasher.raw = source
                copy_from(hasher)

            pipe_copy(conn, copy_out_sql(content["item"], columns, content.get("tz") or [],
                                         content.get("casts"), numbered=True).as_string(conn),
                      consume)

        try:
            ok = self._import_table(harvest_object, cfg, content, columns, feed, numbered=True)
        finally:
            conn.close()
        return ok, hasher.sha256.hexdigest()

    def _load_from_other_database(self, harvest_object: Any, cfg: dict[str, Any],
                                  content: dict[str, Any], columns: list[loader.Column]) -> tuple[
            bool, str]:
        """Rows through SQLAlchemy written as COPY text; (result, data hash)."""
        stream_holder: dict[str, Any] = {}

        def feed(copy_from: Any) -> None:
            stream = copy_text.CopyTextStream(columns, generic_rows(cfg, content["item"]))
            stream_holder["s"] = stream
            copy_from(stream)
            if stream.problems:
                p = stream.problems[0]
                raise loader.LoadError(Message("the value '%(value)s' is not valid for the type "
                                               "%(kind)s", value=p.value, kind=p.kind),
                                       row=p.row, column=p.column)

        ok = self._import_table(harvest_object, cfg, content, columns, feed)
        return ok, stream_holder["s"].sha256.hexdigest()


def _source_period(conn: Any, item: dict[str, Any], columns: list[loader.Column]
                   ) -> dict[str, str] | None:
    """The temporal coverage of a table from ``min``/``max`` of its ``temporal_column`` at the
    source (None when no column is named or it is not one of the table's)."""
    column = item.get(completeness.TEMPORAL_KEY)
    if not column or column not in {c.id for c in columns}:
        return None
    statement = pgsql.SQL("SELECT min({c}), max({c}) FROM ({r}) AS _longan_q").format(
        c=pgsql.Identifier(column), r=relation(item))
    with conn.cursor() as cur:
        cur.execute(statement)
        low, high = cur.fetchone()
    conn.rollback()
    return completeness.period([v for v in (low, high) if v is not None])


def _drop_gone_tables(conn: Any, items: dict[str, dict[str, Any]]) -> None:
    """Remove from ``items`` the tables the source no longer has (they get withdrawn)."""
    with conn.cursor() as cur:
        for guid, item in list(items.items()):
            if "table" not in item:
                continue
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", (qualified_name(cur, item),))
            if not cur.fetchone()[0]:
                log.info("%s: table gone at the source", guid)
                del items[guid]
