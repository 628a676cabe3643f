"""``longan_api``: harvests JSON endpoints of the LGSP (the province's data-sharing platform) or any
REST service.

Source config (JSON)::

    {
      "base_url": "http://127.0.0.1:8765",
      "auth": {"type": "api_key", "header": "X-API-Key",
               "key_env": "LONGAN_HARVEST_LGSP_API_KEY"},
      #   or  {"type": "oauth2", "token_url": "/oauth/token", "client_id": "cong-du-lieu-mo",
      #        "client_secret_env": "LONGAN_HARVEST_LGSP_CLIENT_SECRET"}
      "timeout": 15, "retries": 4, "backoff": 0.5, "rate_limit": 5,
      "auto_publish": true,
      "defaults": {"license_id": "vn-open-data-1.0", "frequency": "monthly"},
      "endpoints": [
        {"path": "/api/v1/dan-so", "records_path": "data.items",
         "pagination": {"type": "page", "page_param": "page", "size_param": "size", "size": 200},
         "columns": {"nam": "int"}, "title": "Dân số theo xã (LGSP)", "theme": ["dan-cu-xa-hoi"]},
        {"path": "/api/v1/truong-hoc", "records_path": "result.records",
         "pagination": {"type": "offset", "offset_param": "offset", "limit_param": "limit",
                        "size": 100}},
        {"path": "/api/v1/dich-vu-cong", "records_path": "items",
         "pagination": {"type": "cursor", "cursor_param": "cursor", "next_path": "next_cursor",
                        "size_param": "limit", "size": 100}}
      ]
    }

Secrets (API key, OAuth2 client secret) are named, never stored: ``key_env``/``key_file`` and
``client_secret_env``/``client_secret_file`` as for the SQL harvester, and usable only with the
hosts and organisations ``ckanext.longan_opendata.harvest.secret_bindings`` binds them to;
``token_url`` and the endpoint paths stay on ``base_url``'s host. Every connection goes through
:mod:`ckanext.longan_opendata.security.netguard` (no internal address unless allowed, checked on the
address connected to, redirects included). Requests time out after
``timeout`` seconds, are retried ``retries`` times with exponential back-off on 429 (honouring
``Retry-After``), 5xx and connection errors, and spaced to at most ``rate_limit`` requests per
second per source. An OAuth2 token is refreshed when it expires or a request answers 401.
An endpoint answering 404 is gone: its dataset is withdrawn (private, with a note).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

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
from .secrets import check_secret_binding, owner_of, read_secret, source_owner, validate_secret_ref

log = logging.getLogger(__name__)

PAGINATION = ("page", "offset", "cursor", "none")
_TYPES = {"int": "int8", "integer": "int8", "int4": "int4", "int8": "int8", "bigint": "int8",
          "numeric": "numeric", "float": "numeric", "date": "date", "timestamp": "timestamp",
          "text": "text", "bool": "bool", "boolean": "bool"}
SECRET_OF = {"api_key": "key", "oauth2": "client_secret"}  # auth type → secret prefix
ITEM_KEYS = ("path", "records_path", "pagination", "columns", "params", "description")
MAX_PAGES = 100_000
_last_request: dict[str, float] = {}
_rate_lock = threading.Lock()
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class ApiError(Exception):
    """An HTTP problem, bilingual, that ends the fetch of one endpoint."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def dig(document: Any, path: str | None) -> Any:
    """``dig({"data": {"items": [1]}}, "data.items") == [1]``."""
    if not path:
        return document
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document


def infer_type(values: list[Any]) -> str:
    """DataStore type of a column from a sample of JSON values."""
    present = [v for v in values if v is not None and v != ""]
    if not present:
        return "text"
    if all(isinstance(v, bool) for v in present):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int8"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "numeric"
    if all(isinstance(v, str) and _DATE.match(v) for v in present):
        return "date"
    if all(isinstance(v, str) and _DATETIME.match(v) for v in present):
        return "timestamp"
    return "text"


