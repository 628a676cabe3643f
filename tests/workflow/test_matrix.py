"""The authorisation matrix: role × action × workflow state, against the real database, Solr,
DataStore and web app. Every cell is a test; the expected outcome comes from the rules below.

Outcomes: ``ok`` (done / visible / listed), ``denied`` (NotAuthorized, 403/404), ``invalid``
(ValidationError: allowed role, wrong state), ``hidden`` (the search or queue does not list it).
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.longan_opendata import workflow as wf

from .conftest import CSV, ROLES, STATES, act

OK, DENIED, INVALID, HIDDEN = "ok", "denied", "invalid", "hidden"
TRANSITIONS = ("longan_workflow_submit", "longan_workflow_approve", "longan_workflow_reject",
               "longan_workflow_withdraw")
ACTIONS = (*TRANSITIONS, "longan_review_queue", "package_update", "package_patch",
           "package_show", "package_search", "resource_download", "datastore_search")
READERS = {"member", "editor", "admin", "sysadmin"}      # the agency's people (and sysadmins)
STEWARDS = {"editor", "admin", "sysadmin"}
REVIEWERS = {"admin", "sysadmin"}


def expected(action: str, role: str, state: str) -> str:
    """The rules of issue 5, written independently of the code under test."""
    visible = state == wf.PUBLISHED or role in READERS
    if action in ("package_show", "resource_download", "datastore_search"):
        return OK if visible else DENIED
    if action == "package_search":
        return OK if visible else HIDDEN
    if action == "longan_review_queue":
        if role not in {"admin"} and role != "sysadmin":
            return DENIED
        return OK if state == wf.PENDING else HIDDEN
    if action in ("package_update", "package_patch"):
        if role not in STEWARDS:
            return DENIED
        if state in (wf.PUBLISHED, wf.APPROVED) and role not in REVIEWERS:
            return DENIED
        return OK
    if action == "longan_workflow_submit":
        if role not in STEWARDS:
            return DENIED
        return OK if state in (wf.DRAFT, wf.REJECTED, wf.WITHDRAWN) else INVALID
    if role not in REVIEWERS:
        return DENIED
    if action == "longan_workflow_withdraw":
        return OK if state in (wf.PUBLISHED, wf.APPROVED) else INVALID
    return OK if state == wf.PENDING else INVALID


def _changes_state(action: str, state: str) -> bool:
    return action in TRANSITIONS or state in wf.RETURN_TO_DRAFT_ON_EDIT


def _current_state(dataset: dict) -> str:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})[
        "workflow_state"]


def attempt(world, web, action: str, role: str, dataset: dict) -> str:
    user = world.user(role)
    resource = dataset["resources"][0]
    try:
        if action == "package_search":
            found = act("package_search", user, q=f"name:{dataset['name']}",
                        include_private=True)
            return OK if found["count"] == 1 else HIDDEN
        if action == "longan_review_queue":
            queue = act(action, user, owner_org=world.org["id"], rows=1000)
            return OK if dataset["name"] in {d["name"] for d in queue["results"]} else HIDDEN
        if action == "resource_download":
            headers = {"Authorization": world.tokens[role]} if user else {}
            response = web.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download",
                               headers=headers)
            if response.status_code in (403, 404):
                return DENIED
            assert (response.status_code, response.data) == (200, CSV)
            return OK
        if action == "datastore_search":
            rows = act(action, user, resource_id=resource["id"])["records"]
            assert [(r["nam"], r["so_truong"]) for r in rows] == [(2024, 12)]
            return OK
        if action == "package_show":
            assert act(action, user, id=dataset["id"])["workflow_state"] == dataset[
                "workflow_state"]
            return OK
        if action == "package_update":
            full = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})
            act(action, user, **{**full, "notes": f"Sửa bởi {role}"})
            return OK
        if action == "package_patch":
            act(action, user, id=dataset["id"], notes=f"Sửa bởi {role}")
            return OK
        act(action, user, id=dataset["id"], reason="Lý do kiểm thử")
        return OK
    except tk.NotAuthorized:
        return DENIED
    except tk.ValidationError:
        return INVALID


def _restore(world, dataset: dict, state: str) -> None:
    """Put a dataset an allowed call moved back in ``state``, as the trusted internal path does
    (recorded as the editor's, so the editor stays its last submitter)."""
    context = {"user": world.users["editor"], "ignore_auth": True, wf.CONTEXT_KEY: state}
    tk.get_action("package_patch")(context, {"id": dataset["id"]})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_matrix(world, web, action, role, state):
    want = expected(action, role, state)
    dataset = world.datasets[state]
    got = attempt(world, web, action, role, dataset)
    assert got == want, f"{role} {action} on {state}: {got}, expected {want}"
    if got == OK and _changes_state(action, state) and action not in (
            "package_show", "package_search", "resource_download", "datastore_search",
            "longan_review_queue"):
        assert _current_state(dataset) != state
        _restore(world, dataset, state)
    assert _current_state(dataset) == state  # refused or read-only calls change nothing
