"""The authorisation matrix of the data requests and the feedback: every action × anonymous,
the requester, another agency's steward, the agency's own stewards (editor, admin) and a
sysadmin. The expected outcomes are the rules of issue 12, written apart from the code.

Outcomes: ``ok``; ``denied`` (NotAuthorized); ``invalid`` (allowed, refused for its input);
for feedback reads ``full`` (with the contact e-mail), ``public`` (without it), ``hidden``.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.longan_opendata import workflow as wf

from .conftest import act, propose

OK, DENIED, INVALID, FULL, PUBLIC, HIDDEN = "ok", "denied", "invalid", "full", "public", "hidden"
ROLES = ("anonymous", "requester", "other_editor", "editor", "admin", "sysadmin")
STEWARDS = {"editor", "admin", "sysadmin"}
CONTACT = "nguoi-gop-y@longan.test"

REQUEST_ACTIONS = ("create", "show", "list", "update", "answer", "support", "unsupport",
                   "delete", "verify")
FEEDBACK_ACTIONS = ("create", "show_private", "show_public", "list_private", "list_public",
                    "update")


pytestmark = pytest.mark.usefixtures("request_context")


def expected_request(action: str, role: str) -> str:
    if action in ("show", "list"):
        return OK
    if action == "verify":  # open to anyone: the signed token is the proof
        return INVALID
    if action in ("create", "support", "unsupport"):
        return DENIED if role == "anonymous" else OK
    if action == "update":
        return OK if role in ("requester", "sysadmin") else DENIED
    if action == "answer":
        return OK if role in STEWARDS else DENIED
    return OK if role == "sysadmin" else DENIED  # delete


def expected_feedback(action: str, role: str) -> str:
    steward = role in STEWARDS
    if action in ("create",):
        return OK
    if action == "update":
        return OK if steward else DENIED
    if action.endswith("_public"):
        return FULL if steward else PUBLIC
    if action == "show_private":
        return FULL if steward else DENIED
    return FULL if steward else HIDDEN  # list_private


def _request_call(world, action: str, user: str | None) -> None:
    if action == "create":
        act("longan_datarequest_create", user, title="Dữ liệu", description="Mô tả",
            owner_org=world.org["id"], reason="Cần", desired_format="CSV")
    elif action == "list":
        act("longan_datarequest_list", user)
    elif action == "verify":
        act("longan_datarequest_verify", user, token="gia-mao")
    else:
        request_id = propose(world)["id"]
        extra = {"update": {"title": "Tiêu đề mới"},
                 "answer": {"state": "reviewing"}}.get(action, {})
        act(f"longan_datarequest_{action}", user, id=request_id, **extra)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", REQUEST_ACTIONS)
def test_datarequest_matrix(world, action, role):
    try:
        _request_call(world, action, world.user(role))
        outcome = OK
    except tk.NotAuthorized:
        outcome = DENIED
    except tk.ValidationError:
        outcome = INVALID
    assert outcome == expected_request(action, role)


def _feedback(world, public: bool) -> str:
    dataset = world.datasets[wf.PUBLISHED]
    made = act("longan_feedback_create", None, package_id=dataset["id"], kind="error",
               message="Cột năm 2024 bị trống", contact_email=CONTACT)
    if public:
        act("longan_feedback_update", world.users["editor"], id=made["id"], state="done",
            answer="Đã bổ sung số liệu.", answer_public=True)
    return made["id"]


def _read(found: dict | None) -> str:
    if found is None:
        return HIDDEN
    assert found["message"] == "Cột năm 2024 bị trống"
    if "contact_email" in found:
        assert found["contact_email"] == CONTACT
        return FULL
    assert CONTACT not in repr(found)
    return PUBLIC


def _feedback_call(world, action: str, user: str | None) -> str:
    if action == "create":
        made = act("longan_feedback_create", user, package_id=world.datasets[wf.PUBLISHED]["name"],
                   kind="suggestion", message="Nên thêm cột mã xã")
        assert set(made) == {"id", "package_id", "kind", "state", "created"}
        return OK
    feedback_id = _feedback(world, public=action.endswith("_public"))
    if action == "update":
        act("longan_feedback_update", user, id=feedback_id, state="in_progress")
        return OK
    if action.startswith("show"):
        return _read(act("longan_feedback_show", user, id=feedback_id))
    found = act("longan_feedback_list", user, package_id=world.datasets[wf.PUBLISHED]["id"],
                rows=100)["results"]
    return _read(next((f for f in found if f["id"] == feedback_id), None))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", FEEDBACK_ACTIONS)
def test_feedback_matrix(world, action, role):
    try:
        outcome = _feedback_call(world, action, world.user(role))
    except tk.NotAuthorized:
        outcome = DENIED
    assert outcome == expected_feedback(action, role)
