"""Auth functions of the portal's statistics: anyone may read them; only sysadmins may ask for
fresh figures (``fresh=true`` skips the cache)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

__all__ = ["get_auth_functions"]


@tk.auth_allow_anonymous_access
def longan_stats_auth(context: Context, data_dict: DataDict) -> dict[str, Any]:
    return {"success": True}


def longan_stats_refresh_auth(context: Context, data_dict: DataDict) -> dict[str, Any]:
    # sysadmins pass every auth function before reaching here
    return {"success": False, "msg": tk._("Only system administrators can refresh statistics")}


def get_auth_functions() -> dict[str, Any]:
    return {"longan_stats": longan_stats_auth, "longan_stats_refresh": longan_stats_refresh_auth}
