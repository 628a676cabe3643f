"""Template helpers of the link check: the resource page's notice."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .results import results_for

__all__ = ["get_helpers"]


def longan_linkcheck_result(resource_id: str) -> dict[str, Any] | None:
    """The latest check of a resource (see ``longan_linkcheck_show``), or None."""
    return results_for([resource_id]).get(resource_id) if resource_id else None


def longan_linkcheck_date(iso: str | None) -> str:
    """A check date in the Vietnamese way, day first: ``02/12/2026``."""
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y")


def get_helpers() -> dict[str, Any]:
    return {"longan_linkcheck_result": longan_linkcheck_result,
            "longan_linkcheck_date": longan_linkcheck_date}
