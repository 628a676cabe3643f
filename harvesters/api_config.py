"""What a ``longan_api`` source config may say, checked without a request (the format is shown in
:mod:`.api`).

``base_url`` is an http(s) URL without credentials; ``auth`` names its secret (never holds it);
``token_url`` and every endpoint path stay on ``base_url``'s host; timeouts, retries, back-off and
rate limit are bounded; declared column types are DataStore types; the rest of an endpoint is
dataset metadata (:mod:`.config`).
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from .config import (
    err,
    load_config,
    validate_column_types,
    validate_common,
    validate_metadata,
    validate_temporal_column,
)
from .http_client import same_origin
from .secrets import validate_secret_ref

PAGINATION = ("page", "offset", "cursor", "none")
# a declared column type → DataStore column type
TYPES = {"int": "int8", "integer": "int8", "int4": "int4", "int8": "int8", "bigint": "int8",
         "numeric": "numeric", "float": "numeric", "date": "date", "timestamp": "timestamp",
         "text": "text", "bool": "bool", "boolean": "bool"}
SECRET_OF = {"api_key": "key", "oauth2": "client_secret"}  # auth type → secret prefix
ITEM_KEYS = ("path", "records_path", "pagination", "columns", "params", "description",
             "temporal_column")
# the client's settings: (key, lowest, highest)
LIMITS = (("timeout", 1, 600), ("retries", 0, 10), ("backoff", 0, 60), ("rate_limit", 0, 1000))


def check_api_config(config: str | None) -> str:
    """Check the config alone (no request); the normalised JSON."""
    cfg = load_config(config)
    if not cfg:
        raise err("config", "a JSON config with 'base_url' and 'endpoints' is needed")
    url = cfg.get("base_url")
    if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
        raise err("base_url", "must be an http(s) URL")
    if "@" in url.split("/")[2]:
        raise err("base_url", "must not contain credentials")
    validate_common(cfg)
    _check_auth(cfg.get("auth") or {"type": "none"}, url)
    _check_limits(cfg)
    endpoints = cfg.get("endpoints")
    if not isinstance(endpoints, list) or not endpoints:
        raise err("endpoints", "must be a non-empty list")
    seen: set[str] = set()
    for i, item in enumerate(endpoints):
        _check_endpoint(item, f"endpoints[{i}]", url, seen)
    return json.dumps(cfg, ensure_ascii=False)


def on_base_host(url: str, path: str) -> bool:
    """Whether ``path`` joined to the base URL ``url`` stays on its host."""
    return same_origin(url, urljoin(url.rstrip("/") + "/", path))


def _check_auth(auth: Any, url: str) -> None:
    """``auth``: its type, and the names (never the values) of its secret."""
    if not isinstance(auth, dict) or auth.get("type") not in ("none", "api_key", "oauth2"):
        raise err("auth.type", "must be none, api_key or oauth2")
    for forbidden in ("key", "client_secret", "token", "password"):
        if forbidden in auth:
            raise err(f"auth.{forbidden}",
                      "secrets must not be stored in the config; use *_env or *_file")
    if auth["type"] == "api_key":
        validate_secret_ref(auth, "key", "auth.")
    if auth["type"] == "oauth2":
        for key in ("token_url", "client_id"):
            if not isinstance(auth.get(key), str) or not auth[key]:
                raise err(f"auth.{key}", "required for oauth2")
        if not on_base_host(url, auth["token_url"]):
            raise err("auth.token_url", "must stay on the host of base_url")
        validate_secret_ref(auth, "client_secret", "auth.")


def _check_limits(cfg: dict[str, Any]) -> None:
    for key, low, high in LIMITS:
        value = cfg.get(key)
        if value is not None and (not isinstance(value, int | float) or isinstance(
                value, bool) or not low <= value <= high):
            raise err(key, "must be a number from %(low)s to %(high)s", low=low, high=high)


def _check_endpoint(item: Any, where: str, url: str, seen: set[str]) -> None:
    """One entry of ``endpoints``: its path (on base_url's host, listed once), pagination,
    column types and metadata; its path is added to ``seen``."""
    if not isinstance(item, dict) or not isinstance(item.get("path"), str):
        raise err(where + ".path", "required (the endpoint path)")
    if not on_base_host(url, item["path"]):
        raise err(where + ".path", "must stay on the host of base_url")
    if item["path"] in seen:
        raise err(where + ".path", "is listed twice")
    seen.add(item["path"])
    pagination = item.get("pagination") or {"type": "none"}
    if not isinstance(pagination, dict) or pagination.get("type") not in PAGINATION:
        raise err(where + ".pagination.type", "must be page, offset, cursor or none")
    size = pagination.get("size", 100)
    if not isinstance(size, int) or not 1 <= size <= 10_000:
        raise err(where + ".pagination.size", "must be an integer 1–10000")
    validate_column_types(item.get("columns"), TYPES, f"{where}.columns")
    validate_metadata({k: v for k, v in item.items() if k not in ITEM_KEYS}, where)
    validate_temporal_column(item, where)
