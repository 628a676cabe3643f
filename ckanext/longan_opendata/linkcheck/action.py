"""The link check API: ``longan_linkcheck_show``."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.longan_opendata.security import params

from .results import results_for

__all__ = ["get_actions"]


@tk.side_effect_free
def longan_linkcheck_show(context: Context, data_dict: DataDict) -> dict[str, Any] | None:
    """The latest link and format check of a resource.

    Whoever may see the resource (``resource_show``) may see its check.

    :param id: the resource's id
    :type id: string
    :returns: ``None`` when the resource has not been checked yet; otherwise ``url``,
        ``status`` (``ok``, ``broken`` or ``mislabelled``), ``http_status``, ``checked_at``,
        ``broken_since`` (when it first failed in the current streak; ISO 8601, UTC),
        ``final_url`` (after redirects), ``content_type``, ``size`` (bytes, when known),
        ``format_ok`` (whether the bytes are the declared format; null when not checked)
        and ``error`` (what went wrong, in English)
    :rtype: dictionary
    """
    resource_id = params.text(data_dict, "id")
    tk.check_access("longan_linkcheck_show", context, {"id": resource_id})
    return results_for([resource_id]).get(resource_id)


def get_actions() -> dict[str, Any]:
    return {"longan_linkcheck_show": longan_linkcheck_show}
