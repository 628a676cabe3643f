"""Who may choose a user's e-mail language: the user themselves (sysadmins pass every check)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

__all__ = ["get_auth_functions"]


def longan_user_language_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    user = model.User.get(str((data_dict or {}).get("id") or ""))
    me = context.get("auth_user_obj") or model.User.get(context.get("user") or "")
    if user is not None and me is not None and getattr(me, "id", None) == user.id:
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the user themselves may choose the language of their e-mails")}


def get_auth_functions() -> dict[str, Any]:
    return {"longan_user_language_set": longan_user_language_set}
