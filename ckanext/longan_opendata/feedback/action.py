"""The feedback API (báo lỗi / góp ý): anyone reports an error or suggests something about a
dataset; the agency's stewards handle it and may answer publicly. No IP address is stored; the
contact e-mail is shown only to the agency's stewards."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import flask
from ckan import model
from ckan.types import Context, DataDict

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.model import feedback_table as table
from ckanext.longan_opendata.portal import boxes
from ckanext.longan_opendata.security import fields, ratelimit
from ckanext.longan_opendata.security import params as checks

from . import mail, records, states
from .states import API, LIMITS

__all__ = ["get_actions"]


def get_actions() -> dict[str, Callable[..., Any]]:
    return {name: globals()[name] for name in API}


def _row(data_dict: DataDict) -> dict[str, Any]:
    row = records.get(checks.text(data_dict, "id"))
    if row is None:
        raise tk.ObjectNotFound(tk._("Feedback not found"))
    return row


def _dataset(context: Context, data_dict: DataDict) -> model.Package:
    """The dataset named by ``package_id``, if the caller may see it."""
    ref = checks.text(data_dict, "package_id")
    try:
        shown = tk.get_action("package_show")({"user": context.get("user") or ""}, {"id": ref})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        raise tk.ObjectNotFound(tk._("Dataset not found")) from None
    pkg = model.Package.get(shown["id"])
    if pkg is None or not pkg.owner_org:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return pkg


def longan_feedback_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Report an error in a dataset or suggest something (anyone, anonymous too). Limited per
    client of the web or the API (``ckanext.longan_opendata.feedback.rate_limit`` messages per
    ``…feedback.rate_window`` seconds; internal callers outside a request are not limited); the
    agency's stewards are e-mailed.

    :param package_id: the dataset (id or name)
    :type package_id: string
    :param kind: ``error`` or ``suggestion``
    :type kind: string
    :param message: what is wrong or what to improve (at most 2000 characters)
    :type message: string
    :param contact_email: an address for the agency's reply (optional; never shown publicly)
    :type contact_email: string
    :returns: ``id``, ``package_id``, ``kind``, ``state``, ``created``
    :rtype: dictionary
    """
    tk.check_access("longan_feedback_create", context, data_dict)
    pkg = _dataset(context, data_dict)
    kind = checks.optional_text(data_dict, "kind")
    if kind not in states.KINDS:
        checks.refuse("kind", tk._("“%(label)s”: choose an error or a suggestion")
                      % {"label": tk._("Kind")})
    message = fields.bounded_text(data_dict, "message", "Feedback message", LIMITS["message"])
    contact = fields.email(data_dict, "contact_email", "Contact e-mail")
    if flask.has_request_context() and not ratelimit.allow("feedback", *states.rate_limit()):
        checks.refuse("rate_limit", tk._("You have sent too many messages: please try again "
                                         "later"))
    user = model.User.get(context.get("user") or "")
    created = states.now()
    row = {"id": str(uuid.uuid4()), "package_id": pkg.id, "owner_org": pkg.owner_org,
           "kind": kind, "message": message, "contact_email": contact or None,
           "user_id": user.id if user else None, "state": states.NEW, "answer": "",
           "answer_public": False, "created": created, "modified": created}
    model.Session.execute(table.insert().values(**row))
    model.Session.commit()
    mail.received(row, pkg)
    return {"id": row["id"], "package_id": pkg.id, "kind": kind, "state": states.NEW,
            "created": created.isoformat()}


