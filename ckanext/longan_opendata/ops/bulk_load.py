"""Bulk load of datasets: ``ckan longan bulk-load FILE.jsonl`` and the catalogue bench.

Every dataset goes through ``package_create`` (the portal's schema validates it, the workflow's
guards give it its state), but the work CKAN does per dataset for a single save is done per
batch: ``defer_commit`` (one database commit per batch, the workflow transition committed with
its dataset) and one Solr update request per batch (:func:`index_batch`, whose documents are
made from what the session holds), committed at the end.
The loader acts as a logged-in user, so CKAN's permission checks find the user without a
database query per check.

A line that fails (invalid JSON, validation, permission) is reported with its line number and
leaves nothing behind: the datasets of the unfinished batch that ``package_create``'s rollback
took with it are created again. A rerun skips the names already in the database. A dataset
reaches a state other than ``draft`` only through the workflow's trusted path, and only with
the review fields present (:func:`~ckanext.longan_opendata.metadata.review.review_field_problems`),
as a steward's submission would need them. When Solr fails after a batch was committed,
``ckan longan reindex-missing`` indexes what it lacks.
"""
from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search
from ckan.plugins import plugin_loaded

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.metadata.review import review_field_problems

from .index_documents import index_batch

__all__ = ["LoadReport", "index_batch", "load", "read_jsonl"]

#: what a dataset may link to that :func:`index_batch` does not take from the session
LINKED = ("groups", "relationships_as_subject", "relationships_as_object")
#: a line of the input: its number (from 1) and the dataset dict, or the reason it is not one
Record = tuple[int, "dict[str, Any] | str"]


@dataclass
class LoadReport:
    """What a load did: names created and skipped, and the errors by line."""
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[tuple[int, str, Any]] = field(default_factory=list)


def read_jsonl(lines: Iterable[str]) -> Iterator[Record]:
    """One dataset per line (JSON object); blank lines are ignored."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as err:
            yield number, tk._("Not JSON: %s") % err
            continue
        yield number, data if isinstance(data, dict) else tk._("Not a JSON object")


@contextlib.contextmanager
def _acting_as(user: model.User, flask_app: Any = None) -> Iterator[None]:
    """A request context where ``user`` is logged in: ``ckan.authz`` then takes the user from
    ``current_user`` instead of querying it for every permission check."""
    from flask import current_app
    from flask_login import login_user

    with (flask_app or current_app).test_request_context():
        login_user(user)
        yield


@contextlib.contextmanager
def _without_new_package_activity(skip: bool) -> Iterator[None]:
    """CKAN's "new package" activity stores a full ``package_show`` per dataset; a bench
    catalogue has no history to show. (The workflow's transition is recorded either way.)"""
    if not skip or not plugin_loaded("activity"):
        yield
        return
    from ckanext.activity import subscriptions

    tk.signals.action_succeeded.disconnect(subscriptions.package_changed,
                                           sender="package_create")
    try:
        yield
    finally:
        tk.signals.action_succeeded.connect(subscriptions.package_changed,
                                            sender="package_create")


def _error(err: Exception) -> Any:
    return getattr(err, "error_dict", None) or str(err) or type(err).__name__


def load(records: Iterable[Record], user_name: str, *, agency: str | None = None,
         state: str = wf.DRAFT, batch: int = 100, new_package_activity: bool = True,
         progress: Callable[[LoadReport], None] | None = None,
         flask_app: Any = None) -> LoadReport:
    """Create the datasets of ``records`` as ``user_name`` (see the module's docstring).

    :param agency: the organisation every dataset is created in (its ``owner_org``); ``None``
        keeps each record's own
    :param state: the workflow state of the new datasets; other than ``draft`` only with the
        review fields present (a trusted internal caller: the bench)
    :param new_package_activity: record CKAN's "new package" activity
    :param progress: called with the report after each committed batch
    :param flask_app: CKAN's Flask application, when no application context is active (a
        ``ckan`` command's ``ctx.meta["flask_app"]``)
    """
    user = model.User.get(user_name)
    if user is None:
        raise tk.ObjectNotFound(tk._("User not found: %s") % user_name)
    report = LoadReport()
    existing = {name for (name,) in model.Session.query(model.Package.name)}
    context_base: dict[str, Any] = {"user": user.name, "auth_user_obj": user,
                                    "defer_commit": True, "return_id_only": True}
    if state != wf.DRAFT:
        context_base[wf.CONTEXT_KEY] = state
    org_ids: dict[Any, Any] = {}

    def org_id(ref: Any) -> Any:
        """The agency's id, looked up once per load (by id, CKAN's validator finds it in one
        query; by name, in two); what is not an agency is left to the validator."""
        if isinstance(ref, str) and ref and ref not in org_ids:
            org = model.Group.get(ref)
            org_ids[ref] = org.id if org is not None and org.is_organization else ref
        return org_ids.get(ref, ref) if isinstance(ref, str) else ref

    pending: list[tuple[dict[str, Any], str]] = []  # (record as read, id) of the open batch

    def create(data: dict[str, Any]) -> str:
        return tk.get_action("package_create")(dict(context_base), copy.deepcopy(data))

    def flush_batch() -> None:
        model.repo.commit()
        index_batch([pkg_id for _, pkg_id in pending], from_session=[
            pkg_id for data, pkg_id in pending if not any(data.get(key) for key in LINKED)])
        report.created.extend(data["name"] for data, _ in pending)
        pending.clear()
        if progress:
            progress(report)

    with _acting_as(user, flask_app), _without_new_package_activity(not new_package_activity):
        for number, data in records:
            if isinstance(data, str):
                report.errors.append((number, "", data))
                continue
            if agency or "owner_org" in data:
                data = {**data, "owner_org": org_id(agency or data["owner_org"])}
            name = data.get("name")
            if not isinstance(name, str) or not name:
                report.errors.append((number, "", {"name": [tk._("Missing value")]}))
                continue
            if name in existing:
                report.skipped.append(name)
                continue
            if state != wf.DRAFT:
                problems = review_field_problems(data.get("type") or "dataset", data)
                if problems:
                    report.errors.append((number, name, problems))
                    continue
            try:
                pending.append((data, create(data)))
            except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as err:
                model.Session.rollback()  # takes the open batch with it: create it again
                report.errors.append((number, name, _error(err)))
                pending[:] = [(done, create(done)) for done, _ in pending]
                continue
            existing.add(name)
            if len(pending) >= batch:
                flush_batch()
        flush_batch()
        search.commit()
    return report
