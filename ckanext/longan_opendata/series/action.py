"""The series API: a series' editions in order."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from . import SERIES_TYPE

__all__ = ["get_actions"]

#: the fields of an edition that the list returns
EDITION_FIELDS = ("id", "name", "title", "title_en", "type", "temporal_start", "temporal_end",
                  "metadata_created", "workflow_state")
MAX_EDITIONS = 1000


def get_actions() -> dict[str, Any]:
    return {"longan_series_editions": longan_series_editions}


@tk.side_effect_free
def longan_series_editions(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The editions of a dataset series that the caller may see, in the series' order
    (``series_order_field``, ``temporal_start`` by default; oldest first).

    :param id: the id or name of the series
    :type id: string
    :param descending: newest first (optional, default ``false``)
    :type descending: bool
    :returns: ``{"series": {"id", "name", "title", "title_en"}, "count": int,
        "editions": [{"id", "name", "title", "title_en", "temporal_start", ...}]}``
    :rtype: dict
    """
    ref = data_dict.get("id")
    if not ref or not isinstance(ref, str):
        raise tk.ValidationError({"id": [tk._("Series: missing value")]})
    tk.check_access("longan_series_editions", context, {"id": ref})
    series = tk.get_action("package_show")(dict(context), {"id": ref})
    if series.get("type") != SERIES_TYPE:
        raise tk.ObjectNotFound(tk._("No dataset series “{ref}”").format(ref=ref))
    order = series.get("series_order_field") or "temporal_start"
    direction = "desc" if tk.asbool(data_dict.get("descending")) else "asc"
    found = tk.get_action("package_search")(
        {"user": context.get("user")},
        {"fq": f'vocab_in_series:"{series["id"]}"', "sort": f"{order} {direction}, name asc",
         "rows": MAX_EDITIONS, "include_private": True, "include_drafts": True})
    return {"series": {key: series.get(key) for key in ("id", "name", "title", "title_en")},
            "count": found["count"],
            "editions": [{key: ed.get(key) for key in EDITION_FIELDS} for ed in found["results"]]}
