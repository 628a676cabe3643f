"""Template helpers of harvesting: the ``auto_publish`` approval shown on a source's page."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["get_helpers"]


def longan_auto_publish_status(source_id: str) -> dict[str, Any] | None:
    """The ``auto_publish`` approval of a harvest source for its page, with
    ``can_approve`` for the current user; None when the user may not read it."""
    try:
        status = tk.get_action("longan_harvest_source_approval_show")({}, {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None
    status["can_approve"] = tk.h.check_access(
        "longan_harvest_source_approve_auto_publish", {"id": source_id})
    return status


def longan_harvest_incomplete(job_id: str) -> list[dict[str, Any]]:
    """The datasets of a harvest job that lack review fields (the job page lists them)."""
    from .completeness import incomplete_datasets

    return incomplete_datasets(job_id) if job_id else []


def get_helpers() -> dict[str, Any]:
    return {"longan_auto_publish_status": longan_auto_publish_status,
            "longan_harvest_incomplete": longan_harvest_incomplete}
