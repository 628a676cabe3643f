"""Checks of resources in batches: the job on CKAN's queue, the due list, the inline run.

:func:`check_batch` is the job (``tk.enqueue_job``, run by ``ckan jobs worker``): it loads the
batch's resources, checks them in a pool of ``workers`` threads, ordered so that consecutive
checks go to different hosts (each host's own cap and interval then hold without idling the
pool) and saves each result as it comes. A file uploaded to the portal's own storage is read on
disk (no request to the portal itself); a DataStore-only resource is checked against the
DataStore; any other resource by its URL (:mod:`.checker`).
"""
from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader

from ckanext.longan_opendata.model import link_check_table
from ckanext.longan_opendata.security import netguard

from . import checker, results

__all__ = ["check_and_save", "check_batch", "check_resources", "due_resource_ids", "enqueue_due",
           "load_resources"]

log = logging.getLogger(__name__)


def load_resources(resource_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The active resources of active datasets among ``resource_ids``."""
    query = (sa.select(model.Resource).join(model.Package,
                                            model.Package.id == model.Resource.package_id)
             .where(model.Resource.id.in_(list(resource_ids)),
                    model.Resource.state == "active", model.Package.state == "active"))
    return [{"id": res.id, "package_id": res.package_id, "url": res.url or "",
             "url_type": res.url_type or "", "format": res.format or "",
             "datastore_active": bool((res.extras or {}).get("datastore_active"))}
            for res in model.Session.scalars(query)]


def _local_path(resource: dict[str, Any]) -> str | None:
    """The file of an upload in the portal's own disk storage (None: another storage)."""
    upload = uploader.get_resource_uploader(dict(resource))
    if not isinstance(upload, uploader.ResourceUpload) or not upload.storage_path:
        return None
    return upload.get_path(resource["id"])


def _check_file(resource: dict[str, Any], path: str, limit: int) -> dict[str, Any]:
    found = {"url": resource["url"], "status": "broken", "http_status": None,
             "final_url": None, "content_type": None, "size": None, "format_ok": None,
             "error": None}
    if not os.path.isfile(path):
        found["error"] = "uploaded file missing from the portal's storage"
        return found
    found["size"] = os.path.getsize(path)
    with open(path, "rb") as stream:
        data = stream.read(limit)
    return checker.judged(found, resource["format"], data, found["size"] <= limit)


def _check_one(resource: dict[str, Any], session: requests.Session,
               throttle: checker.HostThrottle, settings: checker.Settings) -> dict[str, Any]:
    if resource["url_type"] == "datastore":
        ok = resource["datastore_active"]
        return {"url": resource["url"], "status": "ok" if ok else "broken", "http_status": None,
                "final_url": None, "content_type": None, "size": None, "format_ok": None,
                "error": None if ok else "DataStore table missing"}
    if resource["url_type"] == "upload":
        path = _local_path(resource)
        if path is not None:
            return _check_file(resource, path, settings.max_bytes)
    if not resource["url"]:
        return {"url": "", "status": "broken", "http_status": None, "final_url": None,
                "content_type": None, "size": None, "format_ok": None, "error": "no URL"}
    return checker.check_url(resource["url"], resource["format"], session, throttle, settings)


def _by_host_in_turn(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One resource of each host in turn, so the pool is not all waiting on one host."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for res in resources:
        groups[urlsplit(res["url"]).hostname or ""].append(res)
    rounds = itertools.zip_longest(*groups.values())
    return [res for turn in rounds for res in turn if res is not None]


def check_resources(resources: list[dict[str, Any]], settings: checker.Settings | None = None
                    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Check ``resources`` (dicts of :func:`load_resources`' shape); yields
    ``(resource, result)`` as each check ends."""
    settings = settings or checker.Settings.from_config()
    throttle = checker.HostThrottle(settings.per_host, settings.interval)
    local = threading.local()

    def run(resource: dict[str, Any]) -> dict[str, Any]:
        if not hasattr(local, "session"):
            local.session = netguard.guarded_session()
        try:
            return _check_one(resource, local.session, throttle, settings)
        except Exception as exc:  # one odd resource must not stop the batch
            log.exception("linkcheck: %s", resource["id"])
            return {"url": resource["url"], "status": "broken", "http_status": None,
                    "final_url": None, "content_type": None, "size": None,
                    "format_ok": None, "error": f"check failed: {type(exc).__name__}"}

    with ThreadPoolExecutor(max(1, settings.workers)) as pool:
        futures = {pool.submit(run, res): res for res in _by_host_in_turn(resources)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def check_and_save(resources: list[dict[str, Any]]
                   ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`check_resources`, each result saved as it comes."""
    for resource, result in check_resources(resources):
        results.save(resource["id"], resource["package_id"], result)
        yield resource, result


def check_batch(resource_ids: list[str], older_than_hours: float | None = None
                ) -> dict[str, int]:
    """The background job: check these resources and save the results.

    :param older_than_hours: skip those checked more recently (a batch enqueued twice)
    :returns: how many resources ended ``ok``, ``broken``, ``mislabelled``
    """
    resources = load_resources(resource_ids)
    if older_than_hours is not None:
        fresh = set(due_resource_ids(older_than_hours, among=[r["id"] for r in resources],
                                     fresh=True))
        resources = [r for r in resources if r["id"] not in fresh]
    counts = {"ok": 0, "broken": 0, "mislabelled": 0}
    for _resource, result in check_and_save(resources):
        counts[result["status"]] += 1
    log.info("linkcheck: %s resources checked: %s", len(resources), counts)
    return counts


def due_resource_ids(older_than_hours: float, among: list[str] | None = None,
                     fresh: bool = False) -> list[str]:
    """Active resources never checked, checked more than ``older_than_hours`` ago or whose URL
    changed since, oldest check first (``fresh=True``: the others)."""
    cutoff = (dt.datetime.now(dt.UTC).replace(tzinfo=None)
              - dt.timedelta(hours=older_than_hours))
    checks = link_check_table.c
    query = (sa.select(model.Resource.id)
             .join(model.Package, model.Package.id == model.Resource.package_id)
             .outerjoin(link_check_table, checks.resource_id == model.Resource.id)
             .where(model.Resource.state == "active", model.Package.state == "active"))
    if among is not None:
        query = query.where(model.Resource.id.in_(among))
    changed = checks.url != sa.func.coalesce(model.Resource.url, "")  # a new link: due now
    if fresh:
        query = query.where(checks.checked_at >= cutoff, sa.not_(changed))
    else:
        query = query.where(sa.or_(checks.checked_at.is_(None), checks.checked_at < cutoff,
                                   changed))
    query = query.order_by(checks.checked_at.asc().nulls_first(), model.Resource.id)
    return list(model.Session.scalars(query))


def enqueue_due(older_than_hours: float, batch_size: int = 50) -> int:
    """Enqueue a :func:`check_batch` job per ``batch_size`` due resources.

    :returns: the number of jobs enqueued
    """
    due = due_resource_ids(older_than_hours)
    jobs = 0
    for start in range(0, len(due), max(1, batch_size)):
        batch = due[start:start + batch_size]
        tk.enqueue_job(check_batch, [batch, older_than_hours],
                       title=f"longan linkcheck: {len(batch)} resources",
                       rq_kwargs={"timeout": _job_timeout(len(batch))})
        jobs += 1
    return jobs


def _job_timeout(size: int) -> int:
    """A batch's longest run: every check of every resource timing out, three requests each."""
    settings = checker.Settings.from_config()
    worst = size * (settings.timeout * 3 + settings.interval) / max(1, settings.workers)
    return int(max(600, worst * 2))


