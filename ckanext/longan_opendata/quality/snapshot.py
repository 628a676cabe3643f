"""The full rescore and its history: ``ckan longan quality snapshot`` scores every dataset
from the search index (pages of stored dictionaries, no ``package_show``), stores one row per
dataset and day in ``longan_quality_snapshot``, and reindexes the datasets whose indexed score
changed (a link found broken since, a frequency that came due).

The dashboard, the agency ranking and the trend read that table.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # noqa: F401 (sa.dialects.postgresql.JSONB)
from ckan import model
from ckan.lib.search.common import make_connection

from ckanext.longan_opendata.model import quality_snapshot_table as table
from ckanext.longan_opendata.quality import links, score
from ckanext.longan_opendata.quality.indicators import INDICATORS

__all__ = ["agency_averages", "figures", "indexed_datasets", "latest_day", "rescore_all",
           "store", "trend"]

PAGE = 1000


def _is_public(pkg: dict[str, Any]) -> bool:
    """Public as the workflow's permission labels say: not private, and published."""
    from ckanext.longan_opendata import workflow
    return not tk.asbool(pkg.get("private")) and workflow.is_public_state(
        workflow.state_of_dict(pkg))


def indexed_datasets(page: int = PAGE, owner_org: str | None = None
                     ) -> Iterator[dict[str, Any]]:
    """Every active dataset of this site in the index (of one agency, if given): ``{id,
    owner_org, public, pkg, indexed}``, read by pages with a cursor."""
    solr = make_connection()
    cursor = "*"
    site = tk.config.get("ckan.site_id")
    filters = [f'+site_id:"{site}"', "+entity_type:package", "+dataset_type:dataset",
               "+state:active"]
    if owner_org:
        filters.append(f'+owner_org:"{owner_org}"')
    while True:
        found = solr.search(
            q="*:*", fq=filters,
            fl="id,validated_data_dict", sort="index_id asc",
            rows=page, cursorMark=cursor)
        for doc in found.docs:
            pkg = json.loads(doc.get("validated_data_dict") or "{}")
            yield {"id": doc["id"], "owner_org": pkg.get("owner_org"),
                   "public": _is_public(pkg),
                   "pkg": pkg, "indexed": (pkg.get("longan_quality") or {}).get("percent")}
        if found.nextCursorMark == cursor:
            return
        cursor = found.nextCursorMark


def _dimensions(result: score.Score) -> dict[str, list[int]]:
    dims: dict[str, list[int]] = {}
    for indicator in INDICATORS:
        points = result.earned[indicator.id]
        pair = dims.setdefault(indicator.dimension, [0, 0])
        if points is not None:
            pair[0] += points
            pair[1] += indicator.points
    return dims


