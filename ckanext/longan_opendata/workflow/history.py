"""The audit trail of the publish workflow, and what changed since the last published version.

Every transition is an activity of type :data:`~.states.ACTIVITY_TYPE` (actor, time, from/to,
comment) labelled like the dataset; ``package_show`` returns the history the caller may see.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.authz as authz
import sqlalchemy as sa
from ckan import model
from ckan.lib.plugins import get_permission_labels
from ckan.plugins import plugin_loaded
from ckan.types import Context

from ckanext.longan_opendata import rediscache

from .states import ACTIVITY_TYPE, PENDING, is_public_state, state_of_package

log = logging.getLogger(__name__)


def _activity_model():
    from ckanext.activity.model import Activity
    return Activity


def record_transition(
    pkg: model.Package, user_name: model.User | str | None, from_state: str, to_state: str,
    comment: str = "", extra: dict[str, Any] | None = None, commit: bool = True,
) -> None:
    """Add the transition to the activity stream, labelled like the dataset now is (the actor
    as a name or as the ``User`` the caller already holds).

    ``commit=False`` leaves the commit to the caller (an action called with ``defer_commit``,
    such as the bulk load's, which commits by batches): the transition is saved with the
    dataset or not at all."""
    if not plugin_loaded("activity"):
        log.warning("activity plugin off: workflow transition of %s not recorded", pkg.name)
        return
    if isinstance(user_name, model.User):  # the caller's object: no lookup
        user = user_name
    else:
        user = model.User.get(user_name) if user_name else None
    data = {
        "actor": user.name if user else None,
        "from": from_state, "to": to_state, "comment": comment or "",
        "package": {"id": pkg.id, "name": pkg.name, "title": pkg.title},
        **(extra or {}),
    }
    activity = _activity_model()(
        user.id if user else None, pkg.id, ACTIVITY_TYPE, data,
        get_permission_labels().get_dataset_labels(pkg),
    )
    model.Session.add(activity)
    if not is_public_state(to_state):
        hide_past_activities(pkg)
    if commit:
        model.Session.commit()
        _refresh_public_document(pkg)
    forget_history(pkg.id)  # after the commit: a reader in between cached the old one


def _refresh_public_document(pkg: model.Package) -> None:
    """A transition recorded outside CKAN's dataset actions (whose own transaction records the
    workflow's, see :mod:`.guards`): the search document of a public dataset keeps the public
    history, so it is made again."""
    if pkg.private or not is_public_state(state_of_package(pkg)):
        return
    from ckan.lib import search
    try:
        search.rebuild(pkg.id)
    except search.SearchError:  # Solr down: package_show reads the database meanwhile
        log.warning("search document of %s not refreshed after its transition", pkg.id,
                    exc_info=True)


def hide_past_activities(pkg: model.Package) -> None:
    """Give every activity of ``pkg`` the dataset's current (non-public) labels, so that a
    withdrawn dataset disappears from the site-wide and agency activity streams too."""
    Activity = _activity_model()
    labels = get_permission_labels().get_dataset_labels(pkg)
    for activity in model.Session.query(Activity).filter(Activity.object_id == pkg.id):
        if activity.permission_labels and "public" in activity.permission_labels:
            activity.permission_labels = labels


def _transitions(package_id: str, user_labels: list[str] | None = None):
    Activity = _activity_model()
    q = model.Session.query(Activity).filter(
        Activity.object_id == package_id, Activity.activity_type == ACTIVITY_TYPE)
    if user_labels is not None:
        q = q.filter(Activity.permission_labels.op("&&")(user_labels))
    return q


def history(package_id: str, user_labels: list[str] | None = None) -> list[dict[str, Any]]:
    """The transitions of a dataset, oldest first; only those ``user_labels`` may see
    (``None``: all, for sysadmins and internal use)."""
    if not plugin_loaded("activity"):
        return []
    Activity = _activity_model()
    rows = _transitions(package_id, user_labels).order_by(Activity.timestamp)
    return [_transition_dict(a.timestamp, a.data) for a in rows]


def _transition_dict(timestamp: Any, data: dict[str, Any] | None) -> dict[str, Any]:
    data = data or {}
    return {
        "timestamp": timestamp.isoformat(),
        "actor": data.get("actor"),
        "from": data.get("from"),
        "to": data.get("to"),
        "comment": data.get("comment", ""),
        **({"publish_date": data["publish_date"]} if data.get("publish_date") else {}),
    }


_HISTORY = "workflow-history"
_HISTORY_SQL = sa.text(
    "SELECT timestamp, data, permission_labels FROM activity "
    "WHERE object_id = :package_id AND activity_type = :activity_type ORDER BY timestamp")


def forget_history(package_id: str) -> None:
    """The cached history of a dataset is stale (a transition was recorded, labels changed)."""
    rediscache.forget(_HISTORY, [package_id], rediscache.seconds())


def shown_history(pkg_dict: dict[str, Any], user_labels: list[str] | None) -> list[dict[str, Any]]:
    """:func:`history` of a dataset as ``package_show`` returns it, from a cache of all its
    transitions with their permission labels (per dataset version, ``metadata_modified``: a
    transition always changes the dataset, and :func:`record_transition` calls
    :func:`forget_history` after its commit), filtered for ``user_labels`` as the SQL of
    :func:`history` does."""
    if not plugin_loaded("activity"):
        return []
    package_id, version = pkg_dict["id"], str(pkg_dict.get("metadata_modified") or "")
    rows, stamp = rediscache.fetch(_HISTORY, package_id, "all", version)
    if rows is None:
        rows = _labelled_transitions(package_id)
        if version:
            rediscache.store(_HISTORY, package_id, "all", stamp, rows, rediscache.seconds())
    return _visible(rows, user_labels)


def public_history(package_id: str) -> list[dict[str, Any]]:
    """The transitions anyone may see, read from the database and not from the cache: the
    search document that keeps them is made inside the commit that records a transition, before
    :func:`forget_history` tells the cache."""
    return public_histories([package_id]).get(package_id, [])


_PUBLIC_HISTORIES_SQL = sa.text(
    "SELECT object_id, timestamp, data, permission_labels FROM activity "
    "WHERE object_id = ANY(:package_ids) AND activity_type = :activity_type "
    "AND permission_labels && CAST(:labels AS text[]) ORDER BY timestamp")


def public_histories(package_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """:func:`public_history` of each of ``package_ids``, in one query (the bulk load reads a
    whole batch's)."""
    if not plugin_loaded("activity") or not package_ids:
        return {}
    found = model.Session.connection().execute(_PUBLIC_HISTORIES_SQL, {
        "package_ids": list(package_ids), "activity_type": ACTIVITY_TYPE,
        "labels": anonymous_labels()}).all()
    histories: dict[str, list[dict[str, Any]]] = {pkg_id: [] for pkg_id in package_ids}
    for object_id, timestamp, data, _labels in found:
        histories[object_id].append(
            _transition_dict(timestamp, json.loads(data) if data else None))
    return histories


def anonymous_labels() -> list[str]:
    """The permission labels of a visitor who is not logged in."""
    return get_permission_labels().get_user_dataset_labels(None)


def _labelled_transitions(package_id: str) -> list[dict[str, Any]]:
    # plain SQL on the session's connection: no flush of the objects the action holds, no
    # statement to compile (a dataset's first view after a change pays only the query)
    found = model.Session.connection().execute(_HISTORY_SQL, {
        "package_id": package_id, "activity_type": ACTIVITY_TYPE}).all()
    return [{**_transition_dict(timestamp, json.loads(data) if data else None),
             "labels": labels or []}
            for timestamp, data, labels in found]


def _visible(rows: list[dict[str, Any]], user_labels: list[str] | None) -> list[dict[str, Any]]:
    wanted = None if user_labels is None else set(user_labels)
    return [{k: v for k, v in row.items() if k != "labels"} for row in rows
            if wanted is None or wanted.intersection(row["labels"])]


def last_transition(package_id: str, to_state: str) -> Any | None:
    if not plugin_loaded("activity"):
        return None
    Activity = _activity_model()
    return (_transitions(package_id).filter(Activity.data.contains(f'"to": "{to_state}"'))
            .order_by(Activity.timestamp.desc()).first())


def last_submitter_id(package_id: str) -> str | None:
    activity = last_transition(package_id, PENDING)
    return activity.user_id if activity else None


def user_labels_for(context: Context) -> list[str] | None:
    """Permission labels of the context's user; None for sysadmins (they see everything)."""
    user_name = context.get("user")
    if authz.is_sysadmin(user_name):
        return None
    if isinstance(user_name, model.User):  # the caller's object: no lookup
        user = user_name
    else:
        user = model.User.get(user_name) if user_name else None
    return get_permission_labels().get_user_dataset_labels(user)


# what changed since the last published version (review queue) -----------------------------------

#: keys of a dataset dict that are bookkeeping, not content a reviewer judges
_NOT_CONTENT = frozenset({
    "id", "metadata_created", "metadata_modified", "revision_id", "workflow_state",
    "workflow_history", "workflow_transition", "private", "state", "creator_user_id",
    "num_resources", "num_tags", "organization", "relationships_as_object",
    "relationships_as_subject", "groups", "isopen", "license_url", "license_title", "type",
    "tracking_summary", "extras",
})
_RESOURCE_CONTENT = ("name", "url", "format", "description")


def last_published_version(package_id: str) -> dict[str, Any] | None:
    """The dataset as it was the last time it was public (from the activity stream)."""
    if not plugin_loaded("activity"):
        return None
    Activity = _activity_model()
    activity = (model.Session.query(Activity)
                .filter(Activity.object_id == package_id,
                        Activity.activity_type.in_(("new package", "changed package")),
                        Activity.data.contains('"workflow_state": "published"'))
                .order_by(Activity.timestamp.desc()).first())
    return (activity.data or {}).get("package") if activity else None


def _content(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in pkg_dict.items() if k not in _NOT_CONTENT}
    content["tags"] = sorted(t["name"] for t in pkg_dict.get("tags") or [])
    content.pop("tag_string", None)
    content["resources"] = [
        {k: r.get(k) for k in _RESOURCE_CONTENT} for r in pkg_dict.get("resources") or []]
    return content


def changes_since_published(pkg_dict: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Field by field differences between ``pkg_dict`` and its last published version;
    None if it was never published."""
    before = last_published_version(pkg_dict["id"])
    if before is None:
        return None
    old, new = _content(before), _content(pkg_dict)
    changes = []
    for key in sorted(set(old) | set(new)):
        if key == "resources":
            continue
        if (old.get(key) or None) != (new.get(key) or None):
            changes.append({"field": key, "before": old.get(key), "after": new.get(key)})
    old_res = {r["url"] or r["name"]: r for r in old["resources"]}
    new_res = {r["url"] or r["name"]: r for r in new["resources"]}
    for key in sorted(set(old_res) | set(new_res)):
        if old_res.get(key) != new_res.get(key):
            changes.append({"field": "resource", "before": old_res.get(key),
                            "after": new_res.get(key)})
    return changes

