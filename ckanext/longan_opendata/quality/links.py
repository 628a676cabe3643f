"""The link checker's results, as the quality score reads them.

The link checker (package :mod:`ckanext.longan_opendata.linkcheck`, its own helper's branch)
exposes ``results_for(resource_ids) -> {resource id: result}`` with the keys ``status``
("ok" | "broken" | "mislabelled"), ``http_status``, ``checked_at``, ``broken_since``,
``final_url``, ``content_type``, ``size`` and ``format_ok``. Until it is installed, no resource
is checked: the link indicators are skipped, and the breakdown says so.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["results_for"]


def results_for(resource_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Link-check results of ``resource_ids`` (unchecked resources are absent)."""
    ids = [rid for rid in resource_ids if rid]
    if not ids:
        return {}
    try:
        from ckanext.longan_opendata.linkcheck import results_for as checked
    except ImportError:
        return {}
    return checked(ids)
