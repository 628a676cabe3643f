"""The data requests' API (đề xuất dữ liệu). See :mod:`ckanext.longan_opendata.datarequests`."""
from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import ckan.authz as authz
import ckan.plugins.toolkit as tk
import flask
import sqlalchemy as sa
from ckan import model
from ckan.types import Context, DataDict
from sqlalchemy.dialects.postgresql import insert

from ckanext.longan_opendata.metadata import codelists
from ckanext.longan_opendata.model import datarequest_table as table
from ckanext.longan_opendata.model import support_table as votes
from ckanext.longan_opendata.portal import boxes
from ckanext.longan_opendata.security import fields, ratelimit
from ckanext.longan_opendata.security import params as checks

from . import mail, records, states
from .states import API, LIMITS

__all__ = ["get_actions"]


def get_actions() -> dict[str, Callable[..., Any]]:
    return {name: globals()[name] for name in (*API, "longan_datarequest_verify")}


def _user(context: Context) -> model.User | None:
    name = context.get("user")
    return model.User.get(name) if name else None


def _row(data_dict: DataDict, context: Context) -> dict[str, Any]:
    """The request named by ``id``; unverified ones exist only for sysadmins."""
    row = records.get(checks.text(data_dict, "id"))
    if row is None or (not row["verified"] and not authz.is_sysadmin(context.get("user"))):
        raise tk.ObjectNotFound(tk._("Data request not found"))
    return row


def _agency(data_dict: DataDict, required: bool = True) -> str | None:
    ref = checks.optional_text(data_dict, "owner_org").strip()
    if not ref and not required:
        return None
    org = model.Group.get(ref) if ref else None
    if org is None or not org.is_organization or org.state != "active":
        checks.refuse("owner_org", tk._("“%(label)s”: choose an agency of the portal")
                      % {"label": tk._("Agency")})
    return org.id


def _theme(data_dict: DataDict) -> str | None:
    theme = checks.optional_text(data_dict, "theme").strip()
    if theme and theme not in codelists.values("themes"):
        checks.refuse("theme", tk._("“%(label)s”: unknown theme") % {"label": tk._("Theme")})
    return theme or None


def _content(data_dict: DataDict, partial: bool = False) -> dict[str, Any]:
    """The requester's fields, checked (``partial``: only those given)."""
    labels = {"title": "Title", "description": "Description", "reason": "Reason",
              "desired_format": "Desired format"}
    found: dict[str, Any] = {}
    for field, label in labels.items():
        if not partial or field in data_dict:
            found[field] = fields.bounded_text(data_dict, field, label, LIMITS[field])
    if not partial or "owner_org" in data_dict:
        found["owner_org"] = _agency(data_dict)
    if not partial or "theme" in data_dict:
        found["theme"] = _theme(data_dict)
    return found


def _public(row: dict[str, Any], context: Context) -> dict[str, Any]:
    user = _user(context)
    return records.public_dict(row, user.id if user else None)


def longan_datarequest_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Propose a dataset to an agency. Logged-in people; anonymous people too when
    ``ckanext.longan_opendata.datarequests.allow_anonymous`` is on: they give an ``email`` and the
    request stays hidden until they follow the link e-mailed to them.

    :param title: what data is wanted (at most 200 characters)
    :type title: string
    :param description: the data in detail (at most 5000 characters)
    :type description: string
    :param owner_org: the agency it is addressed to (id or name)
    :type owner_org: string
    :param reason: why it is needed (at most 2000 characters)
    :type reason: string
    :param desired_format: the format wanted, e.g. CSV (at most 50 characters)
    :type desired_format: string
    :param theme: a theme code of the portal (optional)
    :type theme: string
    :param email: the requester's e-mail address (anonymous requests only, required then)
    :type email: string
    :returns: the request (``longan_datarequest_show``)
    :rtype: dictionary
    """
    tk.check_access("longan_datarequest_create", context, data_dict)
    content = _content(data_dict)
    user = _user(context)
    address = None if user else fields.email(data_dict, "email", "E-mail", required=True)
    if address and flask.has_request_context() and \
            not ratelimit.allow("datarequest", *states.ANONYMOUS_RATE):
        checks.refuse("rate_limit", tk._("You have sent too many messages: please try again "
                                         "later"))
    created = states.now()
    row = {"id": str(uuid.uuid4()), **content, "requester_id": user.id if user else None,
           "requester_email": address, "verified": user is not None, "state": states.NEW,
           "answer": "", "created": created, "modified": created,
           "deadline": created.date() + datetime.timedelta(days=states.answer_days())}
    model.Session.execute(table.insert().values(**row))
    model.Session.commit()
    if address:
        mail.verification(row)
    else:
        mail.proposed(row)
    return records.public_dict(records.get(row["id"]) or row, user.id if user else None)


def longan_datarequest_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Publish an anonymous request: ``token`` is the signed value of the link e-mailed to its
    requester (valid 7 days). The answer deadline counts from now.

    :param token: the token of the verification link
    :type token: string
    :returns: the request (``longan_datarequest_show``)
    :rtype: dictionary
    """
    tk.check_access("longan_datarequest_verify", context, data_dict)
    request_id = mail.verified_id(checks.text(data_dict, "token"))
    row = records.get(request_id) if request_id else None
    if row is None:
        checks.refuse("token", tk._("This verification link is invalid or has expired"))
    if not row["verified"]:
        created = states.now()
        changes = {"verified": True, "created": created, "modified": created,
                   "deadline": created.date() + datetime.timedelta(days=states.answer_days())}
        model.Session.execute(table.update().where(table.c.id == row["id"]).values(**changes))
        model.Session.commit()
        row.update(changes)
        mail.proposed(row)
    return records.public_dict(row)


