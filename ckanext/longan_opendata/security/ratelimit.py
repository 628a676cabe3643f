"""STAND-IN (helper ``requests``) for the rate limiter of branch ``publicface``, same signature;
the merge replaces it. A Redis fixed window per bucket and client."""
from __future__ import annotations

import hashlib
import time

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

__all__ = ["allow"]


def _client_key() -> str:
    address = (tk.request.remote_addr or "") if tk.request else ""
    secret = tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or ""
    return hashlib.sha256(f"{secret}:{address}".encode()).hexdigest()[:32]


def allow(bucket: str, limit: int, window_seconds: int, key: str | None = None) -> bool:
    """True while the client (``key``, default a hash of its address, never stored in clear)
    has made at most ``limit`` calls in the current ``window_seconds`` window of ``bucket``."""
    window = int(time.time()) // window_seconds
    name = (f"longan_opendata:ratelimit:{tk.config.get('ckan.site_id')}:{bucket}:"
            f"{key or _client_key()}:{window}")
    redis = connect_to_redis()
    count = redis.incr(name)
    if count == 1:
        redis.expire(name, window_seconds)
    return count <= limit