def same_origin(base_url: str, url: str) -> bool:
    """Whether ``url`` has the scheme, host and port of ``base_url``."""
    a, b = urlsplit(base_url), urlsplit(url)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False


class Client:
    """HTTP for one source: auth, timeouts, retries with back-off, rate limit."""

    def __init__(self, source_id: str, cfg: dict[str, Any], owner: frozenset[str] | None):
        self.source_id = source_id
        self.cfg = cfg
        self.owner = owner  # the source's organisation, for the secret bindings
        self.base_url = cfg["base_url"].rstrip("/") + "/"
        self.host = urlsplit(self.base_url).hostname
        self.timeout = float(cfg.get("timeout", 15))
        self.retries = int(cfg.get("retries", 4))
        self.backoff = float(cfg.get("backoff", 0.5))
        self.rate = float(cfg.get("rate_limit", 0) or 0)
        self.session = netguard.guarded_session()
        self.session.headers["User-Agent"] = "ckanext-longan_opendata harvester"
        self.auth = cfg.get("auth") or {"type": "none"}
        self._token: str | None = None
        self._token_expires = 0.0

    # auth
    def _fetch_token(self) -> None:
        url = self._url(self.auth["token_url"], "auth.token_url")
        secret = read_secret(self.auth, "client_secret", host=self.host, owner=self.owner,
                             where="auth.")
        response = self._send("POST", url, data={
            "grant_type": "client_credentials", "client_id": self.auth["client_id"],
            "client_secret": secret, **({"scope": self.auth["scope"]}
                                        if self.auth.get("scope") else {})}, auth=False)
        if response.status_code != 200:
            raise ApiError(f"xác thực OAuth2 thất bại (HTTP {response.status_code}) / OAuth2 "
                           f"authentication failed (HTTP {response.status_code})",
                           response.status_code)
        body = response.json()
        self._token = body["access_token"]
        self._token_expires = time.monotonic() + float(body.get("expires_in", 300)) - 5

    def _auth_headers(self) -> dict[str, str]:
        kind = self.auth.get("type", "none")
        if kind == "api_key":
            return {self.auth.get("header", "X-API-Key"): read_secret(
                self.auth, "key", host=self.host, owner=self.owner, where="auth.")}
        if kind == "oauth2":
            if not self._token or time.monotonic() >= self._token_expires:
                self._fetch_token()
            return {"Authorization": f"Bearer {self._token}"}
        return {}

    def _url(self, path: str, where: str) -> str:
        """``path`` joined to ``base_url``; ConfigError when it leaves base_url's host."""
        url = urljoin(self.base_url, path)
        if not same_origin(self.base_url, url):
            raise err(where, "phải nằm trên cùng máy chủ với base_url",
                      "must stay on the host of base_url")
        return url

    def _wait_rate(self) -> None:
        if self.rate <= 0:
            return
        with _rate_lock:
            now = time.monotonic()
            next_slot = _last_request.get(self.source_id, 0.0) + 1.0 / self.rate
            if next_slot > now:
                time.sleep(next_slot - now)
            _last_request[self.source_id] = time.monotonic()

    def _send(self, method: str, url: str, auth: bool = True, **kw: Any) -> requests.Response:
        """One request with retries on 429/5xx/connection errors and back-off; redirects followed
        only on base_url's host (the auth header would go along)."""
        refreshed = False
        attempt = 0
        redirects = 0
        while True:
            self._wait_rate()
            headers = self._auth_headers() if auth else {}
            try:
                response = self.session.request(method, url, headers=headers,
                                                timeout=self.timeout, allow_redirects=False, **kw)
            except netguard.BlockedAddress as exc:
                raise ConfigError(f"base_url: {exc}") from exc
            except requests.RequestException as exc:
                if attempt >= self.retries:
                    raise ApiError(f"không kết nối được {url} sau {attempt + 1} lần thử ({exc}) / "
                                   f"cannot reach {url} after {attempt + 1} attempts") from exc
                self._sleep(attempt, None)
                attempt += 1
                continue
            if response.status_code == 401 and auth and self.auth.get("type") == "oauth2" \
                    and not refreshed:
                self._token = None  # expired or revoked: get a new one, once
                refreshed = True
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt >= self.retries:
                    raise ApiError(f"{url} trả lỗi HTTP {response.status_code} sau {attempt + 1} "
                                   f"lần thử / answered HTTP {response.status_code} after "
                                   f"{attempt + 1} attempts", response.status_code)
                self._sleep(attempt, response.headers.get("Retry-After"))
                attempt += 1
                continue
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                if redirects >= 5 or not same_origin(self.base_url, target):
                    raise ApiError(f"{url} chuyển hướng sang {target}: không theo (khác máy chủ "
                                   f"hoặc quá nhiều lần) / redirects to {target}: not followed "
                                   "(another host or too many)", response.status_code)
                url, redirects = target, redirects + 1
                kw.pop("params", None)
                if response.status_code == 303:
                    method = "GET"
                    kw.pop("data", None)
                continue
            return response

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2 ** attempt)
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), 60.0))
        time.sleep(delay)

    def get_json(self, path: str, params: dict[str, Any], where: str = "endpoints.path") -> Any:
        url = self._url(path.lstrip("/"), where)
        response = self._send("GET", url, params=params)
        if response.status_code == 404:
            raise ApiError(f"{path}: không tồn tại (HTTP 404) / not found (HTTP 404)", 404)
        if response.status_code in (401, 403):
            raise ApiError(f"{path}: bị từ chối truy cập (HTTP {response.status_code}), kiểm tra "
                           f"khóa/bí mật / access denied, check the key or secret",
                           response.status_code)
        if response.status_code >= 400:
            raise ApiError(f"{path}: lỗi HTTP {response.status_code} / HTTP error "
                           f"{response.status_code}", response.status_code)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(f"{path}: phản hồi không phải JSON / the response is not JSON") from exc

    def records(self, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every record of an endpoint, page after page."""
        pagination = item.get("pagination") or {"type": "none"}
        kind = pagination.get("type", "none")
        size = int(pagination.get("size", 100))
        params = dict(item.get("params") or {})
        page = int(pagination.get("start", 1 if kind == "page" else 0))
        cursor = None
        for _ in range(MAX_PAGES):
            query = dict(params)
            if kind == "page":
                query[pagination.get("page_param", "page")] = page
                query[pagination.get("size_param", "size")] = size
            elif kind == "offset":
                query[pagination.get("offset_param", "offset")] = page
                query[pagination.get("limit_param", "limit")] = size
            elif kind == "cursor":
                query[pagination.get("size_param", "limit")] = size
                if cursor is not None:
                    query[pagination.get("cursor_param", "cursor")] = cursor
            document = self.get_json(item["path"], query)
            rows = dig(document, item.get("records_path"))
            if not isinstance(rows, list):
                raise ApiError(f"{item['path']}: không tìm thấy danh sách bản ghi tại "
                               f"'{item.get('records_path')}' / no list of records at that path")
            for row in rows:
                if not isinstance(row, dict):
                    raise ApiError(f"{item['path']}: bản ghi không phải đối tượng JSON / a "
                                   "record is not a JSON object")
                yield row
            if kind == "none":
                return
            if kind == "cursor":
                cursor = dig(document, pagination.get("next_path", "next_cursor"))
                if not cursor or not rows:
                    return
            else:
                if len(rows) < size:
                    return
                page += 1 if kind == "page" else size
        raise ApiError(f"{item['path']}: quá {MAX_PAGES} trang / more than {MAX_PAGES} pages")


class LonganApiHarvester(base.LonganHarvester):
    """JSON endpoints of the LGSP or another REST service."""

    def info(self) -> dict[str, str]:
        return {
            "name": "longan_api",
            "title": "Dịch vụ LGSP / REST API",
            "description": "Thu thập dữ liệu JSON từ nền tảng chia sẻ dữ liệu (LGSP) hoặc REST "
                           "API vào DataStore / Harvests JSON records of the LGSP or a REST API "
                           "into the DataStore.",
            "form_config_interface": "Text",
        }

    def validate_config(self, config: str | None) -> str:
        """The source form's check: the config; base_url's address (no internal network unless
        allowed) and the secret's binding to its host and the source's organisation, before any
        connection; then (switchable) one real request."""
        checked = self.check_config(config)
        cfg = json.loads(checked)
        owner = source_owner.get()
        parts = urlsplit(cfg["base_url"])
        try:
            netguard.check_url_host(parts.hostname, parts.port)
        except netguard.BlockedAddress as exc:
            raise ConfigError(f"base_url: {exc}") from exc
        auth = cfg.get("auth") or {"type": "none"}
        if auth["type"] in SECRET_OF:
            check_secret_binding(auth, SECRET_OF[auth["type"]], "auth.", parts.hostname,
                                 owner)
        if check_connection_enabled():
            self.test_connection(cfg, owner)
        return checked

    def test_connection(self, cfg: dict[str, Any], owner: frozenset[str] | None = None) -> None:
        """One request, with auth, for the first page of the first endpoint: ConfigError naming
        what failed (HTTP status, unknown host, records path); never the secret."""
        item = cfg["endpoints"][0]
        client = Client("connection-test", {**cfg, "retries": 0,
                                            "timeout": min(float(cfg.get("timeout", 15)), 10)},
                        owner)
        pagination = item.get("pagination") or {"type": "none"}
        query = dict(item.get("params") or {})
        kind = pagination.get("type", "none")
        if kind == "page":
            query[pagination.get("page_param", "page")] = int(pagination.get("start", 1))
            query[pagination.get("size_param", "size")] = 1
        elif kind == "offset":
            query[pagination.get("offset_param", "offset")] = 0
            query[pagination.get("limit_param", "limit")] = 1
        elif kind == "cursor":
            query[pagination.get("size_param", "limit")] = 1
        try:
            document = client.get_json(item["path"], query, "endpoints[0].path")
        except ApiError as exc:
            key = "auth" if exc.status in (401, 403) else "endpoints[0].path"
            if exc.status is None and "cannot reach" in str(exc):
                key = "base_url"
            raise ConfigError(f"{key}: {exc}") from exc
        if not isinstance(dig(document, item.get("records_path")), list):
            raise err("endpoints[0].records_path",
                      f"không tìm thấy danh sách bản ghi tại '{item.get('records_path')}' "
                      "trong phản hồi", "no list of records at that path in the response")

    def check_config(self, config: str | None) -> str:
        """Check the config alone (no request); the normalised JSON."""
        cfg = load_config(config)
        if not cfg:
            raise err("config", "cần cấu hình JSON với 'base_url' và 'endpoints'",
                      "a JSON config with 'base_url' and 'endpoints' is needed")
        url = cfg.get("base_url")
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise err("base_url", "phải là URL http(s)", "must be an http(s) URL")
        if "@" in url.split("/")[2]:
            raise err("base_url", "không được chứa thông tin đăng nhập",
                      "must not contain credentials")
        validate_common(cfg)
        auth = cfg.get("auth") or {"type": "none"}
        if not isinstance(auth, dict) or auth.get("type") not in ("none", "api_key", "oauth2"):
            raise err("auth.type", "phải là none, api_key hoặc oauth2",
                      "must be none, api_key or oauth2")
        for forbidden in ("key", "client_secret", "token", "password"):
            if forbidden in auth:
                raise err(f"auth.{forbidden}", "không được ghi bí mật trong cấu hình; dùng "
                          "*_env hoặc *_file", "secrets must not be stored in the config; "
                          "use *_env or *_file")
        if auth["type"] == "api_key":
            validate_secret_ref(auth, "key", "auth.")
        if auth["type"] == "oauth2":
            for key in ("token_url", "client_id"):
                if not isinstance(auth.get(key), str) or not auth[key]:
                    raise err(f"auth.{key}", "bắt buộc với oauth2", "required for oauth2")
            if not same_origin(url, urljoin(url.rstrip("/") + "/", auth["token_url"])):
                raise err("auth.token_url", "phải nằm trên cùng máy chủ với base_url",
                          "must stay on the host of base_url")
            validate_secret_ref(auth, "client_secret", "auth.")
        for key, low, high in (("timeout", 1, 600), ("retries", 0, 10), ("backoff", 0, 60),
                               ("rate_limit", 0, 1000)):
            value = cfg.get(key)
            if value is not None and (not isinstance(value, int | float) or isinstance(
                    value, bool) or not low <= value <= high):
                raise err(key, f"phải là số từ {low} đến {high}",
                          f"must be a number from {low} to {high}")
        endpoints = cfg.get("endpoints")
        if not isinstance(endpoints, list) or not endpoints:
            raise err("endpoints", "phải là danh sách không rỗng", "must be a non-empty list")
        seen = set()
        for i, item in enumerate(endpoints):
            where = f"endpoints[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                raise err(where + ".path", "bắt buộc (đường dẫn của dịch vụ)",
                          "required (the endpoint path)")
            if not same_origin(url, urljoin(url.rstrip("/") + "/", item["path"])):
                raise err(where + ".path", "phải nằm trên cùng máy chủ với base_url",
                          "must stay on the host of base_url")
            if item["path"] in seen:
                raise err(where + ".path", "bị lặp lại", "is listed twice")
            seen.add(item["path"])
            pagination = item.get("pagination") or {"type": "none"}
            if not isinstance(pagination, dict) or pagination.get("type") not in PAGINATION:
                raise err(where + ".pagination.type", "phải là page, offset, cursor hoặc none",
                          "must be page, offset, cursor or none")
            size = pagination.get("size", 100)
            if not isinstance(size, int) or not 1 <= size <= 10_000:
                raise err(where + ".pagination.size", "phải là số nguyên 1–10000",
                          "must be an integer 1–10000")
            for col, kind in (item.get("columns") or {}).items():
                if kind not in _TYPES:
                    raise err(f"{where}.columns.{col}", f"kiểu không hỗ trợ '{kind}'",
                              f"unsupported type '{kind}'")
            validate_metadata({k: v for k, v in item.items() if k not in ITEM_KEYS}, where)
        return json.dumps(cfg, ensure_ascii=False)

    # ------------------------------------------------------------------------------- the stages
    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        try:
            cfg = json.loads(self.check_config(harvest_job.source.config))
        except (ConfigError, ValueError) as exc:
            self._save_gather_error(f"Cấu hình nguồn không hợp lệ / invalid source config: {exc}",
                                    harvest_job)
            return None
        items = {f"{harvest_job.source.id}:{item['path']}": item for item in cfg["endpoints"]}
        return self._gather_objects(harvest_job, items)

    def _download(self, source_id: str, cfg: dict[str, Any], item: dict[str, Any]) -> tuple[
            str, list[loader.Column], str, int]:
        """Records → a spool file (JSON lines); returns its path, columns, data hash, count."""
        client = Client(source_id, cfg, owner_of(source_id))
        handle, path = tempfile.mkstemp(prefix="longan-api-", suffix=".jsonl")
        sha = hashlib.sha256()
        keys: dict[str, list[Any]] = {}
        count = 0
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as spool:
                for record in client.records(item):
                    line = json.dumps(record, ensure_ascii=False, sort_keys=True)
                    spool.write(line + "\n")
                    sha.update(line.encode("utf-8") + b"\n")
                    count += 1
                    for key, value in record.items():
                        sample = keys.setdefault(key, [])
                        if len(sample) < 1000 and value is not None:
                            sample.append(value)
        except BaseException:
            os.unlink(path)
            raise
        declared = {k: _TYPES[v] for k, v in (item.get("columns") or {}).items()}
        columns = [loader.Column(k, declared.get(k) or infer_type(v), k) for k, v in keys.items()]
        return path, columns, sha.hexdigest(), count

    def _fetch(self, harvest_object: Any) -> bool | str:
        if self._status(harvest_object) == "delete":
            return True
        cfg = json.loads(harvest_object.source.config)
        item = json.loads(harvest_object.content)["item"]
        try:
            spool, columns, data_sha, count = self._download(
                harvest_object.harvest_source_id, cfg, item)
        except ApiError as exc:
            if exc.status == 404 and harvest_object.package_id:
                harvest_object.extras[0].value = "delete"  # the endpoint is gone: withdraw
                harvest_object.save()
                return True
            return self._error(harvest_object, "Fetch", str(exc))
        except ConfigError as exc:
            return self._error(harvest_object, "Fetch", f"{item['path']}: {exc}")
        new_hash = self.content_hash(item, columns, data_sha)
        if self._unchanged(harvest_object, new_hash):
            os.unlink(spool)
            return "unchanged"
        harvest_object.content = json.dumps(
            {"item": item, "hash": new_hash, "spool": spool, "count": count,
             "columns": [[c.id, c.type] for c in columns]}, ensure_ascii=False)
        harvest_object.save()
        return True

    def _import(self, harvest_object: Any) -> bool | str:
        if self._status(harvest_object) == "delete":
            return self._withdraw(harvest_object)
        cfg = json.loads(harvest_object.source.config)
        content = json.loads(harvest_object.content)
        item = content["item"]
        spool = content.pop("spool", None)
        try:
            if not spool or not os.path.exists(spool):  # imported on another machine
                spool, columns, _sha, _n = self._download(
                    harvest_object.harvest_source_id, cfg, item)
            columns = [loader.Column(c, t, c) for c, t in content["columns"]]

            def rows() -> Iterator[dict[str, Any]]:
                with open(spool, encoding="utf-8") as lines:
                    for line in lines:
                        yield json.loads(line)

            def feed(copy_from: Any) -> None:
                stream = loader.CopyTextStream(columns, rows())
                copy_from(stream)
                if stream.problems:
                    shown = "; ".join(
                        f"dòng {p.row}, cột {p.column}: '{p.value}' không phải {p.kind}"
                        for p in stream.problems[:20])
                    raise loader.LoadError(
                        f"{len(stream.problems)} bản ghi sai kiểu ({shown}) / "
                        f"{len(stream.problems)} malformed records",
                        row=stream.problems[0].row, column=stream.problems[0].column)

            title = item.get("title") or item["path"]
            description = (f"Dữ liệu thu thập tự động từ dịch vụ `{item['path']}` "
                           f"({dt.date.today().isoformat()}). / Harvested from the service "
                           f"`{item['path']}`.")
            return self._import_rows(harvest_object, cfg, item, columns, feed, content, title,
                                     description)
        except loader.LoadError as exc:
            return self._error(harvest_object, "Import",
                               f"{item['path']}: {exc} — phiên bản trước được giữ nguyên / the "
                               "previous version is kept", exc.row)
        except (ApiError, ConfigError) as exc:
            return self._error(harvest_object, "Import", f"{item['path']}: {exc}")
        except Exception as exc:
            log.exception("import of %s failed", item["path"])
            return self._error(harvest_object, "Import",
                               f"{item['path']}: lỗi khi nhập / import failed: {exc!r}")
        finally:
            if spool and os.path.exists(spool):
                os.unlink(spool)
