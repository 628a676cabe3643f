"""Rate limits: a fixed window per bucket and client, counted in CKAN's Redis.

``allow("login", 10, 60)`` is True for the first 10 calls of a client in each 60-second window
and False after, until the window ends. The client is ``key`` when given, else a salted hash of
the client's address (HMAC of the site's ``SECRET_KEY``): no address is stored in clear, and the
counters expire with their window. Behind a reverse proxy listed in
``ckanext.longan_opendata.ratelimit.trusted_proxies`` the address is the last hop of
``X-Forwarded-For`` (the one that proxy added), else the socket's peer.

When Redis cannot be reached the limit lets the request through (logged): a portal that cannot
count must still let its users log in.

:func:`refuse` (or :func:`abort`) answers 429 in the visitor's language: CKAN's JSON error for
the API, a page otherwise, with ``Retry-After``.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time

import ckan.plugins.toolkit as tk
from flask import Response, json, request
from werkzeug.exceptions import HTTPException

__all__ = ["abort", "allow", "client_key", "refuse", "seconds_left"]

log = logging.getLogger(__name__)


def _client_address() -> str:
    """The client's address: the peer, or the last ``X-Forwarded-For`` hop of a trusted proxy."""
    peer = request.remote_addr or ""
    trusted = tk.aslist(tk.config.get("ckanext.longan_opendata.ratelimit.trusted_proxies"))
    if peer in trusted:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        if hops and hops[-1]:
            return hops[-1]
    return peer


def client_key() -> str:
    """A salted hash of the client's address (never the address itself)."""
    secret = str(tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or "")
    return hmac.new(secret.encode(), _client_address().encode(), hashlib.sha256).hexdigest()[:32]


def _redis_key(bucket: str, window_seconds: int, key: str | None) -> tuple[str, int]:
    window = int(time.time()) // window_seconds
    site = tk.config.get("ckan.site_id") or "ckan"
    who = key if key is not None else client_key()
    return f"longan:ratelimit:{site}:{bucket}:{who}:{window}", window


def allow(bucket: str, limit: int, window_seconds: int, key: str | None = None) -> bool:
    """Count one call of ``key`` (default: this client) in ``bucket``.

    :param bucket: what is limited (``"login"``, ``"feedback"``...)
    :param limit: calls allowed per window; 0 or less means no limit
    :param window_seconds: length of the fixed window
    :param key: who is counted; default a salted hash of the client's address
    :returns: True while the calls in the current window are at most ``limit``
    """
    if limit <= 0 or window_seconds <= 0:
        return True
    from ckan.lib.redis import connect_to_redis

    name, _ = _redis_key(bucket, window_seconds, key)
    try:
        pipe = connect_to_redis().pipeline()
        pipe.incr(name)
        pipe.expire(name, window_seconds + 1)
        count = pipe.execute()[0]
    except Exception:  # noqa: BLE001 (Redis down: let the request through, say so)
        log.warning("rate limit %s not counted: Redis unreachable", bucket, exc_info=True)
        return True
    return int(count) <= limit


def seconds_left(window_seconds: int) -> int:
    """Seconds until the current fixed window of ``window_seconds`` ends (at least 1)."""
    return max(1, window_seconds - int(time.time()) % window_seconds)


def _message() -> str:
    return tk._("Too many requests: please wait a moment and try again.")


def refuse(retry_after: int) -> Response:
    """The 429 answer: CKAN's JSON error under ``/api/``, a page otherwise."""
    if request.path.startswith("/api/"):
        body = json.dumps({"success": False, "help": request.url,
                           "error": {"__type": "Rate Limit Error", "message": _message()}})
        response = Response(body, status=429, content_type="application/json;charset=utf-8")
    else:
        html = tk.render("longan/security/429.html",
                         {"message": _message(), "retry_after": retry_after})
        response = Response(html, status=429, content_type="text/html; charset=utf-8")
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def abort(retry_after: int) -> None:
    """Stop the request with :func:`refuse`'s answer, in a view or a ``before_request``. Not in
    an action: CKAN's API view answers 500 to any unexpected exception; limit an API action with
    :func:`.limits.limit_api_action` instead."""
    raise HTTPException(response=refuse(retry_after))
