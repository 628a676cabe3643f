"""Actions of the publish workflow and the guards around CKAN's own dataset actions.

``draft`` → ``pending_review`` → ``published`` (or ``approved`` until a publish date);
``pending_review`` → ``rejected``; ``published`` → ``withdrawn``; an edit of a rejected or
withdrawn dataset brings it back to ``draft``. See :mod:`ckanext.longan_opendata.workflow`.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import SearchError
from ckan.plugins import plugin_loaded
from ckan.types import Action, Context, DataDict

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.metadata import review as validation
from ckanext.longan_opendata.security import params as checks
from ckanext.longan_opendata.workflow import auth as workflow_auth

__all__ = ["get_actions", "get_auth_functions", "get_validators"]


def get_actions() -> dict[str, Callable[..., Any]]:
    return {
        "longan_workflow_submit": longan_workflow_submit,
        "longan_workflow_approve": longan_workflow_approve,
        "longan_workflow_reject": longan_workflow_reject,
        "longan_workflow_withdraw": longan_workflow_withdraw,
        "longan_review_queue": longan_review_queue,
        "longan_workflow_publish_due": longan_workflow_publish_due,
        "package_create": package_create,
        "package_update": package_update,
        "package_patch": package_patch,
        "package_owner_org_update": package_owner_org_update,
        "bulk_update_public": bulk_update_public,
        "bulk_update_private": bulk_update_private,
        "bulk_update_delete": bulk_update_delete,
        "dataset_purge": dataset_purge,
    }


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return workflow_auth.get_auth_functions()


def get_validators() -> dict[str, Callable[..., Any]]:
    return {"longan_workflow_state": _state_validator}


def _state_validator(value: Any) -> Any:
    if value in (None, "") or value in wf.STATES:
        return value
    raise tk.Invalid(tk._("Unknown workflow state: %s") % value)


# transitions -------------------------------------------------------------------------------------

def _reason(data_dict: DataDict, required: bool) -> str:
    reason = checks.optional_text(data_dict, "reason").strip()
    if required and not reason:
        raise tk.ValidationError({"reason": [tk._("Please give a reason")]})
    return reason


def _transition(
    name: str, context: Context, data_dict: DataDict, *, target: str | None = None,
    comment: str = "", extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    pkg = wf.get_package(checks.text(data_dict, "id"))
    tk.check_access(f"longan_workflow_{name}", context, data_dict)
    sources, default_target = wf.TRANSITIONS[name]
    current = wf.state_of_package(pkg)
    if current not in sources:
        raise tk.ValidationError({"workflow_state": [
            tk._("Cannot %(transition)s a dataset in state %(state)s")
            % {"transition": name, "state": current}]})
    return _move(context, pkg, current, target or default_target, comment, extra)


def _move(
    context: Context, pkg: model.Package, current: str, target: str, comment: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = context.get("user")
    patch_context: Context = {"user": user, "ignore_auth": True, wf.CONTEXT_KEY: target,
                              wf.CONTEXT_COMMENT_KEY: comment, "longan_workflow_extra": extra or {}}
    tk.get_action("package_patch")(patch_context, {"id": pkg.id})
    result = tk.get_action("package_show")({"user": user, "ignore_auth": True}, {"id": pkg.id})
    result["workflow_transition"] = {"from": current, "to": target, "comment": comment}
    return result


def longan_workflow_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a dataset for review (``draft``, ``rejected`` or ``withdrawn`` → ``pending_review``).

    Runs the full metadata validation; a dataset with ``contains_personal_data`` = ``yes``
    cannot be submitted. The agency's reviewers are told by e-mail.

    :param id: the id or name of the dataset
    :type id: string
    :param comment: a note for the reviewers (optional)
    :type comment: string
    :returns: the dataset (as ``package_show``) with ``workflow_transition``
    :rtype: dictionary
    """
    pkg = wf.get_package(checks.text(data_dict, "id"))
    comment = checks.optional_text(data_dict, "comment").strip()
    tk.check_access("longan_workflow_submit", context, data_dict)
    current = tk.get_action("package_show")(
        {"user": context.get("user"), "ignore_auth": True}, {"id": pkg.id})
    if current.get("contains_personal_data") == "yes":
        raise tk.ValidationError({"contains_personal_data": [
            tk._("A dataset containing personal data cannot be published")]})
    validation.validate_for_review(context, current)
    return _transition("submit", context, data_dict, comment=comment)


def longan_workflow_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a dataset waiting for review: it becomes public now (``published``), or at
    ``publish_date`` (``approved`` until ``ckan longan publish-due`` runs on that day).

    Only a reviewer (admin) of the dataset's agency or a sysadmin; a reviewer cannot approve
    their own submission unless ``ckanext.longan_opendata.workflow.allow_self_approval`` is on.

    :param id: the id or name of the dataset
    :type id: string
    :param comment: a note for the submitter (optional)
    :type comment: string
    :param publish_date: the day it becomes public, YYYY-MM-DD (optional, default today)
    :type publish_date: string
    :returns: the dataset (as ``package_show``) with ``workflow_transition``
    :rtype: dictionary
    """
    checks.text(data_dict, "id")
    comment = checks.optional_text(data_dict, "comment").strip()
    publish_date = _publish_date(data_dict)
    scheduled = publish_date is not None and publish_date > wf.today()
    return _transition(
        "approve", context, data_dict, target=wf.APPROVED if scheduled else wf.PUBLISHED,
        comment=comment,
        extra={"publish_date": publish_date.isoformat()} if scheduled else None)


def _publish_date(data_dict: DataDict, field: str = "publish_date") -> datetime.date | None:
    value = checks.optional_text(data_dict, field)
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise tk.ValidationError({field: [tk._("Date format must be YYYY-MM-DD")]}) from None


def longan_workflow_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return a dataset waiting for review to its steward (``pending_review`` → ``rejected``).
    Editing it brings it back to ``draft``.

    :param id: the id or name of the dataset
    :type id: string
    :param reason: why it is returned (required)
    :type reason: string
    :returns: the dataset (as ``package_show``) with ``workflow_transition``
    :rtype: dictionary
    """
    checks.text(data_dict, "id")
    return _transition("reject", context, data_dict, comment=_reason(data_dict, True))


