"""The publish workflow's API: its transitions, the review queue and the daily publication.

``draft`` → ``pending_review`` → ``published`` (or ``approved`` until a publish date);
``pending_review`` → ``rejected``; ``published`` → ``withdrawn``; an edit of a rejected or
withdrawn dataset brings it back to ``draft``. See :mod:`ckanext.longan_opendata.workflow`.
The guards that keep CKAN's own dataset actions from changing the state are in :mod:`.guards`.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import SearchError
from ckan.types import Context, DataDict

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.metadata import review as validation
from ckanext.longan_opendata.security import params as checks

from . import auth as workflow_auth
from .states import API

__all__ = ["get_actions", "get_auth_functions", "get_validators"]


def get_actions() -> dict[str, Callable[..., Any]]:
    """The workflow's API (:data:`.states.API`); CKAN's actions it wraps are in :mod:`.guards`."""
    return {name: globals()[name] for name in API}


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
