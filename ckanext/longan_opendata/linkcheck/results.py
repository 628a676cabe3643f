"""Reading and writing the ``longan_link_check`` table (one row per resource: its latest check)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.longan_opendata.model import link_check_table
from ckanext.longan_opendata.portal import boxes

__all__ = ["KEYS", "results_for", "results_for_packages", "save"]

#: the keys of each result, in this order
KEYS = ("url", "status", "http_status", "checked_at", "broken_since", "final_url",
        "content_type", "size", "format_ok", "error")

_DATES = ("checked_at", "broken_since")


def _as_dict(row: Any) -> dict[str, Any]:
    found = {key: getattr(row, key) for key in KEYS}
    for key in _DATES:
        if found[key] is not None:
            found[key] = found[key].isoformat()
    return found


def results_for(resource_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The latest check of each of ``resource_ids`` that has been checked.

    :param resource_ids: resource ids (unknown or never checked ones are left out)
    :returns: ``{resource_id: {url, status, http_status, checked_at, broken_since, final_url,
        content_type, size, format_ok, error}}``; ``status`` is ``ok``, ``broken`` or
        ``mislabelled``; the dates are ISO 8601 strings in UTC (``broken_since`` is None unless
        broken); ``format_ok`` is None when the format was not checked (no bytes, unknown format)
    """
    ids = [rid for rid in dict.fromkeys(resource_ids or []) if rid]
    if not ids:
        return {}
    query = sa.select(link_check_table).where(link_check_table.c.resource_id.in_(ids))
    return {row.resource_id: _as_dict(row) for row in model.Session.execute(query)}


def results_for_packages(package_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The latest check of every checked resource of ``package_ids``, in one query (a batch of
    datasets indexed together); by resource id, as :func:`results_for`."""
    ids = [pid for pid in dict.fromkeys(package_ids or []) if pid]
    if not ids:
        return {}
    query = sa.select(link_check_table).where(link_check_table.c.package_id.in_(ids))
    return {row.resource_id: _as_dict(row) for row in model.Session.execute(query)}


def save(resource_id: str, package_id: str, result: dict[str, Any],
         now: dt.datetime | None = None) -> None:
    """Store a check of one resource (its own short transaction), keeping ``broken_since`` while
    the resource stays broken.

    :param result: the keys of :data:`KEYS` but ``checked_at`` and ``broken_since``
    """
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    values = {key: result.get(key) for key in KEYS if key not in _DATES}
    values.update(resource_id=resource_id, package_id=package_id, checked_at=now,
                  broken_since=now if values["status"] == "broken" else None)
    stmt = insert(link_check_table).values(**values)
    table = link_check_table.c
    kept = sa.case((table.status == "broken",
                    sa.func.coalesce(table.broken_since, stmt.excluded.broken_since)),
                   else_=stmt.excluded.broken_since)
    update = {key: stmt.excluded[key] for key in values if key != "resource_id"}
    update["broken_since"] = sa.case((stmt.excluded.status == "broken", kept), else_=None)
    stmt = stmt.on_conflict_do_update(index_elements=["resource_id"], set_=update)
    with model.meta.engine.begin() as conn:
        conn.execute(stmt)
    boxes.forget(package_id)  # its quality box counts the links
