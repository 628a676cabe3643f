"""Auth of the follow API: logged-in people manage their own follows; sysadmins send digests;
the unsubscribe link's signed token is its own authorisation."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Any]:
    return {"longan_follow": _logged_in, "longan_unfollow": _logged_in,
            "longan_follow_list": _logged_in, "longan_follow_period": _logged_in,
            "longan_follow_digest_send": _sysadmin,
            "longan_follow_unsubscribe": longan_follow_unsubscribe}


def _logged_in(context: Context, data_dict: DataDict) -> AuthResult:
    """A person's own follows: any logged-in user (CKAN refuses anonymous callers of an auth
    function without ``auth_allow_anonymous_access``)."""
    return {"success": bool(context.get("auth_user_obj")), "msg": tk._("Log in to follow")}


def _sysadmin(context: Context, data_dict: DataDict) -> AuthResult:
    """Only sysadmins (CKAN lets them through before this is asked)."""
    return {"success": False, "msg": tk._("Only system administrators may send the digests")}


@tk.auth_allow_anonymous_access
def longan_follow_unsubscribe(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone holding a valid token (checked by the action)."""
    return {"success": True}
