"""Template helpers of the publish workflow."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.longan_opendata import workflow as wf

__all__ = ["get_helpers"]

#: English msgids of the states; the Vietnamese is in the catalogue (and in ``wf.STATES``)
LABELS = {
    wf.DRAFT: "Draft", wf.PENDING: "Pending review",
    wf.APPROVED: "Approved, awaiting publish date", wf.PUBLISHED: "Published",
    wf.REJECTED: "Returned", wf.WITHDRAWN: "Withdrawn",
}
BADGES = {
    wf.DRAFT: "bg-secondary", wf.PENDING: "bg-warning text-dark", wf.APPROVED: "bg-info text-dark",
    wf.PUBLISHED: "bg-success", wf.REJECTED: "bg-danger", wf.WITHDRAWN: "bg-dark",
}
TRANSITION_LABELS = {
    "submit": "Submit for review", "approve": "Approve",
    "reject": "Return to steward", "withdraw": "Withdraw",
}


def get_helpers() -> dict[str, Any]:
    return {
        "longan_workflow_state": longan_workflow_state,
        "longan_workflow_label": longan_workflow_label,
        "longan_workflow_badge": longan_workflow_badge,
        "longan_workflow_transitions": longan_workflow_transitions,
        "longan_workflow_transition_label": longan_workflow_transition_label,
        "longan_workflow_my_work": longan_workflow_my_work,
        "longan_workflow_is_reviewer": longan_workflow_is_reviewer,
    }


def _user() -> str | None:
    return tk.current_user.name if tk.current_user and tk.current_user.is_authenticated else None


def longan_workflow_state(pkg_dict: dict[str, Any]) -> str:
    return wf.state_of_dict(pkg_dict)


def longan_workflow_label(state: str) -> str:
    return tk._(LABELS.get(state, state))


def longan_workflow_badge(state: str) -> str:
    return BADGES.get(state, "bg-secondary")


def longan_workflow_transition_label(name: str) -> str:
    return tk._(TRANSITION_LABELS[name])


def longan_workflow_transitions(pkg_dict: dict[str, Any]) -> list[str]:
    """The transitions the current user may perform on the dataset now (the buttons)."""
    pkg = model.Package.get(pkg_dict.get("id", ""))
    return wf.allowed_transitions(_user(), pkg) if pkg is not None and _user() else []


def longan_workflow_is_reviewer() -> bool:
    user = _user()
    if not user:
        return False
    return bool(tk.get_action("organization_list_for_user")(
        {"user": user}, {"permission": "admin"}))


def longan_workflow_my_work(rows: int = 50) -> list[dict[str, Any]]:
    """Drafts, returned and withdrawn datasets of the agencies where the user is a steward."""
    user = _user()
    if not user:
        return []
    orgs = tk.get_action("organization_list_for_user")({"user": user},
                                                       {"permission": "create_dataset"})
    if not orgs:
        return []
    fq = (f"+workflow_state:({wf.DRAFT} OR {wf.REJECTED} OR {wf.WITHDRAWN}) +owner_org:("
          + " OR ".join(f'"{o["id"]}"' for o in orgs) + ")")
    return tk.get_action("package_search")(
        {"user": user}, {"fq": fq, "rows": rows, "include_private": True,
                         "sort": "metadata_modified desc"})["results"]