@tk.side_effect_free
def longan_datarequest_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One data request, with its answer, deadline and number of supporters.

    :param id: the id of the request
    :type id: string
    :returns: ``id``, ``title``, ``description``, ``owner_org``, ``organization`` (``name``,
        ``title``), ``reason``, ``desired_format``, ``theme``, ``requester`` (display name, null
        for an anonymous requester), ``state`` (``new``, ``reviewing``, ``fulfilled``,
        ``rejected``) and ``state_label``, ``refusal_reason`` and ``refusal_label``, ``answer``,
        ``dataset`` (``id``, ``name``, ``title`` when fulfilled), ``created``, ``modified``,
        ``answered``, ``deadline`` (YYYY-MM-DD), ``overdue``, ``days_left``, ``supporters``,
        ``supported`` (by the caller). Never the requester's e-mail address.
    :rtype: dictionary
    """
    row = _row(data_dict, context)
    tk.check_access("longan_datarequest_show", context, data_dict)
    return _public(row, context)


@tk.side_effect_free
def longan_datarequest_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The public list of data requests, with facets.

    :param q: words of the title or description (optional)
    :type q: string
    :param state: ``new``, ``reviewing``, ``fulfilled`` or ``rejected`` (optional)
    :type state: string
    :param owner_org: the agency (id or name) (optional)
    :type owner_org: string
    :param theme: a theme code (optional)
    :type theme: string
    :param sort: ``newest`` (default), ``supported`` (most supporters first) or ``deadline``
        (open requests, nearest deadline first)
    :type sort: string
    :param rows: how many (default 20, at most 100)
    :type rows: int
    :param start: offset (default 0)
    :type start: int
    :returns: ``count``, ``results`` (as ``longan_datarequest_show``), ``facets`` (``state``,
        ``owner_org``, ``theme``: value → count), ``sort``
    :rtype: dictionary
    """
    tk.check_access("longan_datarequest_list", context, data_dict)
    filters = {"q": checks.optional_text(data_dict, "q").strip()[:200],
               "state": checks.optional_text(data_dict, "state"),
               "owner_org": _agency(data_dict, required=False) or "",
               "theme": checks.optional_text(data_dict, "theme")}
    if filters["state"] and filters["state"] not in states.STATES:
        checks.refuse("state", tk._("“%(label)s”: unknown state") % {"label": tk._("State")})
    sort = checks.optional_text(data_dict, "sort") or "newest"
    if sort not in records.SORTS:
        checks.refuse("sort", tk._("“%(label)s”: unknown order") % {"label": tk._("Sort")})
    rows = checks.integer(data_dict, "rows", 20, minimum=1, maximum=100)
    count, found = records.search(filters, sort, rows, checks.integer(data_dict, "start", 0))
    return {"count": count, "results": [_public(row, context) for row in found],
            "facets": records.facets(filters), "sort": sort}


