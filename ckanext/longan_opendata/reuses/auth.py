"""Auth of the reuse API: any logged-in person submits; reading follows the workflow."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Any]:
    return {"longan_reuse_submit": longan_reuse_submit, "longan_reuse_list": longan_reuse_list}


def longan_reuse_submit(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in person (CKAN refuses anonymous callers of this function)."""
    return {"success": bool(context.get("auth_user_obj")),
            "msg": tk._("Log in to submit a reuse")}


@tk.auth_allow_anonymous_access
def longan_reuse_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Everyone: only published reuses are listed to those who may not see more."""
    return {"success": True}
