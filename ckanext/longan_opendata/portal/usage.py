"""Usage figures: dataset views and resource downloads, counted per day, with no personal data.

Each hit adds one to a daily counter row ``(kind, object_id, day)`` of the ``longan_usage`` table
(created by this plugin's alembic migration, ``ckan db upgrade -p longan_opendata``). Nothing
about the visitor is read or kept: no IP address, no user agent, no cookie, no user id. Requests
from obvious robots (user agent naming a bot, crawler or spider) are not counted.

Counted after a successful response of: the dataset page (``dataset.read``), a file download
(``resource.download``), a DataStore dump (``datastore.dump``) and the portal's download redirect
for external links (``longan_portal.download``).

Dataset page views (:func:`count_view`) are added up in Redis and written to the table by
:func:`flush_views`, in one statement, at most once per
``ckanext.longan_opendata.usage.flush_seconds`` (by the first view after that time): a page view
costs one Redis round trip instead of a database write and commit. :func:`package_usage` adds the
views not written yet; :func:`totals`, :func:`most_viewed` and :func:`package_counts` write them
first. Without Redis a view is written at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

from ckanext.longan_opendata import rediscache
from ckanext.longan_opendata.model import usage_table

log = logging.getLogger(__name__)

VIEW = "view"
DOWNLOAD = "download"

_ROBOTS = re.compile(r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit", re.IGNORECASE)


def is_robot(user_agent: str | None) -> bool:
    return bool(user_agent and _ROBOTS.search(user_agent))


def record(kind: str, object_id: str, package_id: str, day: dt.date | None = None) -> None:
    """Add one to today's counter of ``object_id``, in its own short transaction."""
    stmt = insert(usage_table).values(
        kind=kind, object_id=object_id, package_id=package_id,
        day=day or dt.date.today(), count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "object_id", "day"],
        set_={"count": usage_table.c["count"] + 1})
    try:
        with model.meta.engine.begin() as conn:
            conn.execute(stmt)
    except sa.exc.SQLAlchemyError:  # counting must never break a page
        log.warning("could not record a %s of %s", kind, object_id, exc_info=True)


def _pending_keys() -> tuple[str, str, str]:
    """Views not written yet; those being written; the pace of the writing."""
    return (rediscache.key("usage", "pending"), rediscache.key("usage", "writing"),
            rediscache.key("usage", "pace"))


def _field(package_id: str, day: dt.date) -> str:
    return f"{package_id}|{day.isoformat()}"


def count_view(package_id: str) -> None:
    """Count one view of a dataset page in Redis; write the counts when it is time."""
    seconds = int(tk.config.get("ckanext.longan_opendata.usage.flush_seconds") or 0)
    if seconds <= 0:
        return record(VIEW, package_id, package_id)
    pending, _, pace = _pending_keys()
    try:
        pipe = rediscache.client().pipeline()
        pipe.hincrby(pending, _field(package_id, dt.date.today()), 1)
        pipe.set(pace, "1", nx=True, ex=seconds)
        due = pipe.execute()[1]
    except Exception:  # noqa: BLE001 (no Redis: count in the database)
        log.warning("Redis unreachable: view of %s written at once", package_id, exc_info=True)
        return record(VIEW, package_id, package_id)
    if due:
        flush_views()
    return None


def flush_views() -> int:
    """Write the views counted in Redis to the table (one upsert, one commit); how many."""
    pending, writing, _ = _pending_keys()
    writer = rediscache.key("usage", "writer")
    redis = rediscache.client()
    try:
        if not redis.exists(pending, writing):
            return 0  # nothing to write (statistics ask often): one round trip, no lock
        if not redis.set(writer, "1", nx=True, ex=60):
            return 0  # another process is writing them
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: views not written", exc_info=True)
        return 0
    try:
        return _write_views(redis, pending, writing)
    finally:
        _delete(redis, writer)


def _write_views(redis: Any, pending: str, writing: str) -> int:
    try:
        if not redis.exists(writing):  # else a failed write is retried first
            try:
                redis.rename(pending, writing)
            except Exception:  # noqa: BLE001 (nothing pending)
                return 0
        counts = redis.hgetall(writing)
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: views not written", exc_info=True)
        return 0
    rows = []
    for field, count in counts.items():
        package_id, day = field.decode().split("|")
        rows.append({"kind": VIEW, "object_id": package_id, "package_id": package_id,
                     "day": dt.date.fromisoformat(day), "count": int(count)})
    try:
        with model.meta.engine.begin() as conn:
            _upsert_views(conn, rows)
    except sa.exc.SQLAlchemyError:  # kept in Redis, written by the next flush
        log.warning("could not write %d view counters", len(rows), exc_info=True)
        return 0
    _delete(redis, writing)
    return sum(r["count"] for r in rows)


