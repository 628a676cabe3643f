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
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

import psycopg2
from ckan import model
from psycopg2 import sql as pgsql
from sqlalchemy.engine import URL, make_url

from ckanext.longan_opendata.security import netguard

from . import base, loader
from .config import (
    ConfigError,
    check_connection_enabled,
    err,
    load_config,
    validate_common,
    validate_metadata,
)
from .secrets import (
    check_secret_binding,
    owner_scope,
    read_secret,
    source_owner,
    validate_secret_ref,
)

log = logging.getLogger(__name__)

# PostgreSQL type oid/name → DataStore column type; anything else becomes text
_PG_TYPES = {
    "int2": "int4", "int4": "int4", "int8": "int8", "numeric": "numeric", "float4": "numeric",
    "float8": "numeric", "money": "numeric", "date": "date", "timestamp": "timestamp",
    "timestamptz": "timestamp", "bool": "bool", "text": "text", "varchar": "text",
    "bpchar": "text", "name": "text",
}
_TYPE_OVERRIDES = {"int": "int4", "integer": "int4", "bigint": "int8", "int4": "int4",
                   "int8": "int8", "numeric": "numeric", "float": "numeric", "date": "date",
                   "timestamp": "timestamp", "text": "text", "bool": "bool", "boolean": "bool"}
_QUERY_START = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
CHUNK_ROWS = 5_000
# libpq parameters a source URL may set (?sslmode=require): none that picks another host, reads a
# file of the server or changes who connects
URL_PARAMETERS = ("sslmode", "target_session_attrs", "gssencmode", "channel_binding",
                  "keepalives", "keepalives_idle")
ITEM_KEYS = ("schema", "table", "query_name", "query", "types", "description")