@tk.side_effect_free
def longan_feedback_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One feedback message: the agency's stewards see it whole (with ``contact_email``);
    others only a publicly answered one, without the contact e-mail.

    :param id: the id of the feedback
    :type id: string
    :returns: ``id``, ``package_id``, ``dataset`` (``name``, ``title``), ``owner_org``, ``kind``
        and ``kind_label``, ``message``, ``state`` (``new``, ``in_progress``, ``done``) and
        ``state_label``, ``answer``, ``answer_public``, ``created``, ``modified``; and
        ``contact_email`` for the agency's stewards only
    :rtype: dictionary
    """
    row = _row(data_dict)
    tk.check_access("longan_feedback_show", context, data_dict)
    return records.as_dict(row, workflow.is_steward(context.get("user"), row["owner_org"]))


@tk.side_effect_free
def longan_feedback_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Feedback the caller may see, newest first: all of their agencies' (stewards) and the
    publicly answered feedback of every dataset.

    :param package_id: only this dataset's (id or name) (optional)
    :type package_id: string
    :param owner_org: only this agency's (id) (optional)
    :type owner_org: string
    :param state: ``new``, ``in_progress`` or ``done`` (optional)
    :type state: string
    :param public: only publicly answered feedback (optional, default false)
    :type public: bool
    :param mine: only the feedback of the caller's agencies (optional, default false)
    :type mine: bool
    :param rows: how many (default 20, at most 100)
    :type rows: int
    :param start: offset (default 0)
    :type start: int
    :returns: ``count`` and ``results`` (as ``longan_feedback_show``)
    :rtype: dictionary
    """
    tk.check_access("longan_feedback_list", context, data_dict)
    filters: dict[str, Any] = {
        "owner_org": checks.optional_text(data_dict, "owner_org"),
        "state": checks.optional_text(data_dict, "state"),
        "public": checks.boolean(data_dict, "public"),
        "mine": checks.boolean(data_dict, "mine")}
    if checks.optional_text(data_dict, "package_id"):
        pkg = model.Package.get(checks.text(data_dict, "package_id"))
        filters["package_id"] = pkg.id if pkg else "-"
    if filters["state"] and filters["state"] not in states.STATES:
        checks.refuse("state", tk._("“%(label)s”: unknown state") % {"label": tk._("State")})
    user = context.get("user")
    count, rows = records.search(user, filters,
                                 checks.integer(data_dict, "rows", 20, minimum=1, maximum=100),
                                 checks.integer(data_dict, "start", 0))
    return {"count": count, "results": [
        records.as_dict(row, workflow.is_steward(user, row["owner_org"])) for row in rows]}


def longan_feedback_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Handle a feedback message (the dataset's agency's stewards, sysadmins): its state, an
    answer, and whether the answer is shown on the dataset's page.

    :param id: the id of the feedback
    :type id: string
    :param state: ``new``, ``in_progress`` or ``done`` (optional)
    :type state: string
    :param answer: the answer (optional; at most 2000 characters)
    :type answer: string
    :param answer_public: show the message and the answer on the dataset's page (optional)
    :type answer_public: bool
    :returns: the feedback (as ``longan_feedback_show``, with ``contact_email``)
    :rtype: dictionary
    """
    row = _row(data_dict)
    tk.check_access("longan_feedback_update", context, data_dict)
    changes: dict[str, Any] = {}
    if "state" in data_dict:
        changes["state"] = checks.text(data_dict, "state")
        if changes["state"] not in states.STATES:
            checks.refuse("state", tk._("“%(label)s”: unknown state") % {"label": tk._("State")})
    if "answer" in data_dict:
        changes["answer"] = fields.bounded_text(data_dict, "answer", "Answer", LIMITS["answer"],
                                                required=False)
    if "answer_public" in data_dict:
        changes["answer_public"] = bool(checks.boolean(data_dict, "answer_public"))
    if (changes.get("answer_public", row["answer_public"])
            and not changes.get("answer", row["answer"])):
        checks.refuse("answer", tk._("“%(label)s” is required to show it publicly")
                      % {"label": tk._("Answer")})
    changes["modified"] = states.now()
    model.Session.execute(table.update().where(table.c.id == row["id"]).values(**changes))
    model.Session.commit()
    boxes.forget(row["package_id"])  # the answers its page shows
    return records.as_dict({**row, **changes}, True)
