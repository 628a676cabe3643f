"""The reuse API: submit a reuse for review; list the published reuses (of a dataset)."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.lang import Message, in_default

from . import KINDS, REUSE_TYPE

__all__ = ["get_actions"]

FIELDS = ("title", "notes", "reuse_kind", "url", "image_url", "author", "datasets_used")


def get_actions() -> dict[str, Any]:
    return {"longan_reuse_submit": longan_reuse_submit, "longan_reuse_list": longan_reuse_list}


def _agency_of(datasets_used: Any) -> str | None:
    """The agency of the first published dataset named (it reviews the reuse)."""
    from .validators import longan_reuse_datasets
    try:
        first = json.loads(longan_reuse_datasets(datasets_used))[0]
    except tk.Invalid as error:
        raise tk.ValidationError({"datasets_used": [error.error]}) from None
    return model.Package.get(first).owner_org


def longan_reuse_submit(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Submit a reuse (app, article, visualisation…) built on the portal's data; it waits for
    a reviewer of the agency of the first dataset it uses (``pending_review``).

    :param title: the reuse's title
    :param notes: what it is and what it does with the data
    :param reuse_kind: ``app``, ``article``, ``visualisation`` or ``other``
    :param url: its address (http/https)
    :param image_url: an image of it (optional)
    :param author: who made it (optional)
    :param datasets_used: the datasets it uses (names or ids; a list or comma-separated)
    :returns: the reuse (``package_show``), ``workflow_state`` = ``pending_review``
    :rtype: dict
    """
    tk.check_access("longan_reuse_submit", context, data_dict)
    if data_dict.get("reuse_kind") not in KINDS:
        raise tk.ValidationError({"reuse_kind": [tk._(
            "Kind: choose app, article, visualisation or other")]})
    data = {key: data_dict[key] for key in FIELDS if data_dict.get(key) not in (None, "")}
    data.update({"type": REUSE_TYPE, "owner_org": _agency_of(data_dict.get("datasets_used"))})
    trusted = {"user": context["user"], "ignore_auth": True,  # the submitter is no steward
               workflow.CONTEXT_KEY: workflow.PENDING,
               workflow.CONTEXT_COMMENT_KEY: in_default(Message("reuse submitted"))}
    return tk.get_action("package_create")(trusted, data)


@tk.side_effect_free
def longan_reuse_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The reuses the caller may see (published ones for everyone), newest first.

    :param dataset: only the reuses of this dataset (name or id; optional)
    :type dataset: string
    :param rows: how many (default 20, at most 100)
    :type rows: int
    :returns: ``{"count", "results": [reuse dicts]}``
    :rtype: dict
    """
    tk.check_access("longan_reuse_list", context, data_dict)
    try:
        rows = min(max(int(data_dict.get("rows", 20)), 1), 100)
    except (TypeError, ValueError):
        raise tk.ValidationError({"rows": [tk._("Rows: give a whole number")]}) from None
    params: dict[str, Any] = {"fq": f"dataset_type:{REUSE_TYPE}", "rows": rows,
                              "sort": "metadata_created desc", "include_private": True}
    name = None
    if data_dict.get("dataset"):
        pkg = model.Package.get(str(data_dict["dataset"]))
        if pkg is None:
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        name = pkg.name
        params["q"] = f'extras_datasets_used:"{name}"'
        params["rows"] = 100
    found = tk.get_action("package_search")({"user": context.get("user")}, params)
    results = [r for r in found["results"]
               if name is None or name in (r.get("datasets_used") or [])]
    return {"count": len(results) if name else found["count"], "results": results[:rows]}
