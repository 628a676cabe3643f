"""Auth of the series API: reading follows the series' own visibility."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

__all__ = ["get_auth_functions"]


def get_auth_functions() -> dict[str, Any]:
    return {"longan_series_editions": longan_series_editions}


@tk.auth_allow_anonymous_access
def longan_series_editions(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone who may see the series may list its editions (each edition's own visibility
    applies in the search)."""
    try:
        tk.check_access("package_show", dict(context), {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorized to see this series")}
    return {"success": True}
