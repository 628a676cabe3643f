"""Who may read link checks: whoever may see the resource (CKAN's ``resource_show``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

__all__ = ["get_auth_functions"]


@tk.auth_allow_anonymous_access
def longan_linkcheck_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    try:
        tk.check_access("resource_show", context, {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": tk._("Not authorised to see this resource")}
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return {"longan_linkcheck_show": longan_linkcheck_show}
