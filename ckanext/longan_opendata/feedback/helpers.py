"""Template helpers of the feedback."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata import workflow

from . import states

__all__ = ["get_helpers"]


def longan_feedback_kinds() -> dict[str, str]:
    return {kind: tk._(label) for kind, label in states.KINDS.items()}


def longan_feedback_public(package_id: str) -> list[dict[str, Any]]:
    """The dataset's publicly answered feedback, newest first (no contact e-mail)."""
    found = tk.get_action("longan_feedback_list")(
        {"user": ""}, {"package_id": package_id, "public": True, "rows": 20})
    return found["results"]


def longan_feedback_new_count() -> int | None:
    """How many ``new`` feedback messages wait for the current user's agencies; None when the
    user is the steward of no agency (the dashboard then shows no link)."""

    user = tk.current_user
    name = user.name if user and user.is_authenticated else None
    if workflow.steward_agencies(name) == []:
        return None
    return tk.get_action("longan_feedback_list")(
        {"user": name}, {"mine": True, "state": states.NEW, "rows": 1})["count"]


def longan_feedback_kind_label(kind: str) -> str:
    return states.kind_label(kind)


def longan_feedback_state_label(state: str) -> str:
    return states.state_label(state)


def get_helpers() -> dict[str, Any]:
    return {name: value for name, value in globals().items()
            if name.startswith("longan_feedback_")}
