"""Who sees a dataset in each workflow state: CKAN permission labels, and the workflow fields
that ``package_show`` adds and the search index keeps.

:class:`WorkflowPermissionLabels` gives a dataset that is not ``published`` the labels of its
agency only, so anonymous users and other agencies never see it in ``package_show``,
``package_search`` (and its facets), the activity stream, DCAT, the DataStore or downloads.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Iterator
from contextvars import ContextVar
from typing import Any

from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels
from ckan.types import Context

from .history import (
    anonymous_labels,
    public_histories,
    public_history,
    shown_history,
    user_labels_for,
)
from .states import is_public_state, state_of_dict, state_of_package


class WorkflowPermissionLabels(DefaultPermissionLabels):
    """Public label only for active, non-private, *published* datasets; any other state keeps
    the labels of its agency (``member-<org>``), whatever the private flag says."""

    def get_dataset_labels(self, dataset_obj: model.Package) -> list[str]:
        labels = super().get_dataset_labels(dataset_obj)
        if labels == ["public"] and not is_public_state(state_of_package(dataset_obj)):
            org = dataset_obj.owner_org
            return [f"member-{org}"] if org else [f"creator-{dataset_obj.creator_user_id}"]
        return labels


#: set while search documents are made in bulk (see :func:`history_left_out`): the public
#: histories of the batch, read at once
_MAKING_SEARCH_DOCUMENTS: ContextVar[dict[str, list[dict[str, Any]]] | None] = ContextVar(
    "longan_making_search_documents", default=None)


@contextlib.contextmanager
def history_left_out(package_ids: Collection[str] = ()) -> Iterator[None]:
    """While search documents are made in bulk (the bulk load's :func:`index_batch`): their
    ``package_show`` leaves ``workflow_history`` out (the index keeps only the public one), and
    the public histories of ``package_ids`` are read in one query, not one per dataset; the
    documents are those of a dataset's own reindex."""
    token = _MAKING_SEARCH_DOCUMENTS.set(public_histories(list(package_ids)))
    try:
        yield
    finally:
        _MAKING_SEARCH_DOCUMENTS.reset(token)


#: the key of the search document that keeps the dataset's public history, which anonymous
#: ``package_show`` reads instead of the history cache; never in an answer
INDEXED_PUBLIC_HISTORY = "longan_public_history"


def after_dataset_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    """Add ``workflow_state`` (always) and ``workflow_history`` (the transitions the caller may
    see) to ``package_show``; no history while search documents are made. A visitor who is not
    logged in gets the public history the search document keeps, when ``package_show`` was
    served from it (the document is made in the commit of each transition, see
    :func:`before_dataset_index`): no round trip to the history cache."""
    pkg_dict["workflow_state"] = state_of_dict(pkg_dict)
    indexed = pkg_dict.pop(INDEXED_PUBLIC_HISTORY, None)
    if pkg_dict.get("id") and _MAKING_SEARCH_DOCUMENTS.get() is None:
        labels = user_labels_for(context)
        if indexed is not None and labels == anonymous_labels():
            pkg_dict["workflow_history"] = indexed
        else:
            pkg_dict["workflow_history"] = shown_history(pkg_dict, labels)


def after_dataset_search(search_results: dict[str, Any]) -> dict[str, Any]:
    """Search results come from the search documents: without their public history key."""
    for result in search_results.get("results") or ():
        if isinstance(result, dict):
            result.pop(INDEXED_PUBLIC_HISTORY, None)
    return search_results


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Index the state; keep the caller-dependent history out of the search index, and the
    public history of a published dataset in its document (read from the database, in the
    transaction that records a transition, or for a whole batch by :func:`history_left_out`)."""
    state = pkg_dict["workflow_state"] = state_of_dict(pkg_dict)
    validated = pkg_dict.get("validated_data_dict")
    if validated:
        data = json.loads(validated)
        data.pop("workflow_history", None)
        data.pop(INDEXED_PUBLIC_HISTORY, None)
        if is_public_state(state) and not pkg_dict.get("private") and pkg_dict.get("id"):
            prefetched = _MAKING_SEARCH_DOCUMENTS.get() or {}
            data[INDEXED_PUBLIC_HISTORY] = (prefetched[pkg_dict["id"]] if pkg_dict["id"] in
                                            prefetched else public_history(pkg_dict["id"]))
        pkg_dict["validated_data_dict"] = json.dumps(data)
    pkg_dict.pop("workflow_history", None)
    return pkg_dict
