"""Usage figures: dataset views and resource downloads, counted per day, with no personal data.

Each hit adds one to a daily counter row ``(kind, object_id, day)`` of the ``longan_usage`` table
(created by this plugin's alembic migration, ``ckan db upgrade -p longan_opendata``). Nothing
about the visitor is read or kept: no IP address, no user agent, no cookie, no user id. Requests
from obvious robots (user agent naming a bot, crawler or spider) are not counted.

Counted after a successful response of: the dataset page (``dataset.read``), a file download
(``resource.download``), a DataStore dump (``datastore.dump``) and the portal's download redirect
for external links (``longan_portal.download``).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import sqlalchemy as sa
from ckan import model
from sqlalchemy.dialects.postgresql import insert

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


def _public_ids() -> Any:
    return sa.select(model.Package.id).where(
        model.Package.state == "active", model.Package.private.is_(False)).scalar_subquery()


def totals() -> dict[str, int]:
    """All-time views and downloads of public datasets."""
    query = (
        sa.select(usage_table.c.kind, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id.in_(_public_ids()))
        .group_by(usage_table.c.kind)
    )
    found = dict(model.Session.execute(query).all())
    return {"views": int(found.get(VIEW) or 0), "downloads": int(found.get(DOWNLOAD) or 0)}


def package_counts(package_id: str) -> dict[str, int]:
    """All-time views and downloads of one dataset (the downloads of all its resources)."""
    query = (
        sa.select(usage_table.c.kind, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id == package_id)
        .group_by(usage_table.c.kind)
    )
    found = dict(model.Session.execute(query).all())
    return {"views": int(found.get(VIEW) or 0), "downloads": int(found.get(DOWNLOAD) or 0)}


def package_usage(package_id: str) -> dict[str, Any]:
    """Views, downloads and downloads per resource of one dataset, in one query."""
    query = (
        sa.select(usage_table.c.kind, usage_table.c.object_id, sa.func.sum(usage_table.c["count"]))
        .where(usage_table.c.package_id == package_id)
        .group_by(usage_table.c.kind, usage_table.c.object_id)
    )
    found: dict[str, Any] = {"views": 0, "downloads": 0, "per_resource": {}}
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