def longan_workflow_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a published (or approved, not yet public) dataset: it becomes private again
    (``withdrawn``); editing it brings it back to ``draft``.

    :param id: the id or name of the dataset
    :type id: string
    :param reason: why it is withdrawn (required)
    :type reason: string
    :returns: the dataset (as ``package_show``) with ``workflow_transition``
    :rtype: dictionary
    """
    checks.text(data_dict, "id")
    return _transition("withdraw", context, data_dict, comment=_reason(data_dict, True))


@tk.side_effect_free
def longan_review_queue(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Datasets waiting for the caller's review: ``pending_review`` datasets of the agencies
    where the caller is a reviewer (admin); all agencies for a sysadmin. Oldest first.

    :param owner_org: only this agency (id or name) (optional)
    :type owner_org: string
    :param q: a search query, as for ``package_search``, without Solr local parameters
        (``{!…}``) (optional)
    :type q: string
    :param state: ``pending_review`` (default) or ``approved`` (waiting for their publish date)
    :type state: string
    :param rows: how many (optional, default 20, at most 1000)
    :type rows: int
    :param start: offset (optional, default 0)
    :type start: int
    :returns: ``{"count": …, "results": [dataset, …]}``
    :rtype: dictionary
    """
    wanted = checks.optional_text(data_dict, "owner_org")
    query = checks.solr_query(data_dict, "q")
    state = checks.optional_text(data_dict, "state") or wf.PENDING
    rows = min(checks.integer(data_dict, "rows", 20), 1000)
    start = checks.integer(data_dict, "start", 0)
    tk.check_access("longan_review_queue", context, data_dict)
    if state not in (wf.PENDING, wf.APPROVED):
        raise tk.ValidationError({"state": [tk._("Unknown workflow state: %s") % state]})
    user = context.get("user")
    if authz.is_sysadmin(user):
        orgs = None
    else:
        orgs = [o["id"] for o in tk.get_action("organization_list_for_user")(
            {"user": user}, {"permission": "admin"})]
    if wanted:
        org = model.Group.get(wanted)
        if org is None or (orgs is not None and org.id not in orgs):
            return {"count": 0, "results": []}
        orgs = [org.id]
    if orgs == []:
        return {"count": 0, "results": []}
    fq = f"+workflow_state:{state}"
    if orgs is not None:
        fq += " +owner_org:(" + " OR ".join(f'"{o}"' for o in orgs) + ")"
    try:
        result = tk.get_action("package_search")(
            {"user": user}, {"q": query or "*:*", "fq": fq, "rows": rows,
                             "start": start, "include_private": True,
                             "sort": "metadata_modified asc"})
    except SearchError:  # Solr could not parse the query (a lone quote, "a:b:c"…)
        checks.refuse("q", tk._("The parameter “%(field)s” is not a valid search query: "
                                "check its quotes, brackets and colons") % {"field": "q"})
    return {"count": result["count"], "results": result["results"]}


def longan_workflow_publish_due(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish the ``approved`` datasets whose publish date has come (run daily by cron through
    ``ckan longan publish-due``). Sysadmins only.

    :param date: treat this day as today, YYYY-MM-DD (optional)
    :type date: string
    :returns: ``{"published": [dataset name, …]}``
    :rtype: dictionary
    """
    tk.check_access("longan_workflow_publish_due", context, data_dict)
    day = _publish_date(data_dict, "date") or wf.today()
    query = model.Session.query(model.Package).filter(
        model.Package.extras["workflow_state"].astext == wf.APPROVED,
        model.Package.state == "active")
    published = []
    for pkg in query.all():
        activity = wf.last_transition(pkg.id, wf.APPROVED)
        due = activity.data.get("publish_date") if activity else None
        if due and datetime.date.fromisoformat(due) <= day:
            _move(context, pkg, wf.APPROVED, wf.PUBLISHED,
                  f"Đến ngày công bố {due}")
            published.append(pkg.name)
    return {"published": published}


# guards around CKAN's dataset actions -------------------------------------------------------------

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
    result = up_func(context, data_dict)
    if target != wf.DRAFT:
        pkg = model.Package.get(result if isinstance(result, str) else result["id"])
        if pkg is not None:
            wf.record_transition(pkg, context.get("user"), wf.DRAFT, target,
                                 context.get(wf.CONTEXT_COMMENT_KEY, ""))
    return result


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
    result = up_func(context, data_dict)
    if target != current:
        wf.record_transition(pkg, context.get("user"), current, target, comment,
                             context.get("longan_workflow_extra"))
    return result


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


@tk.chained_action
def bulk_update_public(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Refused for datasets that are not ``published``: they become public only by approval."""
    for pkg in _bulk_datasets(data_dict):
        if not wf.is_public_state(wf.state_of_package(pkg)):
            raise tk.ValidationError({"datasets": [tk._(
                "A dataset becomes public only when a reviewer approves it")]})
    return up_func(context, data_dict)


@tk.chained_action
def bulk_update_private(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Refused for ``published`` datasets: use ``longan_workflow_withdraw`` (with a reason)."""
    for pkg in _bulk_datasets(data_dict):
        if wf.is_public_state(wf.state_of_package(pkg)):
            raise tk.ValidationError({"datasets": [tk._(
                "Withdraw a published dataset with a reason instead")]})
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