def _delete(redis: Any, name: str) -> None:
    try:
        redis.delete(name)
    except Exception:  # noqa: BLE001 (the writer lock expires; the written ones stay)
        log.warning("Redis unreachable: %s not deleted", name, exc_info=True)


def _upsert_views(conn: Any, rows: list[dict[str, Any]]) -> None:
    """Add ``rows`` to the counters; the views of a dataset purged meanwhile are dropped."""
    if rows:
        known = set(conn.execute(sa.select(model.Package.id).where(
            model.Package.id.in_({r["package_id"] for r in rows}))).scalars())
        rows = [r for r in rows if r["package_id"] in known]
    if not rows:
        return
    stmt = insert(usage_table).values(rows)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["kind", "object_id", "day"],
        set_={"count": usage_table.c["count"] + stmt.excluded["count"]}))


def _views_not_written(package_id: str) -> int:
    pending, writing, _ = _pending_keys()
    today = dt.date.today()
    fields = [_field(package_id, today), _field(package_id, today - dt.timedelta(days=1))]
    try:
        pipe = rediscache.client().pipeline()
        pipe.hmget(pending, fields)
        pipe.hmget(writing, fields)
        found = pipe.execute()
    except Exception:  # noqa: BLE001
        return 0
    return sum(int(n) for values in found for n in values if n)


def _public_ids() -> Any:
    return sa.select(model.Package.id).where(
        model.Package.state == "active", model.Package.private.is_(False)).scalar_subquery()


def totals() -> dict[str, int]:
    """All-time views and downloads of public datasets."""
    flush_views()
    query = (
        sa.select(usage_table.c.kind, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id.in_(_public_ids()))
        .group_by(usage_table.c.kind)
    )
    found = dict(model.Session.execute(query).all())
    return {"views": int(found.get(VIEW) or 0), "downloads": int(found.get(DOWNLOAD) or 0)}


def package_counts(package_id: str) -> dict[str, int]:
    """All-time views and downloads of one dataset (the downloads of all its resources)."""
    flush_views()
    query = (
        sa.select(usage_table.c.kind, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id == package_id)
        .group_by(usage_table.c.kind)
    )
    found = dict(model.Session.execute(query).all())
    return {"views": int(found.get(VIEW) or 0), "downloads": int(found.get(DOWNLOAD) or 0)}


def package_usage(package_id: str) -> dict[str, Any]:
    """Views, downloads and downloads per resource of one dataset, in one query (and the views
    still in Redis)."""
    query = (
        sa.select(usage_table.c.kind, usage_table.c.object_id, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id == package_id)
        .group_by(usage_table.c.kind, usage_table.c.object_id)
    )
    found: dict[str, Any] = {"views": _views_not_written(package_id), "downloads": 0,
                             "per_resource": {}}
    for kind, object_id, count in model.Session.execute(query).all():
        if kind == VIEW:
            found["views"] += int(count)
        else:
            found["downloads"] += int(count)
            found["per_resource"][object_id] = int(count)
    return found


def resource_downloads(package_id: str) -> dict[str, int]:
    """Downloads per resource id of one dataset."""
    query = (
        sa.select(usage_table.c.object_id, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id == package_id, usage_table.c.kind == DOWNLOAD)
        .group_by(usage_table.c.object_id)
    )
    return {rid: int(n) for rid, n in model.Session.execute(query).all()}


def most_viewed(limit: int = 10) -> list[dict[str, Any]]:
    """The public datasets with the most views, most first."""
    flush_views()
    views = sa.func.sum(usage_table.c["count"]).label("views")
    query = (
        sa.select(model.Package.id, model.Package.name, model.Package.title, views)
        .join(usage_table, usage_table.c.package_id == model.Package.id)
        .where(usage_table.c.kind == VIEW, model.Package.state == "active",
               model.Package.private.is_(False))
        .group_by(model.Package.id, model.Package.name, model.Package.title)
        .order_by(views.desc(), model.Package.name)
        .limit(limit)
    )
    return [{"id": i, "name": n, "title": t, "views": int(v)}
            for i, n, t, v in model.Session.execute(query).all()]
