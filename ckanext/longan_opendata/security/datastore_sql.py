"""Limits of the DataStore SQL endpoint (``datastore_search_sql``), issue 14 item 4.

Policy: the endpoint stays **off** by default (``ckan.datastore.sqlsearch.enabled``, CKAN's own
default): ``datastore_search`` with filters, ``q`` and ``fields`` answers what the portal's
readers need, and SQL against shared tables is the easiest way to hold the database. An operator
who turns it on gets, from this module:

- a statement timeout (``ckanext.longan_opendata.datastore.sql_timeout_ms``, default 3000;
  CKAN's own is 60 s): the query runs under ``SET LOCAL statement_timeout`` in its own
  transaction and, when cut, the caller gets a 409 naming the ``sql`` field, in Vietnamese;
- a rate limit per client (``ckanext.longan_opendata.ratelimit.datastore_sql``, default 60/60,
  checked by :mod:`.limits` before the API view);
- and the read-only role, which ``scripts/setup-ckan.sh`` also gives a role-level
  ``statement_timeout`` (``ALTER ROLE ... SET statement_timeout``) so that no other path through
  that role can hold the database longer either.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["get_actions"]

_CKAN_MESSAGES = ("Query took too long", "Search took too long")


def timeout_ms() -> int:
    """The statement timeout of a ``datastore_search_sql`` query, in milliseconds."""
    return max(1, int(tk.config.get("ckanext.longan_opendata.datastore.sql_timeout_ms", 3000)))


def _too_long(error: tk.ValidationError) -> bool:
    messages = (error.error_dict or {}).get("query") or []
    return any(m in _CKAN_MESSAGES for m in messages)


@tk.chained_action
@tk.side_effect_free
def datastore_search_sql(up_func: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    """CKAN's ``datastore_search_sql`` with the portal's limits (see the module).

    :param sql: a single SQL ``SELECT`` over DataStore tables
    :type sql: string
    :returns: CKAN's answer (``records``, ``fields``)
    :raises ValidationError: (409) ``sql`` when the query runs longer than the timeout
    """
    context["query_timeout"] = min(int(context.get("query_timeout") or timeout_ms()),
                                   timeout_ms())
    try:
        return up_func(context, data_dict)
    except tk.ValidationError as error:
        if not _too_long(error):
            raise
        raise tk.ValidationError({"sql": [tk._(
            "The query ran longer than %(seconds)s seconds and was stopped: ask for fewer "
            "rows or a simpler query (or use datastore_search)") % {
                "seconds": f"{timeout_ms() / 1000:g}"}]}) from None


def get_actions() -> dict[str, Any]:
    """``datastore_search_sql`` is chained only when the DataStore offers it."""
    if not tk.asbool(tk.config.get("ckan.datastore.sqlsearch.enabled")):
        return {}
    return {"datastore_search_sql": datastore_search_sql}