def _is_single_select(query: str) -> bool:
    body = query.strip().rstrip(";").strip()
    if not _QUERY_START.match(body):
        return False
    try:
        import pglast

        statements = pglast.parse_sql(body)
        return len(statements) == 1 and type(statements[0].stmt).__name__ == "SelectStmt"
    except ImportError:  # pglast ships with CKAN's DataStore; keep a plain check without it
        return ";" not in body
    except Exception:
        return False


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
        host, port = self._host_port(cfg)
        try:
            netguard.resolve(host, port)
        except netguard.BlockedAddress as exc:
            raise ConfigError(f"url: {exc}") from exc
        except OSError as exc:
            if check_connection_enabled():
                raise err("url", f"không kết nối được cơ sở dữ liệu nguồn: không tìm thấy "
                          f"máy chủ '{host}'", f"cannot connect to the source database: "
                          f"unknown host '{host}'") from exc
        check_secret_binding(cfg, "password", "", host, source_owner.get())
        if check_connection_enabled():
            self.test_connection(cfg)
        return checked

    @staticmethod
    def _host_port(cfg: dict[str, Any]) -> tuple[str, int | None]:
        url = make_url(cfg["url"])
        default = 5432 if url.get_backend_name() == "postgresql" else None
        return url.host or "127.0.0.1", url.port or default

    def check_config(self, config: str | None) -> str:
        """Check the config alone (no connection); the normalised JSON."""
        cfg = load_config(config)
        if not cfg:
            raise err("config", "cần cấu hình JSON với 'url' và 'tables'",
                      "a JSON config with 'url' and 'tables' is needed")
        url = cfg.get("url")
        if not isinstance(url, str) or not url:
            raise err("url", "thiếu URL SQLAlchemy của cơ sở dữ liệu",
                      "missing the database SQLAlchemy URL")
        try:
            parsed = make_url(url)
        except Exception as exc:
            raise err("url", "URL không hợp lệ", "invalid URL") from exc
        if parsed.password is not None:
            raise err("url", "không được chứa mật khẩu; dùng password_env hoặc password_file",
                      "must not contain a password; use password_env or password_file")
        bad = sorted(k for k in parsed.query if k not in URL_PARAMETERS)
        if bad:
            raise err("url", f"tham số không được phép {bad}; chỉ được dùng "
                      f"{', '.join(URL_PARAMETERS)}", f"parameters not allowed {bad}")
        validate_common(cfg)
        if not isinstance(cfg.get("check_in_gather", True), bool):
            raise err("check_in_gather", "phải là true hoặc false", "must be true or false")
        validate_secret_ref(cfg, "password")
        tables = cfg.get("tables")
        if not isinstance(tables, list) or not tables:
            raise err("tables", "phải là danh sách bảng không rỗng",
                      "must be a non-empty list of tables")
        seen = set()
        for i, item in enumerate(tables):
            where = f"tables[{i}]"
            if not isinstance(item, dict):
                raise err(where, "phải là một đối tượng JSON", "must be a JSON object")
            if "table" in item:
                if not isinstance(item["table"], str) or not item["table"]:
                    raise err(where + ".table", "phải là tên bảng", "must be a table name")
                if not isinstance(item.get("schema", "public"), str):
                    raise err(where + ".schema", "phải là tên lược đồ",
                              "must be a schema name")
            elif "query_name" in item:
                if not isinstance(item.get("query"), str) or not _is_single_select(item["query"]):
                    raise err(where + ".query", "chỉ được là một câu lệnh SELECT",
                              "must be a single SELECT statement")
            else:
                raise err(where, "cần 'table' hoặc 'query_name' + 'query'",
                          "needs 'table' or 'query_name' + 'query'")
            for col, kind in (item.get("types") or {}).items():
                if kind not in _TYPE_OVERRIDES:
                    raise err(f"{where}.types.{col}", f"kiểu không hỗ trợ '{kind}'",
                              f"unsupported type '{kind}'")
            meta = {k: v for k, v in item.items() if k not in ITEM_KEYS}
            validate_metadata(meta, where)
            key = self._item_key(item)
            if key in seen:
                raise err(where, "bị lặp lại", "is listed twice")
            seen.add(key)
        return json.dumps(cfg, ensure_ascii=False)

    @staticmethod
    def _item_key(item: dict[str, Any]) -> str:
        if "table" in item:
            return f"{item.get('schema') or 'public'}.{item['table']}"
        return f"query.{item['query_name']}"

    # ------------------------------------------------------------------------------- connection
    @staticmethod
    def _connect(cfg: dict[str, Any], stage: str = "gather") -> psycopg2.extensions.connection:
        """A read-only psycopg2 connection (PostgreSQL sources), named after the stage."""
        url: URL = make_url(cfg["url"])
        host = url.host or "127.0.0.1"
        try:
            address = netguard.resolve(host, url.port or 5432)[0][4][0]
        except netguard.BlockedAddress as exc:
            raise ConfigError(f"url: {exc}") from exc
        except OSError as exc:
            raise err("url", f"không kết nối được cơ sở dữ liệu nguồn: không tìm thấy "
                      f"máy chủ '{url.host}'", f"cannot connect to the source database: "
                      f"unknown host '{url.host}'") from exc
        password = read_secret(cfg, "password", host=host, owner=source_owner.get())
        try:
            conn = psycopg2.connect(
                host=host, hostaddr=address, port=url.port or 5432, user=url.username,
                password=password, dbname=url.database, connect_timeout=10,
                application_name=f"longan-harvest-{stage}",
                **{k: str(v) for k, v in url.query.items() if k in URL_PARAMETERS})
        except psycopg2.OperationalError as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            if "password authentication failed" in text:
                raise err("password", f"sai mật khẩu cho người dùng '{url.username}'",
                          f"wrong password for user '{url.username}'") from exc
            if "could not translate host name" in text or "Name or service not known" in text:
                raise err("url", f"không kết nối được cơ sở dữ liệu nguồn: không tìm thấy "
                          f"máy chủ '{url.host}'", f"cannot connect to the source database: "
                          f"unknown host '{url.host}'") from exc
            if "does not exist" in text and "database" in text:
                raise err("url", f"không kết nối được cơ sở dữ liệu nguồn: không có cơ sở "
                          f"dữ liệu '{url.database}' trên máy chủ", f"cannot connect to the "
                          f"source database: database '{url.database}' does not exist"
                          ) from exc
            if "Connection refused" in text:
                raise err("url", f"không kết nối được cơ sở dữ liệu nguồn: máy chủ "
                          f"{url.host}:{url.port or 5432} từ chối kết nối", f"cannot connect "
                          f"to the source database: connection refused by "
                          f"{url.host}:{url.port or 5432}") from exc
            raise err("url", f"không kết nối được cơ sở dữ liệu nguồn ({text})",
                      f"cannot connect to the source database ({text})") from exc
        conn.set_session(readonly=True)
        with conn.cursor() as cur:
            cur.execute("SET TRANSACTION READ ONLY")
        return conn

    def test_connection(self, cfg: dict[str, Any]) -> None:
        """Connect read-only with the source's secret and read nothing from every listed table and
        query: ConfigError naming what failed (the secret is never part of the message)."""
        tables = cfg["tables"]
        if not self._is_postgres(cfg):
            self._test_generic(cfg)
            return
        conn = self._connect(cfg, "check")
        try:
            with conn.cursor() as cur:
                for i, item in enumerate(tables):
                    key = f"tables[{i}]" + (".table" if "table" in item else ".query")
                    try:
                        cur.execute(pgsql.SQL("SELECT * FROM ({}) AS _longan_q LIMIT 0").format(
                            self._relation(item)))
                    except psycopg2.errors.UndefinedTable as exc:
                        conn.rollback()
                        what = self._item_key(item)
                        raise err(key, f"không có bảng hoặc khung nhìn '{what}' trong cơ sở "
                                  "dữ liệu nguồn", f"no table or view '{what}' at the "
                                  "source") from exc
                    except psycopg2.errors.InsufficientPrivilege as exc:
                        conn.rollback()
                        raise err(key, f"người dùng '{make_url(cfg['url']).username}' không "
                                  f"có quyền đọc '{self._item_key(item)}'",
                                  "permission denied") from exc
                    except psycopg2.Error as exc:
                        conn.rollback()
                        text = str(exc).strip().splitlines()[0]
                        raise err(key, f"không đọc được '{self._item_key(item)}' ({text})",
                                  f"cannot read it ({text})") from exc
        finally:
            conn.close()

    def _test_generic(self, cfg: dict[str, Any]) -> None:
        import sqlalchemy as sa

        try:
            engine = self._generic_engine(cfg)
        except ImportError as exc:
            raise err("url", f"máy chủ chưa cài trình điều khiển ({exc.name})",
                      f"the database driver is not installed ({exc.name})") from exc
        try:
            with engine.connect() as conn:
                for i, item in enumerate(cfg["tables"]):
                    try:
                        stmt = self._generic_select(item, engine)
                        if "table" in item:
                            stmt = stmt.limit(0)
                        conn.execution_options(stream_results=True).execute(stmt).close()
                    except sa.exc.DBAPIError as exc:
                        raise err(f"tables[{i}]", f"không đọc được '{self._item_key(item)}'",
                                  f"cannot read it ({type(exc.orig).__name__})") from exc
        except sa.exc.DBAPIError as exc:
            raise err("url", "không kết nối được cơ sở dữ liệu nguồn",
                      f"cannot connect to the source database ({type(exc.orig).__name__})"
                      ) from exc
        finally:
            engine.dispose()

    @staticmethod
    def _is_postgres(cfg: dict[str, Any]) -> bool:
        return make_url(cfg["url"]).get_backend_name() == "postgresql"

    @staticmethod
    def _relation(item: dict[str, Any]) -> pgsql.Composable:
        if "table" in item:
            return pgsql.SQL("SELECT * FROM {}.{}").format(
                pgsql.Identifier(item.get("schema") or "public"), pgsql.Identifier(item["table"]))
        return pgsql.SQL(item["query"].strip().rstrip(";"))

    def _columns(self, cur: Any, item: dict[str, Any]) -> tuple[list[loader.Column], str,
                                                                 list[str]]:
        """Columns of a table/query (with the item's type overrides), its comment, and the
        columns of type ``timestamptz`` (loaded as the province's local time)."""
        cur.execute(pgsql.SQL("SELECT * FROM ({}) AS _longan_q LIMIT 0").format(
            self._relation(item)))
        oids = [d.type_code for d in cur.description]
        names = [d.name for d in cur.description]
        cur.execute("SELECT oid, typname FROM pg_type WHERE oid = ANY(%s)", (oids,))
        type_names = dict(cur.fetchall())
        overrides = {k: _TYPE_OVERRIDES[v] for k, v in (item.get("types") or {}).items()}
        columns = [loader.Column(n, overrides.get(n) or _PG_TYPES.get(type_names.get(o), "text"), n)
                   for n, o in zip(names, oids, strict=True)]
        comment = ""
        if "table" in item:
            cur.execute("SELECT obj_description(to_regclass(%s), 'pg_class')",
                        (pgsql.SQL("{}.{}").format(
                            pgsql.Identifier(item.get("schema") or "public"),
                            pgsql.Identifier(item["table"])).as_string(cur),))
            comment = (cur.fetchone() or [None])[0] or ""
        tz = [n for n, o in zip(names, oids, strict=True) if type_names.get(o) == "timestamptz"]
        return columns, comment, tz

    def _copy_out_sql(self, item: dict[str, Any], columns: list[loader.Column],
                      tz: list[str]) -> pgsql.Composable:
        """``COPY (SELECT …) TO STDOUT`` with the values cast to text."""
        exprs = []
        for c in columns:
            ident = pgsql.Identifier(c.id)
            if c.id in tz:  # timestamptz → local time of the province
                exprs.append(pgsql.SQL("({} AT TIME ZONE 'Asia/Ho_Chi_Minh')::text").format(ident))
            else:
                exprs.append(pgsql.SQL("{}::text").format(ident))
        return pgsql.SQL("COPY (SELECT {} FROM ({}) AS _longan_q) TO STDOUT").format(
            pgsql.SQL(", ").join(exprs), self._relation(item))

    @staticmethod
    def _pipe_copy(conn: Any, statement: str, consume: Any) -> None:
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

    # ------------------------------------------------------------------------------- the stages
    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        try:
            cfg = json.loads(self.check_config(harvest_job.source.config))
        except (ConfigError, ValueError) as exc:
            self._save_gather_error(f"Cấu hình nguồn không hợp lệ / invalid source config: {exc}",
                                    harvest_job)
            return None
        items = {}
        for item in cfg["tables"]:
            guid = f"{harvest_job.source.id}:{self._item_key(item)}"
            items[guid] = item
        unchanged: set[str] = set()
        if self._is_postgres(cfg):
            try:
                with owner_scope(harvest_job.source.id):
                    conn = self._connect(cfg)
            except ConfigError as exc:
                self._save_gather_error(str(exc), harvest_job)
                return None
            previous = self._previous_objects(harvest_job.source.id)
            try:
                with conn.cursor() as cur:
                    for guid, item in list(items.items()):
                        if "table" not in item:
                            continue
                        name = pgsql.SQL("{}.{}").format(
                            pgsql.Identifier(item.get("schema") or "public"),
                            pgsql.Identifier(item["table"])).as_string(cur)
                        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
                        if not cur.fetchone()[0]:
                            log.info("%s: table gone at the source", guid)
                            del items[guid]
                if cfg.get("check_in_gather", True):
                    unchanged = self._unchanged_in_gather(conn, items, previous)
            except psycopg2.Error as exc:
                log.warning("gather-time change check failed, fetching all: %s", exc)
                unchanged = set()
            finally:
                conn.close()
        ids = self._gather_objects(harvest_job, items, keep=unchanged)
        if unchanged:
            log.info("%s: %d bảng không đổi / unchanged tables skipped", harvest_job.source.id,
                     len(unchanged))
        return ids

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
            columns, comment, tz = self._columns(cur, item)
        hasher = loader.HashingReader(None)  # type: ignore[arg-type]

        def consume(source: Any) -> None:
            hasher.raw = source
            while hasher.read(1 << 20):
                pass

        self._pipe_copy(conn, self._copy_out_sql(item, columns, tz).as_string(conn), consume)
        return self.content_hash(item, columns, hasher.sha256.hexdigest()), columns, comment, tz

    def _fetch(self, harvest_object: Any) -> bool | str:
        if self._status(harvest_object) == "delete":
            return True
        cfg = json.loads(harvest_object.source.config)
        item = json.loads(harvest_object.content)["item"]
        where = self._item_key(item)
        try:
            if not self._is_postgres(cfg):
                columns, data_sha, _problems = self._generic_hash(cfg, item)
                comment, tz = "", []
                new_hash = self.content_hash(item, columns, data_sha)
            else:
                conn = self._connect(cfg, "fetch")
                try:
                    new_hash, columns, comment, tz = self._hash(conn, item)
                finally:
                    conn.close()
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
        if self._status(harvest_object) == "delete":
            return self._withdraw(harvest_object)
        cfg = json.loads(harvest_object.source.config)
        content = json.loads(harvest_object.content)
        item = content["item"]
        where = self._item_key(item)
        columns = [loader.Column(c, t, c) for c, t in content["columns"]]
        title = content.get("comment") or item.get("table") or item.get("query_name")
        description = (f"Dữ liệu thu thập tự động từ CSDL dùng chung: `{where}`. / "
                       f"Harvested from the shared database: `{where}`.")
        try:
            if self._is_postgres(cfg):
                conn = self._connect(cfg, "import")
                hasher = loader.HashingReader(None)  # type: ignore[arg-type]

                def feed(copy_from: Any) -> None:
                    def consume(source: Any) -> None:
                        hasher.raw = source
                        copy_from(hasher)

                    self._pipe_copy(
                        conn, self._copy_out_sql(item, columns, content.get("tz") or [])
                        .as_string(conn), consume)

                try:
                    ok = self._import_rows(harvest_object, cfg, item, columns, feed, content,
                                           title, description)
                finally:
                    conn.close()
                data_sha = hasher.sha256.hexdigest()
            else:
                stream_holder: dict[str, Any] = {}

                def feed(copy_from: Any) -> None:
                    stream = loader.CopyTextStream(columns, self._generic_rows(cfg, item))
                    stream_holder["s"] = stream
                    copy_from(stream)
                    if stream.problems:
                        p = stream.problems[0]
                        raise loader.LoadError(f"giá trị '{p.value}' không hợp lệ cho kiểu "
                                               f"{p.kind}", row=p.row, column=p.column)

                ok = self._import_rows(harvest_object, cfg, item, columns, feed, content, title,
                                       description)
                data_sha = stream_holder["s"].sha256.hexdigest()
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
            log.exception("import of %s failed", where)
            return self._error(harvest_object, "Import",
                               f"{where}: lỗi khi nhập / import failed: {exc!r}")
        # what was loaded may differ from what was hashed at fetch time
        content = json.loads(harvest_object.content)
        content["hash"] = self.content_hash(item, columns, data_sha)
        harvest_object.content = json.dumps(content, ensure_ascii=False)
        harvest_object.save()
        return ok

    # ------------------------------------------------------------- other databases (SQLAlchemy)
    def _generic_engine(self, cfg: dict[str, Any]) -> Any:
        import sqlalchemy as sa

        host, port = self._host_port(cfg)
        try:
            address = netguard.resolve(host, port)[0][4][0]
        except netguard.BlockedAddress as exc:
            raise ConfigError(f"url: {exc}") from exc
        except OSError as exc:
            raise err("url", f"không tìm thấy máy chủ '{host}'", f"unknown host '{host}'"
                      ) from exc
        password = read_secret(cfg, "password", host=host, owner=source_owner.get())
        # the checked address, not the name: no second resolution by the driver
        url = make_url(cfg["url"]).set(password=password, host=address)
        return sa.create_engine(url, pool_pre_ping=True)

    def _generic_select(self, item: dict[str, Any], engine: Any) -> Any:
        import sqlalchemy as sa

        if "table" in item:
            table = sa.table(item["table"], schema=item.get("schema"))
            return sa.select(sa.text("*")).select_from(table)
        return sa.text(item["query"].strip().rstrip(";"))

    def _generic_rows(self, cfg: dict[str, Any], item: dict[str, Any]) -> Iterator[Any]:
        engine = self._generic_engine(cfg)
        try:
            with engine.connect() as conn:
                if engine.dialect.name in ("mysql", "oracle", "mssql"):
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY") if engine.dialect.name != \
                        "mssql" else None
                result = conn.execution_options(stream_results=True).execute(
                    self._generic_select(item, engine))
                while chunk := result.fetchmany(CHUNK_ROWS):
                    yield from chunk
                conn.rollback()
        finally:
            engine.dispose()

    def _generic_hash(self, cfg: dict[str, Any], item: dict[str, Any]) -> tuple[
            list[loader.Column], str, list[loader.RowProblem]]:
        engine = self._generic_engine(cfg)
        try:
            with engine.connect() as conn:
                result = conn.execute(self._generic_select(item, engine))
                sample = result.fetchmany(200)
                keys = list(result.keys())
                result.close()
        finally:
            engine.dispose()
        overrides = {k: _TYPE_OVERRIDES[v] for k, v in (item.get("types") or {}).items()}
        columns = [loader.Column(k, overrides.get(k) or _infer([r[i] for r in sample]), k)
                   for i, k in enumerate(keys)]
        stream = loader.CopyTextStream(columns, self._generic_rows(cfg, item))
        stream.drain()
        return columns, stream.sha256.hexdigest(), stream.problems


def _infer(values: list[Any]) -> str:
    import datetime as dt
    import decimal

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
