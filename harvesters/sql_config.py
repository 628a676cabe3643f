"""What a ``longan_sql`` source config may say, checked without connecting (the format is shown
in :mod:`.sql`).

The URL carries no password and only the libpq parameters of :data:`URL_PARAMETERS`; each item
is a table (``schema`` + ``table``) or a named query that must be a single ``SELECT``; declared
column types are DataStore types; the rest of an item is dataset metadata (:mod:`.config`).
"""
from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.engine import make_url

from . import sql_partitions
from .config import (
    err,
    load_config,
    validate_bool,
    validate_column_types,
    validate_common,
    validate_metadata,
    validate_temporal_column,
)
from .secrets import validate_secret_ref

# a declared column type → DataStore column type
TYPE_OVERRIDES = {"int": "int4", "integer": "int4", "bigint": "int8", "int4": "int4",
                  "int8": "int8", "numeric": "numeric", "float": "numeric", "date": "date",
                  "timestamp": "timestamp", "text": "text", "bool": "bool", "boolean": "bool"}
_QUERY_START = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
# libpq parameters a source URL may set (?sslmode=require): none that picks another host, reads a
# file of the server or changes who connects
URL_PARAMETERS = ("sslmode", "target_session_attrs", "gssencmode", "channel_binding",
                  "keepalives", "keepalives_idle")
ITEM_KEYS = ("schema", "table", "query_name", "query", "types", "description",
             "temporal_column", "partitions_as_series")


def is_single_select(query: str) -> bool:
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


def check_sql_config(config: str | None) -> str:
    """Check the config alone (no connection); the normalised JSON."""
    cfg = load_config(config)
    if not cfg:
        raise err("config", "a JSON config with 'url' and 'tables' is needed")
    _check_url(cfg.get("url"))
    validate_common(cfg)
    validate_bool(cfg, "check_in_gather", True)
    validate_secret_ref(cfg, "password")
    tables = cfg.get("tables")
    if not isinstance(tables, list) or not tables:
        raise err("tables", "must be a non-empty list of tables")
    seen = set()
    for i, item in enumerate(tables):
        where = f"tables[{i}]"
        _check_item(item, where)
        sql_partitions.check_option(item, where, is_postgres(cfg))
        key = item_key(item)
        if key in seen:
            raise err(where, "is listed twice")
        seen.add(key)
    return json.dumps(cfg, ensure_ascii=False)


def _check_url(url: Any) -> None:
    if not isinstance(url, str) or not url:
        raise err("url", "missing the database SQLAlchemy URL")
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise err("url", "invalid URL") from exc
    if parsed.password is not None:
        raise err("url", "must not contain a password; use password_env or password_file")
    bad = sorted(k for k in parsed.query if k not in URL_PARAMETERS)
    if bad:
        raise err("url", "parameters not allowed %(bad)s; only %(allowed)s may be used", bad=bad,
                  allowed=", ".join(URL_PARAMETERS))


def _check_item(item: Any, where: str) -> None:
    """One entry of ``tables``: a table or a named query, its column types and metadata."""
    if not isinstance(item, dict):
        raise err(where, "must be a JSON object")
    if "table" in item:
        if not isinstance(item["table"], str) or not item["table"]:
            raise err(where + ".table", "must be a table name")
        if not isinstance(item.get("schema", "public"), str):
            raise err(where + ".schema", "must be a schema name")
    elif "query_name" in item:
        if not isinstance(item.get("query"), str) or not is_single_select(item["query"]):
            raise err(where + ".query", "must be a single SELECT statement")
    else:
        raise err(where, "needs 'table' or 'query_name' + 'query'")
    validate_column_types(item.get("types"), TYPE_OVERRIDES, f"{where}.types")
    validate_metadata({k: v for k, v in item.items() if k not in ITEM_KEYS}, where)
    validate_temporal_column(item, where)


def item_key(item: dict[str, Any]) -> str:
    """``schema.table`` or ``query.name``: what an item is called in guids and messages."""
    if "table" in item:
        return f"{item.get('schema') or 'public'}.{item['table']}"
    return f"query.{item['query_name']}"


def type_overrides(item: dict[str, Any]) -> dict[str, str]:
    """The item's declared column types, as DataStore types."""
    return {k: TYPE_OVERRIDES[v] for k, v in (item.get("types") or {}).items()}


def host_port(cfg: dict[str, Any]) -> tuple[str, int | None]:
    url = make_url(cfg["url"])
    default = 5432 if url.get_backend_name() == "postgresql" else None
    return url.host or "127.0.0.1", url.port or default


def is_postgres(cfg: dict[str, Any]) -> bool:
    return make_url(cfg["url"]).get_backend_name() == "postgresql"
