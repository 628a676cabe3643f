"""The link checker's results, as the quality score reads them.

The link checker (package :mod:`ckanext.longan_opendata.linkcheck`, its own helper's branch)
exposes ``results_for(resource_ids) -> {resource id: result}`` with the keys ``status``
("ok" | "broken" | "mislabelled"), ``http_status``, ``checked_at``, ``broken_since``,
``final_url``, ``content_type``, ``size`` and ``format_ok``. Until it is installed, no resource
is checked: the link indicators are skipped, and the breakdown says so.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

__all__ = ["prefetched", "results_for"]

#: the packages whose results :func:`prefetched` read, and those results by resource id
_PREFETCHED: ContextVar[tuple[frozenset[str], dict[str, dict[str, Any]]] | None] = ContextVar(
    "longan_link_results_prefetched", default=None)


@contextlib.contextmanager
def prefetched(package_ids: Iterable[str]) -> Iterator[None]:
    """The results of every resource of ``package_ids`` read in one query, for a batch of
    datasets scored together (the bulk load's index documents) instead of a query each."""
    try:
        from ckanext.longan_opendata.linkcheck import results_for_packages
    except ImportError:
        yield
        return
    ids = frozenset(pid for pid in package_ids if pid)
    token = _PREFETCHED.set((ids, results_for_packages(sorted(ids))))
    try:
        yield
    finally:
        _PREFETCHED.reset(token)


def results_for(resource_ids: Iterable[str],
                package_id: str | None = None) -> dict[str, dict[str, Any]]:
    """Link-check results of ``resource_ids`` (unchecked resources are absent), of the dataset
    ``package_id`` when it is known (then read from :func:`prefetched` when it covers it)."""
    ids = [rid for rid in resource_ids if rid]
    if not ids:
        return {}
    known = _PREFETCHED.get()
    if known is not None and package_id in known[0]:
        return {rid: known[1][rid] for rid in ids if rid in known[1]}
    try:
        from ckanext.longan_opendata.linkcheck import results_for as checked
    except ImportError:
        return {}
    return checked(ids)
