"""``package_show`` by name in one query instead of four.

CKAN 2.12 finds the dataset of a ``package_show`` twice: the action and its auth function each
call ``Package.get(reference)``, which first looks the reference up as a primary key and, when
it is a name (as in every dataset URL and most API calls), then by name: four queries. The
chained ``package_show`` below looks a name up once, by id or name, and hands CKAN the dataset's
id; CKAN's two look-ups by that id then find the row in the session without a query.

Nothing else changes: CKAN's own action, auth and answer run as before, a reference that is a
UUID (one query in CKAN too) or that names no dataset goes to CKAN untouched, and a reference
that is one dataset's id and another's name means the first, as in ``Package.get``.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.types import Action, Context, DataDict

__all__ = ["get_actions"]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _dataset(reference: str) -> model.Package | None:
    """The dataset whose id or name is ``reference`` (id first), in one query."""
    found = model.Session.query(model.Package).filter(
        sa.or_(model.Package.id == reference, model.Package.name == reference)).all()
    chosen = [pkg for pkg in found if pkg.id == reference] or found
    return chosen[0] if chosen else None


@tk.side_effect_free
@tk.chained_action
def package_show(up_func: Action, context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Return the metadata of a dataset (package) and its resources.

    CKAN's ``package_show``, unchanged in what it accepts, checks and answers; a dataset asked
    for by name is found with one database query instead of four.

    :param id: the id or name of the dataset
    :type id: string
    :param use_default_schema: use default package schema instead of
        a custom schema defined with an IDatasetForm plugin (default: ``False``)
    :type use_default_schema: bool
    :param include_plugin_data: Include the internal plugin data object
        (sysadmin only, optional, default:``False``)
    :type include_plugin_data: bool
    :rtype: dictionary
    """
    reference = data_dict.get("id") or data_dict.get("name_or_id")
    # held until CKAN has found it: the session's identity map keeps only weak references
    dataset = None
    if (isinstance(reference, str) and reference and not _UUID.match(reference)
            and not context.get("for_update")):
        dataset = _dataset(reference)
        if dataset is not None and dataset.id != reference:
            data_dict = {**data_dict, "id": dataset.id}
    return up_func(context, data_dict)


def get_actions() -> dict[str, Any]:
    return {"package_show": package_show}
