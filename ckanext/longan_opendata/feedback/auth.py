"""Auth functions of the feedback: anyone sends and reads publicly answered feedback; the
dataset's agency's stewards (editors, admins) read everything of their agency and handle it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.longan_opendata import workflow

from . import records
from .states import API

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return {name: globals()[name] for name in API}


@tk.auth_allow_anonymous_access
def longan_feedback_create(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def longan_feedback_list(context: Context, data_dict: DataDict) -> AuthResult:
    # the action lists only what the caller may see
    return {"success": True}


@tk.auth_allow_anonymous_access
def longan_feedback_show(context: Context, data_dict: DataDict) -> AuthResult:
    row = records.get((data_dict or {}).get("id"))
    if row and (records.publicly_visible(row)
                or workflow.is_steward(context.get("user"), row["owner_org"])):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the agency's stewards may read this feedback")}


def longan_feedback_update(context: Context, data_dict: DataDict) -> AuthResult:
    row = records.get((data_dict or {}).get("id"))
    if row and workflow.is_steward(context.get("user"), row["owner_org"]):
        return {"success": True}
    return {"success": False, "msg": tk._("Only the agency's stewards may handle this feedback")}
