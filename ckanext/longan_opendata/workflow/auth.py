"""Auth functions of the publish workflow.

editor = data steward (create, edit, submit); admin = reviewer (approve, reject, withdraw, and edit
a published dataset); sysadmin: everything (CKAN lets sysadmins past every auth function).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.longan_opendata import workflow as wf

from .states import API

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    """One per action of the workflow's API (:data:`.states.API`), and the ``package_update``
    guard."""
    return {name: globals()[name] for name in (*API, "package_update")}


def _package(data_dict: DataDict) -> model.Package:
    return wf.get_package((data_dict or {}).get("id"))


def _deny(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def longan_workflow_submit(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _package(data_dict)
    if wf.is_steward(context.get("user"), pkg.owner_org):
        return {"success": True}
    return _deny(tk._("Only an editor of the agency may submit its datasets for review"))


def _reviewer(context: Context, data_dict: DataDict) -> AuthResult:
    pkg = _package(data_dict)
    if wf.is_reviewer(context.get("user"), pkg.owner_org):
        return {"success": True}
    return _deny(tk._("Only a reviewer (admin) of the agency may do this"))


def longan_workflow_approve(context: Context, data_dict: DataDict) -> AuthResult:
    result = _reviewer(context, data_dict)
    if result["success"] and not wf.may_approve_own(context.get("user"), _package(data_dict)):
        return _deny(tk._("A reviewer may not approve their own submission"))
    return result


def longan_workflow_reject(context: Context, data_dict: DataDict) -> AuthResult:
    return _reviewer(context, data_dict)


def longan_workflow_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    return _reviewer(context, data_dict)


def longan_review_queue(context: Context, data_dict: DataDict) -> AuthResult:
    user = context.get("user")
    if user and tk.get_action("organization_list_for_user")(
            {"user": user}, {"permission": "admin"}):
        return {"success": True}
    return _deny(tk._("Only reviewers have a review queue"))


def longan_workflow_publish_due(context: Context, data_dict: DataDict) -> AuthResult:
    return _deny(tk._("Only sysadmins may publish due datasets"))


@tk.chained_auth_function
def package_update(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """A published dataset's content is edited only by its agency's reviewers: a steward asks a
    reviewer to withdraw it, edits it (back to draft) and submits it again. Also guards
    package_patch, package_delete and the resource actions, which all ask package_update."""
    ref = (data_dict or {}).get("id") or (data_dict or {}).get("name") or ""
    if not isinstance(ref, str) or "\x00" in ref:  # PostgreSQL would refuse it with an error
        return _deny(tk._("Dataset not found"))
    pkg = model.Package.get(ref)
    if pkg is not None and wf.state_of_package(pkg) in (wf.PUBLISHED, wf.APPROVED) \
            and not wf.is_reviewer(context.get("user"), pkg.owner_org):
        return _deny(tk._("This dataset is published: only a reviewer of the agency may edit it. "
                          "Ask a reviewer to withdraw it, edit it, then submit it again."))
    return next_auth(context, data_dict)
