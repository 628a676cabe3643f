"""Template helpers of the feedback."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import states

__all__ = ["get_helpers"]


def longan_feedback_kinds() -> dict[str, str]:
    return {kind: tk._(label) for kind, label in states.KINDS.items()}


def longan_feedback_public(package_id: str) -> list[dict[str, Any]]:
    """The dataset's publicly answered feedback, newest first (no contact e-mail)."""
    found = tk.get_action("longan_feedback_list")(
        {"user": ""}, {"package_id": package_id, "public": True, "rows": 20})
    return found["results"]


def longan_feedback_state_label(state: str) -> str:
    return states.state_label(state)


def get_helpers() -> dict[str, Any]:
    return {name: value for name, value in globals().items()
            if name.startswith("longan_feedback_")}
