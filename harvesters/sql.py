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

import psycopg2
from ckan import model

from . import base, loader, sql_partitions
from .config import ConfigError, check_connection_enabled
from .secrets import check_secret_binding, owner_scope, source_owner
from .sql_config import check_sql_config, host_port, is_postgres, item_key
from .sql_source import (
    checked_address,
    columns_of,
    connect,
    copy_out_sql,
    generic_hash,
    generic_rows,
    pipe_copy,
    qualified_name,
    test_connection,
    unknown_host,
)

log = logging.getLogger(__name__)


class LonganSqlHarvester(base.LonganHarvester):
    """Tables, views and named read-only queries of a provincial shared database."""

    def info(self) -> dict[str, str]:
        return {
            "name": "longan_sql",
            "title": "CSDL dùng chung (SQL) / Shared database (SQL)",
            "description": "Thu thập bảng, khung nhìn và truy vấn chỉ đọc của cơ sở dữ liệu dùng "
                           "chung vào DataStore / Harvests tables, views and read-only queries "
                           "of a shared database into the DataStore.",
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
        unchanged: set[str] = set()
        if is_postgres(cfg):
            try:
                with owner_scope(harvest_job.source.id):
                    conn = connect(cfg)
            except ConfigError as exc:
                self._save_gather_error(str(exc), harvest_job)
                return None
            try:
                items = sql_partitions.expand(conn, items, harvest_job.source.id)
                unchanged = self._check_in_gather(conn, cfg, items, harvest_job.source.id)
            finally:
                conn.close()
        ids = self._gather_objects(harvest_job, items, keep=unchanged)
        if unchanged:
            log.info("%s: %d bảng không đổi / unchanged tables skipped", harvest_job.source.id,
                     len(unchanged))
        return ids

    def _check_in_gather(self, conn: Any, cfg: dict[str, Any], items: dict[str, dict[str, Any]],
                         source_id: str) -> set[str]:
        """Drop the tables gone at the source from ``items``; the guids known unchanged (with
        ``check_in_gather``). A database error here only means every table is fetched."""
        previous = self._previous_objects(source_id)
        try:
            _drop_gone_tables(conn, items)
            if cfg.get("check_in_gather", True):
                return self._unchanged_in_gather(conn, items, previous)
        except psycopg2.Error as exc:
            log.warning("gather-time change check failed, fetching all: %s", exc)
        return set()

    def _unchanged_in_gather(self, conn: Any, items: dict[str, dict[str, Any]],
                             previous: dict[str, Any]) -> set[str]:
        """Guids whose content hash equals the current object's, computed on one connection:
        a re-harvest of an unchanged source then creates no harvest object and writes nothing."""
        found = set()
        for guid, item in items.items():
            old = previous.get(guid)
            if old is None or not old.content:
                continue
            old_hash = json.loads(old.content).get("hash")
            package = model.Package.get(old.package_id)
            if not old_hash or package is None or package.state != "active" \
                    or self._awaits_publication(old.harvest_source_id, package.id):
                continue
            if self._hash(conn, item)[0] == old_hash:
                found.add(guid)
            conn.rollback()
        return found

    def _hash(self, conn: Any, item: dict[str, Any]) -> tuple[str, list[loader.Column], str,
                                                              list[str]]:
        """Content hash of a table/query: (hash, columns, comment, timestamptz columns)."""
        with conn.cursor() as cur:
            columns, comment, tz = columns_of(cur, item)
        hasher = loader.HashingReader(None)  # type: ignore[arg-type]

        def consume(source: Any) -> None:
            hasher.raw = source
            while hasher.read(1 << 20):
                pass

        pipe_copy(conn, copy_out_sql(item, columns, tz).as_string(conn), consume)
        return self.content_hash(item, columns, hasher.sha256.hexdigest()), columns, comment, tz

    def _hash_at_source(self, cfg: dict[str, Any], item: dict[str, Any]) -> tuple[
            str, list[loader.Column], str, list[str]]:
        """:meth:`_hash` on a connection of its own, or through SQLAlchemy for other databases."""
        if not is_postgres(cfg):
            columns, data_sha, _problems = generic_hash(cfg, item)
            return self.content_hash(item, columns, data_sha), columns, "", []
        conn = connect(cfg, "fetch")
        try:
            return self._hash(conn, item)
        finally:
            conn.close()

    def _fetch(self, harvest_object: Any) -> bool | str:
        cfg = json.loads(harvest_object.source.config)
        item = json.loads(harvest_object.content)["item"]
        where = item_key(item)
        try:
            new_hash, columns, comment, tz = self._hash_at_source(cfg, item)
        except ConfigError as exc:
            return self._error(harvest_object, "Fetch", f"{where}: {exc}")
        except psycopg2.Error as exc:
            return self._error(harvest_object, "Fetch",
                               f"{where}: lỗi khi đọc nguồn / error reading the source: "
                               f"{str(exc).strip()}")
        harvest_object.content = json.dumps(
            {"item": item, "hash": new_hash, "comment": comment, "tz": tz,
             "columns": [[c.id, c.type] for c in columns]}, ensure_ascii=False)
        harvest_object.save()
        if self._unchanged(harvest_object, new_hash):
            return "unchanged"
        return True

    def _import(self, harvest_object: Any) -> bool | str:
        cfg = json.loads(harvest_object.source.config)
        content = json.loads(harvest_object.content)
        item = content["item"]
        where = item_key(item)
        columns = self._stored_columns(content)
        load = (self._load_from_postgres if is_postgres(cfg) else self._load_from_other_database)
        try:
            ok, data_sha = load(harvest_object, cfg, content, columns)
        except loader.LoadError as exc:
            line = f"dòng {exc.row}" + (f", cột {exc.column}" if exc.column else "")
            return self._error(
                harvest_object, "Import",
                f"{where}: {line if exc.row else 'lỗi nạp dữ liệu'}: {exc} — phiên bản trước "
                f"được giữ nguyên / row {exc.row}: {exc}; the previous version is kept",
                exc.row)
        except ConfigError as exc:
            return self._error(harvest_object, "Import", f"{where}: {exc}")
        except psycopg2.Error as exc:
            return self._error(
                harvest_object, "Import",
                f"{where}: lỗi khi đọc nguồn, phiên bản trước được giữ nguyên / error reading the "
                f"source, the previous version is kept: {str(exc).strip()}")
        except Exception as exc:
            return self._import_failed(harvest_object, where, exc)
        # what was loaded may differ from what was hashed at fetch time
        content = json.loads(harvest_object.content)
        content["hash"] = self.content_hash(item, columns, data_sha)
        harvest_object.content = json.dumps(content, ensure_ascii=False)
        harvest_object.save()
        return ok

    def _import_table(self, harvest_object: Any, cfg: dict[str, Any], content: dict[str, Any],
                      columns: list[loader.Column], feed: Any) -> bool:
        """:meth:`_import_rows` with the dataset title and description of a table or query."""
        item = content["item"]
        where = item_key(item)
        title = content.get("comment") or item.get("table") or item.get("query_name")
        description = (f"Dữ liệu thu thập tự động từ CSDL dùng chung: `{where}`. / "
                       f"Harvested from the shared database: `{where}`.")
        return self._import_rows(harvest_object, cfg, item, columns, feed, content, title,
                                 description)

    def _load_from_postgres(self, harvest_object: Any, cfg: dict[str, Any],
                            content: dict[str, Any], columns: list[loader.Column]) -> tuple[
            bool, str]:
        """COPY out of the source piped into COPY into the DataStore; (result, data hash)."""
        conn = connect(cfg, "import")
        hasher = loader.HashingReader(None)  # type: ignore[arg-type]

        def feed(copy_from: Any) -> None:
            def consume(source: Any) -> None:
                hasher.raw = source
                copy_from(hasher)

            pipe_copy(conn, copy_out_sql(content["item"], columns, content.get("tz") or [])
                      .as_string(conn), consume)

        try:
            ok = self._import_table(harvest_object, cfg, content, columns, feed)
        finally:
            conn.close()
        return ok, hasher.sha256.hexdigest()

    def _load_from_other_database(self, harvest_object: Any, cfg: dict[str, Any],
                                  content: dict[str, Any], columns: list[loader.Column]) -> tuple[
            bool, str]:
        """Rows through SQLAlchemy written as COPY text; (result, data hash)."""
        stream_holder: dict[str, Any] = {}

        def feed(copy_from: Any) -> None:
            stream = loader.CopyTextStream(columns, generic_rows(cfg, content["item"]))
            stream_holder["s"] = stream
            copy_from(stream)
            if stream.problems:
                p = stream.problems[0]
                raise loader.LoadError(f"giá trị '{p.value}' không hợp lệ cho kiểu "
                                       f"{p.kind}", row=p.row, column=p.column)

        ok = self._import_table(harvest_object, cfg, content, columns, feed)
        return ok, stream_holder["s"].sha256.hexdigest()


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
