"""The publish workflow: states, transitions, visibility and the audit trail.

A dataset's ``workflow_state`` (a hidden scheming field, stored as an extra) is one of
:data:`STATES`. Only ``published`` datasets are public: every other state keeps the CKAN
``private`` flag on, and :class:`WorkflowPermissionLabels` gives such a dataset the labels of its
agency only, so anonymous users and other agencies never see it in ``package_show``,
``package_search`` (and its facets), the activity stream, DCAT, the DataStore or downloads.

Every transition is an activity of type :data:`ACTIVITY_TYPE` (actor, time, from/to, comment)
labelled like the dataset; ``package_show`` returns the state and the history the caller may see.

Trusted internal callers (harvesters, the demo loader, cron) create or update datasets directly
in a given state by putting it in the action context under :data:`CONTEXT_KEY`; an API caller
cannot set the context, so the key cannot be forged through the API::

    context = {"user": harvest_user, CONTEXT_KEY: state_for_harvested(source_auto_publish)}
    tk.get_action("package_create")(context, dataset_dict)
"""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels, get_permission_labels
from ckan.plugins import plugin_loaded
from ckan.types import Context

log = logging.getLogger(__name__)

DRAFT = "draft"
PENDING = "pending_review"
APPROVED = "approved"
PUBLISHED = "published"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

#: every state, in workflow order, with its Vietnamese label (the UI translates the English one)
STATES: dict[str, str] = {
    DRAFT: "Nháp",
    PENDING: "Chờ duyệt",
    APPROVED: "Đã duyệt, chờ ngày công bố",
    PUBLISHED: "Đã công bố",
    REJECTED: "Trả lại",
    WITHDRAWN: "Thu hồi",
}

#: transition name -> (states it starts from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({DRAFT, REJECTED, WITHDRAWN}), PENDING),
    "approve": (frozenset({PENDING}), PUBLISHED),
    "reject": (frozenset({PENDING}), REJECTED),
    "withdraw": (frozenset({PUBLISHED, APPROVED}), WITHDRAWN),
}
#: transitions a reviewer (agency admin) performs; ``submit`` is the steward's (editor)
REVIEWER_TRANSITIONS = ("approve", "reject", "withdraw")

#: states an edit sends back to ``draft``
RETURN_TO_DRAFT_ON_EDIT = frozenset({REJECTED, WITHDRAWN})

#: context key naming the state a trusted internal caller wants (never settable through the API)
CONTEXT_KEY = "longan_workflow_state"
#: context key of a comment recorded with such a trusted transition
CONTEXT_COMMENT_KEY = "longan_workflow_comment"

ACTIVITY_TYPE = "longan workflow package"
SELF_APPROVAL_OPTION = "ckanext.longan_opendata.workflow.allow_self_approval"


def state_for_harvested(auto_publish: bool) -> str:
    """The state a harvested dataset gets: ``published`` from a trusted source
    (``auto_publish: true``), ``pending_review`` otherwise. Pass it under :data:`CONTEXT_KEY`."""
    return PUBLISHED if auto_publish else PENDING


def is_public_state(state: str) -> bool:
    return state == PUBLISHED


def state_of_package(pkg: model.Package) -> str:
    """The workflow state of a dataset object. Datasets made before the workflow existed have
    no state: a public one counts as published, a private one as a draft."""
    state = pkg.extras.get("workflow_state")
    if state in STATES:
        return state
    return DRAFT if pkg.private else PUBLISHED


def state_of_dict(pkg_dict: dict[str, Any]) -> str:
    state = pkg_dict.get("workflow_state")
    if state in STATES:
        return state
    return DRAFT if tk.asbool(pkg_dict.get("private")) else PUBLISHED


def get_package(id_or_name: str | None) -> model.Package:
    """The active dataset of that id or name; ObjectNotFound otherwise (also for a value that
    is not text or holds a NUL byte, which PostgreSQL would refuse with an error)."""
    usable = isinstance(id_or_name, str) and id_or_name and "\x00" not in id_or_name
    pkg = model.Package.get(id_or_name) if usable else None
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


# roles ------------------------------------------------------------------------------------------

def role_in_agency(user_name: str | None, org_id: str | None) -> str | None:
    """``admin`` (reviewer), ``editor`` (steward), ``member`` or None."""
    if not user_name or not org_id:
        return None
    return authz.users_role_for_group_or_org(org_id, user_name)


