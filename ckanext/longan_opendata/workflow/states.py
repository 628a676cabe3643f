"""The publish workflow's states and transitions.

A dataset's ``workflow_state`` (a hidden scheming field, stored as an extra) is one of
:data:`STATES`. Only ``published`` datasets are public: every other state keeps the CKAN
``private`` flag on (see :mod:`.visibility`).

Trusted internal callers (harvesters, the demo loader, cron) create or update datasets directly
in a given state by putting it in the action context under :data:`CONTEXT_KEY`; an API caller
cannot set the context, so the key cannot be forged through the API::

    context = {"user": harvest_user, CONTEXT_KEY: state_for_harvested(source_auto_publish)}
    tk.get_action("package_create")(context, dataset_dict)
"""
from __future__ import annotations

import datetime
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context

DRAFT = "draft"
PENDING = "pending_review"
APPROVED = "approved"
PUBLISHED = "published"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"

#: every state, in workflow order, with its Vietnamese label (the UI translates the English one)
STATES: dict[str, str] = {
    DRAFT: "Nháp",
    PENDING: "Chờ duyệt",
    APPROVED: "Đã duyệt, chờ ngày công bố",
    PUBLISHED: "Đã công bố",
    REJECTED: "Trả lại",
    WITHDRAWN: "Thu hồi",
}

#: transition name -> (states it starts from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({DRAFT, REJECTED, WITHDRAWN}), PENDING),
    "approve": (frozenset({PENDING}), PUBLISHED),
    "reject": (frozenset({PENDING}), REJECTED),
    "withdraw": (frozenset({PUBLISHED, APPROVED}), WITHDRAWN),
}
#: transitions a reviewer (agency admin) performs; ``submit`` is the steward's (editor)
REVIEWER_TRANSITIONS = ("approve", "reject", "withdraw")

#: the workflow's API: each name is an action of :mod:`.action` and the auth function of the same
#: name in :mod:`.auth`
API = (
    "longan_workflow_submit", "longan_workflow_approve", "longan_workflow_reject",
    "longan_workflow_withdraw", "longan_review_queue", "longan_workflow_publish_due",
)

#: states an edit sends back to ``draft``
RETURN_TO_DRAFT_ON_EDIT = frozenset({REJECTED, WITHDRAWN})

#: context key naming the state a trusted internal caller wants (never settable through the API)
CONTEXT_KEY = "longan_workflow_state"
#: context key of a comment recorded with such a trusted transition
CONTEXT_COMMENT_KEY = "longan_workflow_comment"

ACTIVITY_TYPE = "longan workflow package"
SELF_APPROVAL_OPTION = "ckanext.longan_opendata.workflow.allow_self_approval"


def state_for_harvested(auto_publish: bool) -> str:
    """The state a harvested dataset gets: ``published`` from a trusted source
    (``auto_publish: true``), ``pending_review`` otherwise. Pass it under :data:`CONTEXT_KEY`."""
    return PUBLISHED if auto_publish else PENDING


def is_public_state(state: str) -> bool:
    return state == PUBLISHED


def state_of_package(pkg: model.Package) -> str:
    """The workflow state of a dataset object. Datasets made before the workflow existed have
    no state: a public one counts as published, a private one as a draft."""
    state = pkg.extras.get("workflow_state")
    if state in STATES:
        return state
    return DRAFT if pkg.private else PUBLISHED


def state_of_dict(pkg_dict: dict[str, Any]) -> str:
    state = pkg_dict.get("workflow_state")
    if state in STATES:
        return state
    return DRAFT if tk.asbool(pkg_dict.get("private")) else PUBLISHED


def get_package(id_or_name: str | None) -> model.Package:
    """The active dataset of that id or name; ObjectNotFound otherwise (also for a value that
    is not text or holds a NUL byte, which PostgreSQL would refuse with an error)."""
    usable = isinstance(id_or_name, str) and id_or_name and "\x00" not in id_or_name
    pkg = model.Package.get(id_or_name) if usable else None
    if pkg is None or pkg.state == "deleted":
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def harvest_context(auto_publish: bool, comment: str | None = None) -> Context:
    """The context entries a harvester adds to its ``package_create``/``package_update`` calls:
    ``published`` for an ``auto_publish`` source, ``pending_review`` otherwise."""
    if comment is None:  # stored in the history: the site default language
        from ckanext.longan_opendata.lang import Message, in_default
        comment = in_default(Message("harvested automatically"))
    return {CONTEXT_KEY: state_for_harvested(auto_publish), CONTEXT_COMMENT_KEY: comment}
