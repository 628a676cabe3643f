"""The workflow's guards around CKAN's own dataset actions (``tk.chained_action``).

The workflow state and the private flag change only through the review actions of :mod:`.action`;
CKAN's ``package_create``, ``package_update``, ``package_owner_org_update`` and the bulk actions
would otherwise let any editor publish a dataset or move a submitted one to another agency. The
guards also check the types of the ids these actions look up (a NUL byte or a list would reach
PostgreSQL). Trusted internal callers (the review actions, the harvesters) name the target state
in the context (:data:`ckanext.longan_opendata.workflow.CONTEXT_KEY`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.plugins import plugin_loaded
from ckan.types import Action, Context, DataDict

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.security import params as checks

__all__ = ["CHAINED_ACTIONS", "get_actions", "record_pending_transition"]

#: CKAN's actions that the workflow wraps, each by the function of the same name below
CHAINED_ACTIONS = (
    "package_create", "package_update", "package_patch", "package_owner_org_update",
    "bulk_update_public", "bulk_update_private", "bulk_update_delete", "dataset_purge",
)


def get_actions() -> dict[str, Callable[..., Any]]:
    return {name: globals()[name] for name in CHAINED_ACTIONS}


def _trusted_state(context: Context) -> str | None:
    state = context.get(wf.CONTEXT_KEY)
    if state is not None and state not in wf.STATES:
        raise tk.ValidationError({"workflow_state": [tk._("Unknown workflow state: %s") % state]})
    return state


def _refuse_state_change(data_dict: DataDict, state: str) -> None:
    """API callers may repeat the current state and visibility, never change them."""
    requested = data_dict.get("workflow_state")
    if requested not in (None, "", state):
        raise tk.ValidationError({"workflow_state": [tk._(
            "The workflow state changes only through the review actions "
            "(longan_workflow_submit, _approve, _reject, _withdraw)")]})
    private = checks.boolean(data_dict, "private", default=None)
    if private is not None and private != (not wf.is_public_state(state)):
        raise tk.ValidationError({"private": [tk._(
                "A dataset becomes public only when a reviewer approves it")]})


def _set_state(data_dict: DataDict, state: str) -> None:
    data_dict["workflow_state"] = state
    data_dict["private"] = not wf.is_public_state(state)
    data_dict.pop("workflow_history", None)
    data_dict.pop("workflow_transition", None)


def _actor(context: Context) -> model.User | str | None:
    """The acting user: the object CKAN's ``check_access`` already looked up, or the name."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User) and user.name == context.get("user"):
        return user
    return context.get("user")


def _with_transition(up_func: Action, context: Context, data_dict: DataDict, from_state: str,
                     to_state: str, comment: str, extra: dict[str, Any] | None = None) -> Any:
    """CKAN's action, which records the transition inside its own transaction
    (:func:`record_pending_transition`, from its ``after_dataset_create``/``_update`` hook):
    the search document CKAN makes before its commit then holds the new history, whose public
    part anonymous ``package_show`` reads from it. A caller that defers the commit
    (``defer_commit``: the bulk load) commits both."""
    context[_PENDING] = (_dataset_ref(data_dict), {
        "user_name": _actor(context), "from_state": from_state, "to_state": to_state,
        "comment": comment, "extra": extra})
    try:
        result = up_func(context, data_dict)
    finally:
        pending = context.pop(_PENDING, None)
    package_id = result if isinstance(result, str) else result["id"]
    if pending is not None:  # no hook ran (CKAN saw nothing to save): recorded on its own
        pkg = model.Package.get(package_id)
        if pkg is not None:
            wf.record_transition(pkg, **pending[1], commit=not context.get("defer_commit"))
    elif not context.get("defer_commit"):
        wf.forget_history(package_id)  # after the commit: a reader in between cached the old one
    return result


#: the context key of the transition :func:`record_pending_transition` records
_PENDING = "longan_workflow_pending_transition"


def record_pending_transition(context: Context, pkg_dict: dict[str, Any]) -> None:
    """``after_dataset_create``/``after_dataset_update``: record the transition the workflow's
    guard put in the context, in CKAN's transaction, before CKAN indexes and commits the
    dataset (flushed, so that the search document's history query sees it)."""
    pending = context.get(_PENDING)
    if pending is None:
        return
    pkg = model.Package.get(pkg_dict.get("id") or pkg_dict.get("name"))
    if pkg is None or pending[0] not in (pkg.id, pkg.name):  # another dataset's hook
        return
    del context[_PENDING]
    wf.record_transition(pkg, **pending[1], commit=False)
    model.Session.flush()


def _dataset_ref(data_dict: DataDict) -> str:
    """The ``id`` (or else ``name``) a dataset action names, checked to be text without NUL."""
    return checks.optional_text(data_dict, "id") or checks.optional_text(data_dict, "name")


def _refuse_org_change(context: Context, pkg: model.Package, requested: Any) -> None:
    """Issue 16: a dataset changes agency only while it is a ``draft`` (its editor may move it
    to an agency where they may create datasets; CKAN's ``owner_org`` validator checks that);
    once submitted, only a sysadmin may move it, so that nobody carries a colleague's dataset
    into an organisation where they are the reviewer."""
    if requested in (None, ""):
        target = None
    elif requested == pkg.owner_org:  # CKAN's own call after a save names the id: no lookup
        return
    else:
        name = checks.optional_text({"owner_org": requested}, "owner_org")
        org = model.Group.get(name)
        target = org.id if org is not None else name
    if target == pkg.owner_org or wf.state_of_package(pkg) == wf.DRAFT \
            or authz.is_sysadmin(context.get("user")):
        return
    checks.refuse("owner_org", tk._(
        "The agency (“owner_org”) of a dataset can change only while it is a draft; once it has "
        "been submitted only a system administrator may move it"))