def is_reviewer(user_name: str | None, org_id: str | None) -> bool:
    return authz.is_sysadmin(user_name) or role_in_agency(user_name, org_id) == "admin"


def is_steward(user_name: str | None, org_id: str | None) -> bool:
    return authz.is_sysadmin(user_name) or role_in_agency(user_name, org_id) in ("admin", "editor")


def allowed_transitions(user_name: str | None, pkg: model.Package) -> list[str]:
    """Names of the transitions ``user_name`` may perform on ``pkg`` now (drives the buttons)."""
    state = state_of_package(pkg)
    allowed = []
    for name, (sources, _target) in TRANSITIONS.items():
        if state not in sources:
            continue
        if name in REVIEWER_TRANSITIONS:
            ok = is_reviewer(user_name, pkg.owner_org)
            if ok and name == "approve" and not may_approve_own(user_name, pkg):
                ok = False
        else:
            ok = is_steward(user_name, pkg.owner_org)
        if ok:
            allowed.append(name)
    return allowed


def may_approve_own(user_name: str | None, pkg: model.Package) -> bool:
    """False when ``user_name`` submitted ``pkg`` and self-approval is off (sysadmins excepted)."""
    if authz.is_sysadmin(user_name) or tk.config.get(SELF_APPROVAL_OPTION):
        return True
    user = model.User.get(user_name) if user_name else None
    return user is None or last_submitter_id(pkg.id) != user.id


# audit trail ------------------------------------------------------------------------------------

def _activity_model():
    from ckanext.activity.model import Activity
    return Activity


def record_transition(
    pkg: model.Package, user_name: str | None, from_state: str, to_state: str,
    comment: str = "", extra: dict[str, Any] | None = None,
) -> None:
    """Add the transition to the activity stream, labelled like the dataset now is."""
    if not plugin_loaded("activity"):
        log.warning("activity plugin off: workflow transition of %s not recorded", pkg.name)
        return
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
    model.Session.commit()


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
    return [{
        "timestamp": a.timestamp.isoformat(),
        "actor": a.data.get("actor"),
        "from": a.data.get("from"),
        "to": a.data.get("to"),
        "comment": a.data.get("comment", ""),
        **({"publish_date": a.data["publish_date"]} if a.data.get("publish_date") else {}),
    } for a in rows]


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
    user = model.User.get(user_name) if user_name else None
    return get_permission_labels().get_user_dataset_labels(user)


# CKAN hooks (called by the plugin) ---------------------------------------------------------------

class WorkflowPermissionLabels(DefaultPermissionLabels):
    """Public label only for active, non-private, *published* datasets; any other state keeps
    the labels of its agency (``member-<org>``), whatever the private flag says."""

    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        labels = super().get_dataset_labels(dataset_obj)
        if labels == ["public"] and not is_public_state(state_of_package(dataset_obj)):
            org = dataset_obj.owner_org
            return [f"member-{org}"] if org else [f"creator-{dataset_obj.creator_user_id}"]
        return labels


def after_dataset_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    """Add ``workflow_state`` (always) and ``workflow_history`` (the transitions the caller may
    see) to ``package_show``."""
    pkg_dict["workflow_state"] = state_of_dict(pkg_dict)
    if pkg_dict.get("id"):
        pkg_dict["workflow_history"] = history(pkg_dict["id"], user_labels_for(context))


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Index the state; keep the caller-dependent history out of the search index."""
    validated = pkg_dict.get("validated_data_dict")
    if validated and "workflow_history" in validated:
        data = json.loads(validated)
        data.pop("workflow_history", None)
        pkg_dict["validated_data_dict"] = json.dumps(data)
    pkg_dict.pop("workflow_history", None)
    pkg_dict["workflow_state"] = state_of_dict(pkg_dict)
    return pkg_dict


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


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


def harvest_context(auto_publish: bool, comment: str = "Thu thập tự động / harvested") -> Context:
    """The context entries a harvester adds to its ``package_create``/``package_update`` calls:
    ``published`` for an ``auto_publish`` source, ``pending_review`` otherwise."""
    return {CONTEXT_KEY: state_for_harvested(auto_publish), CONTEXT_COMMENT_KEY: comment}
