"""Auth functions of the data requests: anyone reads; logged-in people propose and support (and
anonymous people propose when the option allows it); the requester changes their own request
before it is answered; the addressed agency's stewards answer; sysadmins delete (CKAN lets
sysadmins past every auth function)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import AuthResult, Context, DataDict

from ckanext.longan_opendata import workflow

from . import records, states
from .states import API

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return {name: globals()[name] for name in (*API, "longan_datarequest_verify")}


def _deny(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _row(data_dict: DataDict) -> dict[str, Any] | None:
    return records.get((data_dict or {}).get("id"))


@tk.auth_allow_anonymous_access
def longan_datarequest_create(context: Context, data_dict: DataDict) -> AuthResult:
    if context.get("user") or states.allow_anonymous():
        return {"success": True}
    return _deny(tk._("Log in to propose data"))


@tk.auth_allow_anonymous_access
def longan_datarequest_verify(context: Context, data_dict: DataDict) -> AuthResult:
    # the signed token of the link is the proof; the action checks it
    return {"success": True}


@tk.auth_allow_anonymous_access
def longan_datarequest_show(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def longan_datarequest_list(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def longan_datarequest_update(context: Context, data_dict: DataDict) -> AuthResult:
    row, user = _row(data_dict), model.User.get(context.get("user") or "")
    if row and user and row["requester_id"] == user.id:
        return {"success": True}
    return _deny(tk._("Only the person who proposed a request may change it"))


def longan_datarequest_answer(context: Context, data_dict: DataDict) -> AuthResult:
    row = _row(data_dict)
    if row and workflow.is_steward(context.get("user"), row["owner_org"]):
        return {"success": True}
    return _deny(tk._("Only the stewards of the agency the request is addressed to may answer "
                      "it"))


def longan_datarequest_support(context: Context, data_dict: DataDict) -> AuthResult:
    if context.get("user"):
        return {"success": True}
    return _deny(tk._("Log in to support a data request"))


def longan_datarequest_unsupport(context: Context, data_dict: DataDict) -> AuthResult:
    return longan_datarequest_support(context, data_dict)


def longan_datarequest_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _deny(tk._("Only system administrators may delete a data request"))