def rescore_all(today: dt.date | None = None, batch: int = PAGE) -> Iterator[dict[str, Any]]:
    """Score every indexed dataset; yields one snapshot row (plus ``changed``) each."""
    today = today or dt.date.today()
    pending: list[dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        checked = links.results_for(
            [r.get("id") for item in pending for r in item["pkg"].get("resources") or []])
        for item in pending:
            result = score.evaluate(item["pkg"], checked, today)
            yield {"day": today, "package_id": item["id"], "owner_org": item["owner_org"],
                   "public": item["public"], "score": result.score, "max": result.max,
                   "rating": result.rating, "dimensions": json.dumps(_dimensions(result)),
                   "changed": item["indexed"] != result.percent}
        pending.clear()

    for item in indexed_datasets(batch):
        pending.append(item)
        if len(pending) >= batch:
            yield from flush()
    yield from flush()


def store(rows: list[dict[str, Any]]) -> None:
    """Replace the rows of these (day, dataset) pairs."""
    if not rows:
        return
    clean = [{k: v for k, v in row.items() if k != "changed"} for row in rows]
    for day in {row["day"] for row in clean}:
        ids = [row["package_id"] for row in clean if row["day"] == day]
        model.Session.execute(table.delete().where(
            table.c.day == day, table.c.package_id.in_(ids)))
    model.Session.execute(table.insert(), clean)
    model.Session.commit()


def latest_day() -> dt.date | None:
    return model.Session.execute(sa.select(sa.func.max(table.c.day))).scalar()


def _public_now() -> sa.sql.Select:
    """Datasets public now (the snapshot's flag may be older)."""
    return sa.select(model.Package.id).where(model.Package.state == "active",
                                             model.Package.private.is_(False))


def _dimension_sums() -> list[Any]:
    """SQL sums of each dimension's points and maximum (the JSON column, in PostgreSQL)."""
    from ckanext.longan_opendata.quality.indicators import DIMENSIONS
    as_json = sa.cast(table.c.dimensions, sa.dialects.postgresql.JSONB)
    return [sa.func.coalesce(sa.func.sum(sa.cast(as_json[dim][i].astext, sa.Integer)), 0)
            .label(f"{dim}_{i}") for dim in DIMENSIONS for i in (0, 1)]


def agency_averages(public_only: bool = True) -> list[dict[str, Any]]:
    """Per agency, on the latest day: datasets, average percent, ratings, per-dimension
    percent and the weakest dimension; best first, with its rank (summed in SQL)."""
    from ckanext.longan_opendata.quality.indicators import DIMENSIONS
    day = latest_day()
    if day is None:
        return []
    query = (sa.select(table.c.owner_org, table.c.rating, sa.func.count().label("n"),
                       sa.func.sum(table.c.score).label("score"),
                       sa.func.sum(table.c.max).label("max"), *_dimension_sums())
             .where(table.c.day == day).group_by(table.c.owner_org, table.c.rating))
    if public_only:
        query = query.where(table.c.public.is_(True),
                            table.c.package_id.in_(_public_now().scalar_subquery()))
    agencies: dict[str, dict[str, Any]] = {}
    for row in model.Session.execute(query).mappings():
        agency = agencies.setdefault(row["owner_org"] or "", {
            "owner_org": row["owner_org"], "datasets": 0, "score": 0, "max": 0,
            "ratings": dict.fromkeys(score.RATING_LABELS, 0),
            "dimensions": {dim: [0, 0] for dim in DIMENSIONS}})
        agency["datasets"] += row["n"]
        agency["score"] += int(row["score"])
        agency["max"] += int(row["max"])
        agency["ratings"][row["rating"]] += row["n"]
        for dim, pair in agency["dimensions"].items():
            pair[0] += int(row[f"{dim}_0"])
            pair[1] += int(row[f"{dim}_1"])
    ranked = sorted(agencies.values(), key=lambda a: -(a["score"] / a["max"] if a["max"] else 0))
    for rank, agency in enumerate(ranked, 1):
        agency["rank"] = rank
        agency["percent"] = round(100 * agency["score"] / agency["max"]) if agency["max"] else 0
        agency["dimensions"] = {d: round(100 * p / m) if m else None
                                for d, (p, m) in agency["dimensions"].items()}
        scored = {d: v for d, v in agency["dimensions"].items() if v is not None}
        agency["weakest"] = min(scored, key=scored.get) if scored else None
    return ranked


def trend(owner_org: str | None = None, days: int = 365) -> list[dict[str, Any]]:
    """Average percent per snapshot day (public datasets; one agency's if given)."""
    since = dt.date.today() - dt.timedelta(days=days)
    query = (sa.select(table.c.day, sa.func.sum(table.c.score), sa.func.sum(table.c.max),
                       sa.func.count())
             .where(table.c.day >= since, table.c.public.is_(True))
             .group_by(table.c.day).order_by(table.c.day))
    if owner_org:
        query = query.where(table.c.owner_org == owner_org)
    return [{"day": day.isoformat(), "percent": round(100 * s / m) if m else 0, "datasets": n}
            for day, s, m, n in model.Session.execute(query)]


def figures() -> dict[str, Any]:
    """The quality figures of ``longan_stats`` (public datasets): datasets per rating (search
    index, current), average percent and per agency (latest snapshot)."""
    from ckanext.longan_opendata.quality.search import FACET_RATING
    found = tk.get_action("package_search")({"user": ""}, {  # type: ignore[typeddict-item]
        "rows": 0, "facet.field": [FACET_RATING], "facet.limit": -1})
    agencies = agency_averages(public_only=True)
    total = sum(a["score"] for a in agencies)
    maximum = sum(a["max"] for a in agencies)
    names = dict(model.Session.query(model.Group.id, model.Group.name).filter(
        model.Group.id.in_([a["owner_org"] for a in agencies if a["owner_org"]])))
    day = latest_day()
    return {
        "by_rating": found.get("facets", {}).get(FACET_RATING, {}),
        "average_percent": round(100 * total / maximum) if maximum else None,
        "by_agency": {names.get(a["owner_org"], a["owner_org"]): a["percent"] for a in agencies},
        "snapshot_day": day.isoformat() if day else None,
    }
