"""Approval of a harvest source's ``auto_publish`` by a reviewer.

See :mod:`ckanext.longan_opendata.harvesters.approval` for what an approval covers and when it is
void.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.harvesters import approval as harvest_approval

__all__ = ["get_actions", "get_auth_functions"]


def get_actions() -> dict[str, Callable[..., Any]]:
    return {
        "longan_harvest_source_approve_auto_publish": longan_harvest_source_approve_auto_publish,
        "longan_harvest_source_approval_show": longan_harvest_source_approval_show,
    }


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return {
        "longan_harvest_source_approve_auto_publish":
            auth_longan_harvest_source_approve_auto_publish,
        "longan_harvest_source_approval_show": auth_longan_harvest_source_approval_show,
    }


def _source(data_dict: DataDict) -> model.Package:
    """The source's dataset named by ``id``; ValidationError/ObjectNotFound otherwise."""
    value = (data_dict or {}).get("id")
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise tk.ValidationError({"id": [tk._("Give the id or name of a harvest source")]})
    pkg = harvest_approval.source_package(value.strip())
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    return pkg


def longan_harvest_source_approve_auto_publish(
        context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve ``auto_publish`` of a harvest source: from now on its harvested datasets are
    published without a per-dataset review, as long as the source's type, URL, organisation and
    config stay as they are now (any change voids the approval).

    Only a reviewer (admin) of the source's organisation or a sysadmin may approve.

    :param id: the id or name of the harvest source
    :type id: string

    :returns: the approval status, as ``longan_harvest_source_approval_show``
    :rtype: dictionary
    """
    pkg = _source(data_dict)
    tk.check_access("longan_harvest_source_approve_auto_publish", context, {"id": pkg.id})
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(pkg.id)
    if source is None or not harvest_approval.requests_auto_publish(source.config):
        raise tk.ValidationError({"auto_publish": [
            tk._("The source's config does not ask for auto_publish: nothing to approve")]})
    user = model.User.get(context.get("user") or "")
    if user is None:  # ignore_auth callers must name a user
        raise tk.NotAuthorized(tk._("Only a reviewer (admin) of the agency may do this"))
    harvest_approval.approve(pkg.id, user.id)
    return harvest_approval.status(pkg.id)


@tk.side_effect_free
def longan_harvest_source_approval_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Whether a harvest source's ``auto_publish`` is in effect.

    Readable by whoever may read the source (``harvest_source_show``).

    :param id: the id or name of the harvest source
    :type id: string

    :returns: ``requested`` (the config asks for auto_publish), ``approved`` (an approval
        matches the source's current settings; auto_publish is in effect when both are true),
        ``void`` (the latest approval no longer matches), ``approved_by`` (user name) and
        ``approved_at`` (ISO time) of the latest approval, or null
    :rtype: dictionary
    """
    pkg = _source(data_dict)
    tk.check_access("longan_harvest_source_approval_show", context, {"id": pkg.id})
    return harvest_approval.status(pkg.id)


def auth_longan_harvest_source_approve_auto_publish(
        context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _source(data_dict)
    if wf.is_reviewer(context.get("user"), pkg.owner_org):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only a reviewer (admin) of the source's agency may approve its "
                        "auto_publish")}


@tk.auth_allow_anonymous_access
def auth_longan_harvest_source_approval_show(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _source(data_dict)
    try:
        tk.check_access("harvest_source_show", {"user": context.get("user")}, {"id": pkg.id})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Harvest source not found")}
    return {"success": True}
