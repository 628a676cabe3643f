"""Who sees a dataset in each workflow state: CKAN permission labels, and the workflow fields
that ``package_show`` adds and the search index keeps.

:class:`WorkflowPermissionLabels` gives a dataset that is not ``published`` the labels of its
agency only, so anonymous users and other agencies never see it in ``package_show``,
``package_search`` (and its facets), the activity stream, DCAT, the DataStore or downloads.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from ckan import model
from ckan.lib.plugins import DefaultPermissionLabels
from ckan.types import Context

from .history import shown_history, user_labels_for
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


#: set while search documents are made from ``package_show`` (see :func:`history_left_out`)
_MAKING_SEARCH_DOCUMENTS: ContextVar[bool] = ContextVar("longan_making_search_documents",
                                                        default=False)


@contextlib.contextmanager
def history_left_out() -> Iterator[None]:
    """While search documents are made (the bulk load's :func:`index_batch`): their
    ``package_show`` leaves ``workflow_history`` out, which :func:`before_dataset_index` would
    drop anyway; a query per dataset saved, the document unchanged."""
    token = _MAKING_SEARCH_DOCUMENTS.set(True)
    try:
        yield
    finally:
        _MAKING_SEARCH_DOCUMENTS.reset(token)


def after_dataset_show(context: Context, pkg_dict: dict[str, Any]) -> None:
    """Add ``workflow_state`` (always) and ``workflow_history`` (the transitions the caller may
    see) to ``package_show``; no history while search documents are made."""
    pkg_dict["workflow_state"] = state_of_dict(pkg_dict)
    if pkg_dict.get("id") and not _MAKING_SEARCH_DOCUMENTS.get():
        pkg_dict["workflow_history"] = shown_history(pkg_dict, user_labels_for(context))


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Index the state; keep the caller-dependent history out of the search index."""
    validated = pkg_dict.get("validated_data_dict")
    if validated and "workflow_history" in validated:
        data = json.loads(validated)
        data.pop("workflow_history", None)
        pkg_dict["validated_data_dict"] = json.dumps(data)
    pkg_dict.pop("workflow_history", None)
    pkg_dict["workflow_state"] = state_of_dict(pkg_dict)
    return pkg_dict

