"""Template helpers of the series pages: the ordered editions and the choices of ``in_series``."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SolrConnectionError

from . import SERIES_TYPE

log = logging.getLogger(__name__)

__all__ = ["get_helpers"]


def get_helpers() -> dict[str, Any]:
    return {"longan_series_editions": longan_series_editions,
            "longan_series_choices": longan_series_choices,
            "longan_series_position": longan_series_position}


def _user() -> str:
    try:
        return tk.current_user.name if tk.current_user.is_authenticated else ""
    except (AttributeError, RuntimeError):  # outside a request
        return ""


def _editions(series_id: str) -> dict[str, Any]:
    try:
        return tk.get_action("longan_series_editions")({"user": _user()}, {"id": series_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {"series": None, "count": 0, "editions": []}


def longan_series_editions(series_id: str) -> list[dict[str, Any]]:
    """The editions of a series the current user may see, in order ([] if none or not found)."""
    return _editions(series_id)["editions"]


def longan_series_position(pkg: dict[str, Any], series_id: str) -> dict[str, Any]:
    """Where an edition stands in a series, for its page's navigation: ``{"series", "index",
    "count", "first", "last", "previous", "next"}`` (editions as dicts, None at the ends);
    ``{}`` when the current user may not see the series."""
    found = _editions(series_id)
    editions = found["editions"]
    ids = [ed["id"] for ed in editions]
    if not found["series"] or pkg["id"] not in ids:
        return {"series": found["series"], "count": len(ids)} if found["series"] else {}
    i = ids.index(pkg["id"])
    return {"series": found["series"], "index": i + 1, "count": len(ids),
            "first": editions[0], "last": editions[-1],
            "previous": editions[i - 1] if i > 0 else None,
            "next": editions[i + 1] if i + 1 < len(ids) else None}


def longan_series_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """The series of the agencies in which the current user may create datasets."""
    user = _user()
    if not user:
        return []
    try:
        found = tk.get_action("package_search")(
            {"ignore_auth": True},
            {"fq": f"dataset_type:{SERIES_TYPE}", "rows": 1000, "include_private": True,
             "include_drafts": True, "fl": "id,title,owner_org"})
    except (SearchError, SolrConnectionError) as error:
        # Solr down: the form still opens (saving then says why it cannot)
        log.warning("series choices unavailable: %s", error)
        return []
    allowed: dict[str, bool] = {}
    choices = []
    for series in found["results"]:
        org = series.get("owner_org")
        if org not in allowed:
            try:
                tk.check_access("package_create", {"user": user}, {"owner_org": org})
                allowed[org] = True
            except tk.NotAuthorized:
                allowed[org] = False
        if allowed[org]:
            choices.append({"value": series["id"], "label": series["title"]})
    return sorted(choices, key=lambda c: c["label"])
