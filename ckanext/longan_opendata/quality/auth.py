"""Auth functions of the quality score: reading a score follows ``package_show`` (drafts never
leak); the methodology and the dashboard (public datasets only) are open; an agency's report is
for its members and sysadmins. The snapshot and the e-mails are CLI commands (no action)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz
from ckan.types import AuthResult, Context, DataDict

__all__ = ["get_auth_functions"]


@tk.auth_allow_anonymous_access
def longan_quality_show(context: Context, data_dict: DataDict) -> AuthResult:
    return authz.is_authorized("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def longan_quality_methodology(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


@tk.auth_allow_anonymous_access
def longan_quality_dashboard(context: Context, data_dict: DataDict) -> AuthResult:
    return {"success": True}


def longan_quality_report(context: Context, data_dict: DataDict) -> AuthResult:
    org = (data_dict or {}).get("id")
    user = context.get("user")
    if org and user and authz.has_user_permission_for_group_or_org(org, user, "read"):
        return {"success": True}
    return {"success": False,
            "msg": tk._("Only the agency's members may read its quality report")}


def get_auth_functions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "longan_quality_show", "longan_quality_methodology", "longan_quality_dashboard",
        "longan_quality_report")}