@tk.chained_action
def package_create(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Every new dataset starts as a private ``draft``, unless a trusted internal caller names
    another state in the context (see :data:`ckanext.longan_opendata.workflow.CONTEXT_KEY`)."""
    trusted = _trusted_state(context)
    if trusted is None:
        _refuse_state_change(data_dict, wf.DRAFT)
    target = trusted or wf.DRAFT
    _set_state(data_dict, target)
    if target == wf.DRAFT:
        return up_func(context, data_dict)
    return _with_transition(up_func, context, data_dict, wf.DRAFT, target,
                            context.get(wf.CONTEXT_COMMENT_KEY, ""))


@tk.chained_action
def package_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Keep the workflow state and the private flag out of reach of ordinary updates; an edit of a
    ``rejected`` or ``withdrawn`` dataset brings it back to ``draft``. Who may edit a
    ``published`` dataset is decided by the ``package_update`` auth function. The agency
    (``owner_org``) changes only on a draft, or by a sysadmin."""
    ref = _dataset_ref(data_dict)
    pkg = model.Package.get(ref) if ref else None
    if pkg is None:
        return up_func(context, data_dict)
    current = wf.state_of_package(pkg)
    if "owner_org" in data_dict:
        _refuse_org_change(context, pkg, data_dict["owner_org"])
    trusted = _trusted_state(context)
    if trusted is None:
        _refuse_state_change(data_dict, current)
        target = wf.DRAFT if current in wf.RETURN_TO_DRAFT_ON_EDIT else current
        comment = "Đã sửa, trở lại bản nháp" if target != current else ""
    else:
        target = trusted
        comment = context.get(wf.CONTEXT_COMMENT_KEY, "")
    _set_state(data_dict, target)
    if target == current:
        return up_func(context, data_dict)
    return _with_transition(up_func, context, data_dict, current, target, comment,
                            context.get("longan_workflow_extra"))


@tk.chained_action
def package_patch(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Check the types of ``id`` and ``private`` before CKAN looks the dataset up (a NUL byte
    or a list would reach PostgreSQL); the rules are :func:`package_update`'s."""
    _dataset_ref(data_dict)
    checks.boolean(data_dict, "private", default=None)
    return up_func(context, data_dict)


@tk.chained_action
def package_owner_org_update(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """CKAN's own way to move a dataset (sysadmins only through the API; called by
    ``package_create``/``package_update`` after they saved the new ``owner_org``, when nothing
    moves any more): a submitted dataset moves only for a sysadmin. A direct call reindexes the
    dataset, whose search document (owner, permission labels) CKAN would leave stale."""
    ref = checks.text(data_dict, "id")
    org = checks.optional_text(data_dict, "organization_id")
    pkg = model.Package.get(ref)
    before = pkg.owner_org if pkg is not None else None
    if pkg is not None:
        _refuse_org_change(context, pkg, org)
    result = up_func(context, data_dict)
    if pkg is not None and pkg.owner_org != before and not context.get("defer_commit"):
        from ckan.lib import search

        search.rebuild(pkg.id)
    return result


def _bulk_datasets(data_dict: DataDict) -> list[model.Package]:
    checks.optional_text(data_dict, "org_id")
    ids = checks.text_list(data_dict, "datasets")
    return [pkg for pkg in (model.Package.get(id_) for id_ in ids) if pkg is not None]


def _refuse_bulk_visibility(data_dict: DataDict, make_public: bool) -> None:
    """Bulk visibility follows the workflow: only ``published`` datasets are public, and they
    become private only by withdrawal (with a reason)."""
    for pkg in _bulk_datasets(data_dict):
        if wf.is_public_state(wf.state_of_package(pkg)) != make_public:
            raise tk.ValidationError({"datasets": [
                tk._("A dataset becomes public only when a reviewer approves it") if make_public
                else tk._("Withdraw a published dataset with a reason instead")]})


@tk.chained_action
def bulk_update_public(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Refused for datasets that are not ``published``: they become public only by approval."""
    _refuse_bulk_visibility(data_dict, make_public=True)
    return up_func(context, data_dict)


@tk.chained_action
def bulk_update_private(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Refused for ``published`` datasets: use ``longan_workflow_withdraw`` (with a reason)."""
    _refuse_bulk_visibility(data_dict, make_public=False)
    return up_func(context, data_dict)


@tk.chained_action
def bulk_update_delete(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Only the types of ``org_id`` and ``datasets`` are checked (a list of ids or names)."""
    _bulk_datasets(data_dict)
    return up_func(context, data_dict)


@tk.chained_action
def dataset_purge(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Purge the dataset's activities with it: each ``new``/``changed package``
    activity holds a full copy of the dataset, and the workflow transitions its title, which
    CKAN would otherwise keep after the purge."""
    pkg = model.Package.get(checks.text(data_dict, "id"))
    package_id = pkg.id if pkg is not None else None
    result = up_func(context, data_dict)
    if package_id and plugin_loaded("activity"):
        from ckanext.activity.model.activity import Activity, ActivityDetail

        ids = model.Session.query(Activity.id).filter(Activity.object_id == package_id)
        model.Session.query(ActivityDetail).filter(
            ActivityDetail.activity_id.in_(ids.scalar_subquery())
        ).delete(synchronize_session=False)
        model.Session.query(Activity).filter(Activity.object_id == package_id).delete(
            synchronize_session=False)
        model.Session.commit()
    return result
