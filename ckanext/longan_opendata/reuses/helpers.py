"""Template helpers of the reuse pages."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["get_helpers"]


def get_helpers() -> dict[str, Any]:
    return {"longan_reuses_of": longan_reuses_of}


def longan_reuses_of(dataset_name: str) -> list[dict[str, Any]]:
    """The published reuses of a dataset (what the current user may see)."""
    user = tk.current_user
    name = user.name if user and user.is_authenticated else ""
    try:
        found = tk.get_action("longan_reuse_list")(
            {"user": name}, {"dataset": dataset_name, "rows": 12})["results"]
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
    return [r for r in found if r.get("workflow_state") == "published"]
