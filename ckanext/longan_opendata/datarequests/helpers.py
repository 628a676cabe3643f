"""Template helpers of the data requests."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.metadata import codelists

from . import states

__all__ = ["get_helpers"]


def longan_datarequest_state_label(state: str) -> str:
    return states.state_label(state)


def longan_datarequest_refusal_label(code: str) -> str:
    return states.refusal_label(code)


def longan_datarequest_agencies() -> list[dict[str, str]]:
    """Every agency (id, title), for the form's choice."""
    orgs = tk.get_action("organization_list")(
        {"ignore_auth": True}, {"all_fields": True, "limit": 1000})
    return [{"id": o["id"], "name": o["name"], "title": o["title"] or o["name"]}
            for o in sorted(orgs, key=lambda o: (o["title"] or o["name"]).lower())]


def longan_datarequest_themes() -> list[dict[str, str]]:
    lang = tk.h.lang() if tk.request else "vi"
    return [{"value": code, "label": codelists.label("themes", code, lang)}
            for code in codelists.values("themes")]


def longan_datarequest_facet_label(field: str, value: str) -> str:
    """The label of a facet value: a state, an agency (id → title) or a theme."""
    if field == "state":
        return states.state_label(value)
    if field == "theme":
        return codelists.label("themes", value, tk.h.lang() if tk.request else "vi")
    from ckan import model
    org = model.Group.get(value)
    return org.title if org else value


def longan_datarequest_url(filters: dict[str, str], **changes: Any) -> str:
    """The list's address with ``filters`` changed (a value of None removes the filter)."""
    query = {k: v for k, v in {**filters, **changes}.items() if v}
    return tk.h.url_for("longan_datarequests.index", **query)


def longan_datarequest_open_for_me() -> list[dict[str, Any]]:
    """The current user's agencies (as steward) with their open requests: ``id``, ``title``,
    ``open`` (new or under review), ``overdue``. Empty for a non-steward."""
    from . import records

    user = tk.current_user
    name = user.name if user and user.is_authenticated else None
    orgs = workflow.steward_agencies(name)
    if not orgs:  # none, or a sysadmin (who sees the whole list)
        return []
    return [item for item in (records.open_counts(org_id) for org_id in orgs) if item["open"]]


def longan_datarequest_fulfilled_by(package_id: str) -> list[dict[str, str]]:
    """The data requests a dataset answered (for its page)."""
    from . import records
    return records.fulfilled_by(package_id)


def get_helpers() -> dict[str, Any]:
    return {name: value for name, value in globals().items()
            if name.startswith("longan_datarequest_")}
