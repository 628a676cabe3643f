"""A partitioned table as a dataset series (issue 12): the ``partitions_as_series`` option of a
``longan_sql`` table item.

``{"schema": "thong_ke", "table": "chi_tieu", "partitions_as_series": "nien-giam-thong-ke"}``
harvests each partition of the (yearly) partitioned table as one dataset, an edition of the
named series (``in_series``), with its year's period (``temporal_start``/``temporal_end``) and
title (the table's title or comment followed by the year). The partitions are listed in the
gather stage (PostgreSQL's catalogue); each has its own guid, so a new year adds an edition and
a dropped partition withdraws one. A partition's year is the first four-digit number of its
bound (``FOR VALUES FROM (2020) TO (2021)``, ``IN (2020)``, ``FROM ('2020-01-01') …``).
"""
from __future__ import annotations

import re
from typing import Any

from psycopg2 import sql as pgsql

from .config import err

__all__ = ["OPTION", "check_option", "expand"]

OPTION = "partitions_as_series"
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_PARTITIONS = """
SELECT n.nspname, c.relname, pg_get_expr(c.relpartbound, c.oid),
       obj_description(i.inhparent, 'pg_class')
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.inhparent = to_regclass(%s)
"""


def check_option(item: dict[str, Any], where: str, postgres: bool) -> None:
    """The option's config check (no connection)."""
    if OPTION not in item:
        return
    value = item[OPTION]
    if not isinstance(value, str) or not value.strip():
        raise err(f"{where}.{OPTION}", "must be the name or id of a dataset series")
    if "table" not in item:
        raise err(f"{where}.{OPTION}", "only applies to a table item")
    if not postgres:
        raise err(f"{where}.{OPTION}", "only PostgreSQL partitioned tables are supported")


def _edition(item: dict[str, Any], schema: str, table: str, year: int,
             base_title: str) -> dict[str, Any]:
    edition = {k: v for k, v in item.items() if k not in (OPTION, "schema", "table")}
    edition.update({"schema": schema, "table": table, "in_series": [item[OPTION]],
                    "title": f"{base_title} {year}",
                    "temporal_start": f"{year}-01-01", "temporal_end": f"{year}-12-31"})
    if item.get("title_en"):
        edition["title_en"] = f"{item['title_en']} {year}"
    if item.get("name"):
        edition["name"] = f"{item['name']}-{year}"
    return edition


def partitions(cur: Any, item: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    """(schema, partition, year, parent comment) of each partition of ``item``'s table with a
    year in its bound, oldest first."""
    parent = pgsql.SQL("{}.{}").format(pgsql.Identifier(item.get("schema") or "public"),
                                       pgsql.Identifier(item["table"])).as_string(cur)
    cur.execute(_PARTITIONS, (parent,))
    found = []
    for schema, table, bound, comment in cur.fetchall():
        year = _YEAR.search(bound or "")
        if year:
            found.append((schema, table, int(year.group(1)), comment or ""))
    return sorted(found, key=lambda p: p[2])


def expand(conn: Any, items: dict[str, dict[str, Any]], source_id: str) -> dict[str, Any]:
    """``items`` (guid → item) with each ``partitions_as_series`` item replaced by one item per
    partition (guid ``source:schema.partition``)."""
    expanded: dict[str, dict[str, Any]] = {}
    for guid, item in items.items():
        if OPTION not in item:
            expanded[guid] = item
            continue
        with conn.cursor() as cur:
            for schema, table, year, comment in partitions(cur, item):
                base_title = item.get("title") or comment or item["table"]
                expanded[f"{source_id}:{schema}.{table}"] = _edition(
                    item, schema, table, year, base_title)
        conn.rollback()
    return expanded
