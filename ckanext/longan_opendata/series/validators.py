"""``longan_in_series``: the series a dataset is an edition of.

Accepts a list (or its JSON) of series ids or names; stores the ids as JSON, as
ckanext-dataset-series expects. A series must exist, be of type ``dataset_series`` and belong to
an agency in which the user may create datasets (its stewards; the harvester's site user).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context

from . import SERIES_TYPE

__all__ = ["get_validators"]


def get_validators() -> dict[str, Any]:
    return {"longan_in_series": longan_in_series}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        try:
            value = json.loads(text) if text.startswith("[") else [text]
        except ValueError:
            raise tk.Invalid(tk._("In series: expected a list of series")) from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(tk._("In series: expected a list of series"))
    return [v for v in value if v.strip()]


def _series_id(ref: str, context: Context) -> str:
    pkg = model.Package.get(ref)
    if pkg is None or pkg.state == "deleted" or pkg.type != SERIES_TYPE:
        raise tk.Invalid(tk._("In series: no dataset series “{ref}”").format(ref=ref))
    try:
        tk.check_access("package_create", {"user": context.get("user")},
                        {"owner_org": pkg.owner_org, "type": "dataset"})
    except tk.NotAuthorized:
        raise tk.Invalid(tk._("In series: only the stewards of the series' agency may add "
                              "datasets to “{ref}”").format(ref=ref)) from None
    return pkg.id


def longan_in_series(value: Any, context: Context) -> Any:
    """Validate and normalise ``in_series`` (see the module's docstring)."""
    if value is tk.missing or value is None:
        return value
    ids: list[str] = []
    for ref in _as_list(value):
        series_id = _series_id(ref, context)
        if series_id not in ids:
            ids.append(series_id)
    return json.dumps(ids) if ids else ""
