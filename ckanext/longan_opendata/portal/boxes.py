"""The boxes of a dataset's page that other packages fill (its quality score explained, the
reuses of it, its publicly answered feedback, the data requests it fulfilled), read together
from one Redis round trip.

They cost four queries (one a Solr search) per page view and change seldom, so for a *public*
dataset (published, not private: what every visitor may see) they are kept in Redis, per
language, for the dataset's version (``metadata_modified``, see :mod:`..rediscache`). Whoever
changes what they are made of, after its commit, calls :func:`forget` for the datasets concerned
(a link check, an answered feedback, a fulfilled request) or :func:`forget_all` when they are
not known by id (a reuse names its datasets). A draft's boxes are computed at each view and
never cached, so nothing of a dataset not yet public is ever served from the cache.
``ckanext.longan_opendata.page_cache.seconds`` bounds the life of each entry (a change made
while Redis was unreachable).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata import rediscache

__all__ = ["dataset_boxes", "forget", "forget_all", "get_signal_subscriptions"]

_BOXES = "dataset-boxes"


def forget(*package_ids: str | None) -> None:
    """The cached boxes of these datasets (ids; ``None`` ignored) are stale."""
    ids = [pid for pid in package_ids if pid]
    if ids:
        rediscache.forget(_BOXES, ids, rediscache.seconds())


def forget_all() -> None:
    """The cached boxes of every dataset are stale (rebuilt on their next view)."""
    rediscache.forget_all(_BOXES)


#: the actions after which (their commit done) a changed reuse changes the boxes
_DATASET_ACTIONS = ("package_create", "package_update", "package_patch", "package_delete",
                    "dataset_purge")


def _after_dataset_action(sender: str, **kwargs: Any) -> None:
    """A reuse created, edited, moved through the workflow (``package_patch``), deleted or
    purged: the reuses box of the datasets it names (or named) is stale."""
    from ckan import model

    from ckanext.longan_opendata.reuses import REUSE_TYPE

    result = kwargs.get("result")
    kind = result.get("type") if isinstance(result, dict) else None
    if kind is None and sender != "dataset_purge":
        ref = (kwargs.get("data_dict") or {}).get("id")
        pkg = model.Package.get(ref) if isinstance(ref, str) and ref else None
        kind = pkg.type if pkg else None
    if kind == REUSE_TYPE or sender == "dataset_purge":
        forget_all()


def get_signal_subscriptions() -> dict[Any, list[dict[str, Any]]]:
    return {tk.signals.action_succeeded: [
        {"sender": name, "receiver": _after_dataset_action} for name in _DATASET_ACTIONS]}


def _compute(pkg: dict[str, Any]) -> dict[str, Any]:
    from ckanext.longan_opendata.datarequests.helpers import longan_datarequest_fulfilled_by
    from ckanext.longan_opendata.feedback.helpers import longan_feedback_public
    from ckanext.longan_opendata.quality.helpers import longan_quality
    from ckanext.longan_opendata.reuses.helpers import longan_reuses_of

    return {
        "quality": longan_quality(pkg),
        "reuses": longan_reuses_of(pkg["name"]) if pkg.get("type") == "dataset" else [],
        "feedback": longan_feedback_public(pkg["id"]),
        "fulfilled": longan_datarequest_fulfilled_by(pkg["id"]),
    }


def _is_public(pkg: dict[str, Any]) -> bool:
    from ckanext.longan_opendata import workflow

    return (not pkg.get("private") and pkg.get("state") == "active"
            and workflow.state_of_dict(pkg) == workflow.PUBLISHED)


def dataset_boxes(pkg: dict[str, Any]) -> dict[str, Any]:
    """``quality`` (``longan_quality``), ``reuses`` (``longan_reuses_of``), ``feedback``
    (``longan_feedback_public``) and ``fulfilled`` (``longan_datarequest_fulfilled_by``) of a
    dataset the page shows."""
    version = str(pkg.get("metadata_modified") or "")
    if not (version and _is_public(pkg)):
        return _compute(pkg)
    boxes, stamp = rediscache.fetch(_BOXES, pkg["id"], tk.h.lang() or "", version)
    if boxes is None:
        boxes = _compute(pkg)
        rediscache.store(_BOXES, pkg["id"], tk.h.lang() or "", stamp, boxes, rediscache.seconds())
    return boxes