def longan_datarequest_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change one's own request while it is still ``new`` (not yet answered). Sysadmins may
    change any request still ``new``.

    :param id: the id of the request
    :type id: string
    :param title: as for ``longan_datarequest_create`` (optional: only the fields given change)
    :type title: string
    :param description: (optional)
    :type description: string
    :param owner_org: (optional)
    :type owner_org: string
    :param reason: (optional)
    :type reason: string
    :param desired_format: (optional)
    :type desired_format: string
    :param theme: (optional; empty removes it)
    :type theme: string
    :returns: the request (``longan_datarequest_show``)
    :rtype: dictionary
    """
    row = _row(data_dict, context)
    tk.check_access("longan_datarequest_update", context, data_dict)
    if row["state"] != states.NEW:
        checks.refuse("state", tk._("A request can be changed only before it is answered"))
    changes = {**_content(data_dict, partial=True), "modified": states.now()}
    model.Session.execute(table.update().where(table.c.id == row["id"]).values(**changes))
    model.Session.commit()
    return _public({**row, **changes}, context)


def _public_dataset(data_dict: DataDict) -> str:
    ref = checks.optional_text(data_dict, "dataset_id").strip()
    pkg = model.Package.get(ref) if ref else None
    if pkg is None or pkg.state != "active" or pkg.private:
        checks.refuse("dataset_id", tk._("“%(label)s”: give a published (public) dataset of the "
                                         "portal") % {"label": tk._("Dataset")})
    return pkg.id


def _answer_fields(row: dict[str, Any], data_dict: DataDict) -> dict[str, Any]:
    state = checks.text(data_dict, "state")
    if state not in states.ANSWERS.get(row["state"], ()):
        checks.refuse("state", tk._("“%(label)s”: a request in state “%(current)s” cannot be "
                                    "answered with “%(state)s”") % {
            "label": tk._("State"), "current": states.state_label(row["state"]),
            "state": states.STATES.get(state, state)})
    answer = fields.bounded_text(data_dict, "answer", "Answer", LIMITS["answer"],
                                 required=state == states.REJECTED)
    found = {"state": state, "answer": answer, "refusal_reason": None, "dataset_id": None}
    if state == states.FULFILLED:
        found["dataset_id"] = _public_dataset(data_dict)
    if state == states.REJECTED:
        code = checks.optional_text(data_dict, "refusal_reason")
        if code not in states.REFUSAL_REASONS:
            checks.refuse("refusal_reason", tk._("“%(label)s”: choose a reason from the list")
                          % {"label": tk._("Reason for refusal")})
        found["refusal_reason"] = code
    return found


def longan_datarequest_answer(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Answer a request: the addressed agency's stewards (editors, admins) or a sysadmin. The
    requester is e-mailed.

    :param id: the id of the request
    :type id: string
    :param state: ``reviewing`` (from ``new``), ``fulfilled`` or ``rejected`` (closes it)
    :type state: string
    :param answer: the public answer (required to refuse; at most 5000 characters)
    :type answer: string
    :param dataset_id: the published dataset that fulfils it (id or name; ``fulfilled`` only)
    :type dataset_id: string
    :param refusal_reason: ``personal_data``, ``state_secret``, ``not_held`` or ``other``
        (``rejected`` only)
    :type refusal_reason: string
    :returns: the request (``longan_datarequest_show``) and ``mails_sent``
    :rtype: dictionary
    """
    row = _row(data_dict, context)
    tk.check_access("longan_datarequest_answer", context, data_dict)
    changes = _answer_fields(row, data_dict)
    user = _user(context)
    moment = states.now()
    changes.update(modified=moment, answered_by=user.id if user else None,
                   answered=moment if changes["state"] not in states.OPEN_STATES else None)
    model.Session.execute(table.update().where(table.c.id == row["id"]).values(**changes))
    model.Session.commit()
    boxes.forget(row.get("dataset_id"), changes.get("dataset_id"))  # "fulfilled by" on its page
    result = _public({**row, **changes}, context)
    result["mails_sent"] = mail.answered({**row, **changes}, result)
    return result


def _vote(context: Context, data_dict: DataDict, name: str) -> dict[str, Any]:
    row = _row(data_dict, context)
    tk.check_access(name, context, data_dict)
    user = _user(context)
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to support a data request"))
    if name == "longan_datarequest_support":
        model.Session.execute(insert(votes).values(
            datarequest_id=row["id"], user_id=user.id, created=states.now()
        ).on_conflict_do_nothing())
    else:
        model.Session.execute(sa.delete(votes).where(votes.c.datarequest_id == row["id"],
                                                     votes.c.user_id == user.id))
    model.Session.commit()
    return {"id": row["id"], "supporters": records.support_count(row["id"]),
            "supported": records.supports(row["id"], user.id)}


def longan_datarequest_support(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Support a request (logged-in people; one vote per account, a second call changes
    nothing).

    :param id: the id of the request
    :type id: string
    :returns: ``id``, ``supporters`` (count), ``supported`` (true)
    :rtype: dictionary
    """
    return _vote(context, data_dict, "longan_datarequest_support")


def longan_datarequest_unsupport(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw one's support of a request.

    :param id: the id of the request
    :type id: string
    :returns: ``id``, ``supporters`` (count), ``supported`` (false)
    :rtype: dictionary
    """
    return _vote(context, data_dict, "longan_datarequest_unsupport")


def longan_datarequest_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Delete a request and its votes (sysadmins only; e.g. spam).

    :param id: the id of the request
    :type id: string
    :returns: ``{"id": …, "deleted": true}``
    :rtype: dictionary
    """
    row = _row(data_dict, context)
    tk.check_access("longan_datarequest_delete", context, data_dict)
    model.Session.execute(table.delete().where(table.c.id == row["id"]))
    model.Session.commit()
    boxes.forget(row.get("dataset_id"))
    return {"id": row["id"], "deleted": True}
