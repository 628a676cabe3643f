"""Template helpers of the link check: the resource page's notice."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk

from .results import results_for

__all__ = ["get_helpers"]


def longan_linkcheck_result(resource_id: str) -> dict[str, Any] | None:
    """The latest check of a resource (see ``longan_linkcheck_show``), or None (also when the
    resource's URL changed since: that check is about another link)."""
    from ckan import model

    found = results_for([resource_id]).get(resource_id) if resource_id else None
    resource = model.Resource.get(resource_id) if found else None
    if found is None or resource is None or (resource.url or "") != found["url"]:
        return None
    return found


def longan_linkcheck_date(iso: str | None) -> str:
    """A check date in the Vietnamese way, day first: ``02/12/2026``."""
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y")


def longan_linkcheck_reason(check: dict[str, Any]) -> str:
    """Why a link is broken, in the user's language (the stored error is technical English)."""
    error = check.get("error") or ""
    if check.get("http_status") and check["http_status"] >= 400:
        return tk._("the server answered HTTP %(code)s") % {"code": check["http_status"]}
    if "timed out" in error:
        return tk._("the server did not answer in time")
    if "redirect" in error:
        return tk._("too many redirects or a redirect loop")
    if "not allowed" in error:
        return tk._("the address is not allowed")
    if "missing" in error:
        return tk._("the file is missing")
    return tk._("the server could not be reached")


def get_helpers() -> dict[str, Any]:
    return {"longan_linkcheck_result": longan_linkcheck_result,
            "longan_linkcheck_date": longan_linkcheck_date,
            "longan_linkcheck_reason": longan_linkcheck_reason}
