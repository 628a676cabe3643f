"""The portal's rate-limited doors, checked before any view (installed by :func:`.install`):
logging in, asking for or performing a password reset, and creating an API token (its page and
the ``api_token_create`` action), the DataStore SQL endpoint, and any API action registered with
:func:`limit_api_action`. Each is ``limit/seconds`` in its option
``ckanext.longan_opendata.ratelimit.<bucket>`` (``0`` turns it off); over the limit the
client gets :func:`.ratelimit.refuse`'s 429.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import request

from . import ratelimit

__all__ = ["check", "limit_api_action", "parse_rule", "rule_of"]

_DEFAULTS = {"login": "10/300", "password_reset": "5/3600", "api_token": "20/3600",
             "datastore_sql": "60/60"}

#: action called through the API (``/api/[3/]action/<name>``) → bucket
_API_ACTIONS: dict[str, str] = {"api_token_create": "api_token",
                                "datastore_search_sql": "datastore_sql"}

#: (endpoint, methods) → bucket
_DOORS: dict[str, tuple[frozenset[str], str]] = {
    "user.login": (frozenset({"POST"}), "login"),
    "user.request_reset": (frozenset({"POST"}), "password_reset"),
    "user.perform_reset": (frozenset({"POST"}), "password_reset"),
    "user.api_tokens": (frozenset({"POST"}), "api_token"),
}


def limit_api_action(action: str, bucket: str, default: str) -> None:
    """Count the API calls of ``action`` under ``bucket`` (option
    ``ckanext.longan_opendata.ratelimit.<bucket>``, else ``default`` as ``LIMIT/SECONDS``).

    An action cannot answer 429 itself (CKAN's API view turns any unexpected exception into a
    500), so its limit is checked before the API view runs."""
    _API_ACTIONS[action] = bucket
    _DEFAULTS.setdefault(bucket, default)


def parse_rule(text: str) -> tuple[int, int]:
    """``"10/300"`` → ``(10, 300)``; ``"0"`` or empty → ``(0, 0)`` (no limit).

    :raises ValueError: on anything else
    """
    text = (text or "").strip()
    if text in ("", "0"):
        return 0, 0
    limit, _, seconds = text.partition("/")
    limit_n, seconds_n = int(limit), int(seconds)
    if limit_n < 0 or seconds_n <= 0:
        raise ValueError(f"rate limit {text!r}: expected LIMIT/SECONDS")
    return limit_n, seconds_n


def rule_of(bucket: str) -> tuple[int, int]:
    """The configured ``(limit, seconds)`` of ``bucket``."""
    return parse_rule(str(tk.config.get(f"ckanext.longan_opendata.ratelimit.{bucket}",
                                        _DEFAULTS[bucket])))


def _bucket() -> str | None:
    endpoint = request.endpoint or ""
    if endpoint == "api.action":
        view_args = request.view_args or {}
        return _API_ACTIONS.get(str(view_args.get("logic_function")))
    methods, bucket = _DOORS.get(endpoint, (frozenset(), None))
    return bucket if request.method in methods else None


def check() -> None:
    """``before_request`` of the app: count this request against its door's limit, if any."""
    bucket = _bucket()
    if bucket is None:
        return
    limit, seconds = rule_of(bucket)
    if not ratelimit.allow(bucket, limit, seconds):
        ratelimit.abort(ratelimit.seconds_left(seconds))
