"""Statistics of the portal for the public ``/thong-ke`` page and the operations centre (IOC).

``longan_stats`` is anonymous and read-only. Counts come from Solr facets (one ``package_search``
with ``rows=0``) and a few SQL aggregates; the whole answer is cached in Redis for
``ckanext.longan_opendata.stats.cache_seconds`` seconds, so a wall of dashboards polling it costs
one computation per period. Only public, active datasets are counted.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.types import Context, DataDict

from ckanext.longan_opendata import datarequests
from ckanext.longan_opendata.metadata.search import (
    FACET_FREQUENCY,
    FACET_THEME,
    FACET_UNITS_NEW,
    FACET_UNITS_OLD,
)
from ckanext.longan_opendata.portal import usage
from ckanext.longan_opendata.quality.snapshot import figures as quality_figures
from ckanext.longan_opendata.security import params as checks

__all__ = ["get_actions"]

log = logging.getLogger(__name__)

# CKAN's own Solr fields; the vocab_* ones are filled by search.py's before_dataset_index
FACET_AGENCY = "organization"
FACET_FORMAT = "res_format"

#: the longest time (days) a dataset may go without an update for each declared frequency
FREQUENCY_DAYS: dict[str, int] = {
    "daily": 2,
    "weekly": 8,
    "monthly": 32,
    "quarterly": 93,
    "semiannual": 184,
    "annual": 366,
}

CACHE_OPTION = "ckanext.longan_opendata.stats.cache_seconds"
_CACHE_PREFIX = "longan_opendata:stats:v1"


def _cache_key() -> str:
    return f"{_CACHE_PREFIX}:{tk.config.get('ckan.site_id')}"


def _search(**params: Any) -> dict[str, Any]:
    """``package_search`` as an anonymous visitor (public, active datasets only)."""
    context: Context = {"ignore_auth": True, "user": ""}  # type: ignore[typeddict-unknown-key]
    params.setdefault("rows", 0)
    return tk.get_action("package_search")(context, params)


def _facet_counts(result: dict[str, Any], field: str) -> dict[str, int]:
    pairs = result.get("facets", {}).get(field, {})
    return dict(sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])))


def _freshness() -> dict[str, Any]:
    """Share of datasets with a regular frequency whose last change is within that frequency."""
    fields = {"facet.field": [FACET_FREQUENCY], "facet.limit": -1, "facet.mincount": 1}
    regular = " OR ".join(FREQUENCY_DAYS)
    # package_search appends "+site_id:… +capacity:public" to fq: each filter here must be a
    # required clause too ("+(…)"), or Solr would treat it as optional
    declared = _facet_counts(_search(fq=f"+{FACET_FREQUENCY}:({regular})", **fields),
                             FACET_FREQUENCY)
    fresh_clauses = " OR ".join(
        f"(+{FACET_FREQUENCY}:{code} +metadata_modified:[NOW-{days}DAYS TO *])"
        for code, days in FREQUENCY_DAYS.items())
    fresh = _facet_counts(_search(fq=f"+({fresh_clauses})", **fields), FACET_FREQUENCY)
    declared = {code: n for code, n in declared.items() if code in FREQUENCY_DAYS}
    fresh = {code: n for code, n in fresh.items() if code in FREQUENCY_DAYS}
    total, on_time = sum(declared.values()), sum(fresh.values())
    return {
        "datasets_with_frequency": total,
        "updated_on_time": on_time,
        "share": round(on_time / total, 4) if total else None,
        "per_frequency": {
            code: {"datasets": declared[code], "updated_on_time": fresh.get(code, 0)}
            for code in FREQUENCY_DAYS if code in declared
        },
    }


def _public_packages() -> sa.sql.Select:
    return sa.select(model.Package.id).where(
        model.Package.state == "active",
        model.Package.private.is_(False),
        model.Package.type == "dataset",
    )


def _published_per_month() -> list[dict[str, Any]]:
    month = sa.func.to_char(model.Package.metadata_created, "YYYY-MM").label("month")
    query = (
        sa.select(month, sa.func.count(model.Package.id))
        .where(model.Package.id.in_(_public_packages().scalar_subquery()))
        .group_by(month).order_by(month)
    )
    return [{"month": m, "count": n} for m, n in model.Session.execute(query)]


def _resource_count() -> int:
    query = sa.select(sa.func.count(model.Resource.id)).where(
        model.Resource.state == "active",
        model.Resource.package_id.in_(_public_packages().scalar_subquery()),
    )
    return int(model.Session.execute(query).scalar() or 0)


def _agency_count() -> int:
    query = sa.select(sa.func.count(model.Group.id)).where(
        model.Group.state == "active", model.Group.is_organization.is_(True))
    return int(model.Session.execute(query).scalar() or 0)


def _harvest_sources() -> list[dict[str, Any]]:
    """Each active harvest source with its last job: when, status, errors (ckanext-harvest)."""
    try:
        from ckanext.harvest.model import (
            HarvestGatherError,
            HarvestJob,
            HarvestObject,
            HarvestObjectError,
            HarvestSource,
        )
    except ImportError:  # harvest not installed
        return []
    if not sa.inspect(model.meta.engine).has_table("harvest_source"):
        return []
    last_job = (
        sa.select(HarvestJob.source_id, sa.func.max(HarvestJob.created).label("created"))
        .group_by(HarvestJob.source_id).subquery()
    )
    rows = model.Session.execute(
        sa.select(HarvestSource.id, HarvestSource.title, HarvestSource.url, HarvestSource.type,
                  HarvestJob.id, HarvestJob.status, HarvestJob.created, HarvestJob.finished)
        .where(HarvestSource.active.is_(True))
        .outerjoin(last_job, last_job.c.source_id == HarvestSource.id)
        .outerjoin(HarvestJob, sa.and_(HarvestJob.source_id == HarvestSource.id,
                                       HarvestJob.created == last_job.c.created))
        .order_by(HarvestSource.title)
    ).all()
    job_ids = [row[4] for row in rows if row[4]]
    errors: dict[str, int] = dict.fromkeys(job_ids, 0)
    if job_ids:
        gather = sa.select(HarvestGatherError.harvest_job_id, sa.func.count()).where(
            HarvestGatherError.harvest_job_id.in_(job_ids)).group_by(
            HarvestGatherError.harvest_job_id)
        objects = (
            sa.select(HarvestObject.harvest_job_id, sa.func.count())
            .join(HarvestObjectError, HarvestObjectError.harvest_object_id == HarvestObject.id)
            .where(HarvestObject.harvest_job_id.in_(job_ids))
            .group_by(HarvestObject.harvest_job_id)
        )
        for query in (gather, objects):
            for job_id, count in model.Session.execute(query):
                errors[job_id] += count
    return [
        {
            "id": source_id, "title": title, "url": url, "type": kind,
            "last_run": (finished or created).isoformat() if (finished or created) else None,
            "status": status or "never",
            "error_count": errors.get(job_id, 0) if job_id else 0,
        }
        for source_id, title, url, kind, job_id, status, created, finished in rows
    ]


def compute_stats() -> dict[str, Any]:
    """The figures of :func:`longan_stats`, computed now (no cache)."""
    result = _search(**{
        "facet.field": [FACET_AGENCY, FACET_THEME, FACET_UNITS_NEW, FACET_UNITS_OLD, FACET_FORMAT],
        "facet.limit": -1, "facet.mincount": 1,
    })
    usage_totals = usage.totals()
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "totals": {
            "datasets": result["count"],
            "agencies": _agency_count(),
            "resources": _resource_count(),
            "downloads": usage_totals["downloads"],
            "views": usage_totals["views"],
        },
        "by_agency": _facet_counts(result, FACET_AGENCY),
        "by_theme": _facet_counts(result, FACET_THEME),
        "by_unit": _facet_counts(result, FACET_UNITS_NEW),
        "by_unit_old": _facet_counts(result, FACET_UNITS_OLD),
        "by_format": _facet_counts(result, FACET_FORMAT),
        "published_per_month": _published_per_month(),
        "harvest_sources": _harvest_sources(),
        "updated_within_frequency": _freshness(),
        "most_viewed": usage.most_viewed(limit=10),
        "quality": quality_figures(),
        "data_requests": datarequests.stats(),
    }


def clear_cache() -> None:
    connect_to_redis().delete(_cache_key())


@tk.side_effect_free
def longan_stats(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Statistics of the open data portal (public datasets only), for dashboards.

    Cached for ``ckanext.longan_opendata.stats.cache_seconds`` seconds (``0`` disables the
    cache); ``generated_at`` says when the figures were computed. Codes (themes, units,
    frequencies, agency names) are returned as they are indexed; ``/thong-ke`` shows their labels.

    :param fresh: sysadmins only: ignore the cache and recompute (default ``false``)
    :type fresh: bool

    :returns: ``totals`` (``datasets``, ``agencies``, ``resources``, ``downloads``, ``views``);
        ``by_agency``, ``by_theme``, ``by_unit``, ``by_unit_old``, ``by_format`` (code → number
        of datasets, most first); ``published_per_month`` (list of ``{month: "YYYY-MM",
        count}``); ``harvest_sources`` (list of ``{id, title, url, type, last_run, status,
        error_count}``, errors of the last job); ``updated_within_frequency``
        (``datasets_with_frequency``, ``updated_on_time``, ``share`` between 0 and 1 or null,
        ``per_frequency``); ``most_viewed`` (list of ``{id, name, title, views}``);
        ``quality`` (``by_rating``: rating → datasets, ``average_percent``, ``by_agency``: agency
        name → average percent, ``snapshot_day``, see ``/chat-luong``);
        ``data_requests`` (``total``, ``by_state``: state → count, ``overdue``: open requests
        past their deadline);
        ``generated_at`` (ISO 8601, UTC).
    :rtype: dict
    """
    fresh = checks.boolean(data_dict, "fresh")
    tk.check_access("longan_stats", context, data_dict)
    if fresh:
        tk.check_access("longan_stats_refresh", context, data_dict)
    ttl = tk.config.get(CACHE_OPTION)
    redis = connect_to_redis()
    if ttl and not fresh:
        try:
            cached = redis.get(_cache_key())
        except Exception:  # a cache outage must not take the statistics down
            log.warning("longan_stats: Redis unavailable, computing without cache", exc_info=True)
            cached = None
        if cached:
            return json.loads(cached)
    stats = compute_stats()
    if ttl:
        try:
            redis.set(_cache_key(), json.dumps(stats), ex=int(ttl))
        except Exception:
            log.warning("longan_stats: could not cache the figures", exc_info=True)
    return stats


def get_actions() -> dict[str, Any]:
    return {"longan_stats": longan_stats}
