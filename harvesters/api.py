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

This module holds the harvest stages; the config check is :mod:`.api_config`, HTTP
:mod:`.http_client`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.lang import Message
from ckanext.longan_opendata.security import netguard

from . import base, completeness, copy_text, loader
from .api_config import SECRET_OF, TYPES, check_api_config
from .config import ConfigError, check_connection_enabled, err
from .http_client import ApiError, Client, dig, page_query
from .secrets import check_secret_binding, owner_of, source_owner

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


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



class LonganApiHarvester(base.LonganHarvester):
    """JSON endpoints of the LGSP or another REST service."""

    def info(self) -> dict[str, str]:
        return {
            "name": "longan_api",
            "title": tk._("LGSP service / REST API"),
            "description": tk._("Harvests JSON records of the LGSP (the province's data-sharing "
                                "platform) or a REST API into the DataStore."),
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
            raise ConfigError(exc, "base_url") from exc
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
        first = int(pagination.get("start", 1)) if pagination.get("type") == "page" else 0
        try:
            document = client.get_json(item["path"], page_query(item, first, 1),
                                       "endpoints[0].path")
        except ApiError as exc:
            key = "auth" if exc.status in (401, 403) else "endpoints[0].path"
            if exc.unreachable:
                key = "base_url"
            raise ConfigError(exc, key) from exc
        if not isinstance(dig(document, item.get("records_path")), list):
            raise err("endpoints[0].records_path",
                      "no list of records at '%(records)s' in the response",
                      records=item.get("records_path"))

    def check_config(self, config: str | None) -> str:
        """Check the config alone (no request); the normalised JSON."""
        return check_api_config(config)

    def gather_stage(self, harvest_job: Any) -> list[str] | None:
        cfg = self._gather_config(harvest_job)
        if cfg is None:
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
        declared = {k: TYPES[v] for k, v in (item.get("columns") or {}).items()}
        columns = [loader.Column(k, declared.get(k) or infer_type(v), k) for k, v in keys.items()]
        return path, columns, sha.hexdigest(), count

    def _fetch(self, harvest_object: Any) -> bool | str:
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
            return self._error(harvest_object, "Fetch", Message("%(where)s: %(error)s",
                                                                where=item["path"], error=exc))
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
        cfg = json.loads(harvest_object.source.config)
        content = json.loads(harvest_object.content)
        item = content["item"]
        spool = content.pop("spool", None)
        try:
            if not spool or not os.path.exists(spool):  # imported on another machine
                spool, columns, _sha, _n = self._download(
                    harvest_object.harvest_source_id, cfg, item)
            columns = self._stored_columns(content)

            def rows() -> Iterator[dict[str, Any]]:
                with open(spool, encoding="utf-8") as lines:
                    for line in lines:
                        yield json.loads(line)

            def feed(copy_from: Any) -> None:
                stream = copy_text.CopyTextStream(columns, rows())
                copy_from(stream)
                if stream.problems:
                    shown = "; ".join(str(Message(
                        "row %(row)s, column %(column)s: '%(value)s' is not %(kind)s",
                        row=p.row, column=p.column, value=p.value, kind=p.kind))
                        for p in stream.problems[:20])
                    raise loader.LoadError(
                        Message("%(n)s malformed records (%(shown)s)", n=len(stream.problems),
                                shown=shown),
                        row=stream.problems[0].row, column=stream.problems[0].column)

            if item.get(completeness.TEMPORAL_KEY):
                content["temporal"] = completeness.records_period(
                    spool, item[completeness.TEMPORAL_KEY])
            title = item.get("title") or item["path"]
            description = Message(
                "Harvested automatically from the service `%(path)s` (%(date)s).",
                path=item["path"], date=dt.date.today().isoformat())
            return self._import_rows(harvest_object, cfg, item, columns, feed, content, title,
                                     description)
        except loader.LoadError as exc:
            return self._error(harvest_object, "Import", Message(
                "%(where)s: %(error)s; the previous version is kept", where=item["path"],
                error=exc), exc.row)
        except (ApiError, ConfigError) as exc:
            return self._error(harvest_object, "Import", Message("%(where)s: %(error)s",
                                                                 where=item["path"], error=exc))
        except Exception as exc:
            return self._import_failed(harvest_object, item["path"], exc)
        finally:
            if spool and os.path.exists(spool):
                os.unlink(spool)
