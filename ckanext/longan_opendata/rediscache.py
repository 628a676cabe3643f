"""Small JSON values cached in CKAN's Redis, for what a page reads on every view and seldom
changes (a dataset's workflow history, the boxes of its page).

A value is cached for one *thing* (a dataset id) and one *part* (a language), under a version
the caller gives (the dataset's ``metadata_modified``), and is stamped with two counters: one per
thing, raised by :func:`forget`, and one per cache, raised by :func:`forget_all`. A read
(:func:`fetch`, one round trip) is a hit only when the stamp is still current, so a change made
while another request was computing the old value still wins: that request stores the value
under the old stamp, which no read matches any more. Each value and counter lives
``seconds`` at most (a counter twice as long).

A cache must never break a page: when Redis cannot be reached a read is a miss and a write is
skipped (logged), and the caller computes the value as it would without a cache.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.lib.redis as ckan_redis
import ckan.plugins.toolkit as tk
from redis import Redis

__all__ = ["client", "fetch", "forget", "forget_all", "key", "seconds", "store"]

log = logging.getLogger(__name__)
_held: dict[str, Any] = {}


def client() -> Redis:
    """CKAN's Redis client, made once per process (``connect_to_redis`` builds a new ``Redis``
    object at each call, a third of a Redis round trip), again if CKAN's pool changes."""
    pool = ckan_redis._connection_pool  # noqa: SLF001 (the pool connect_to_redis shares)
    if pool is None or _held.get("pool") is not pool:
        made = ckan_redis.connect_to_redis()
        _held.update(pool=made.connection_pool, client=made)
    return _held["client"]


def key(name: str, *parts: str) -> str:
    """The Redis key of ``name`` for ``parts`` (ids, versions), on this site."""
    site = tk.config.get("ckan.site_id") or "ckan"
    return ":".join(("longan", site, name, *parts))


def fetch(name: str, thing: str, part: str, version: str) -> tuple[Any, list[Any] | None]:
    """``(value, stamp)``: the value cached for ``thing`` and ``part`` at ``version`` if its
    stamp is current, else ``None``; give ``stamp`` to :func:`store` (``None``: Redis is
    unreachable, do not store)."""
    try:
        found = client().mget(key(name, "epoch"), key(name, "epoch", thing),
                              key(name, thing, part))
    except Exception:  # noqa: BLE001 (a cache outage is a miss)
        log.warning("Redis unreachable: %s computed", name, exc_info=True)
        return None, None
    stamp = [version, int(found[0] or 0), int(found[1] or 0)]
    cached = json.loads(found[2]) if found[2] else None
    if cached and cached.get("stamp") == stamp:
        return cached["value"], stamp
    return None, stamp


def store(name: str, thing: str, part: str, stamp: list[Any] | None, value: Any,
          seconds: int) -> None:
    """Cache ``value`` under the ``stamp`` :func:`fetch` gave, for ``seconds`` at most."""
    if stamp is None:
        return
    try:
        client().set(key(name, thing, part), json.dumps({"stamp": stamp, "value": value}),
                     ex=max(1, int(seconds)))
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: %s not cached", name, exc_info=True)


def forget(name: str, things: list[str], seconds: int) -> None:
    """What ``name`` cached for ``things`` is stale (call it after the change's commit)."""
    try:
        pipe = client().pipeline()
        for thing in things:
            pipe.incr(key(name, "epoch", thing))
            # twice the values' life: a value stored under the old stamp just after this
            # (computed before the change) is gone before the counter falls back to 0
            pipe.expire(key(name, "epoch", thing), 2 * max(1, int(seconds)) + 60)
        pipe.execute()
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: %s not invalidated", name, exc_info=True)


def forget_all(name: str) -> None:
    """Everything ``name`` cached is stale."""
    try:
        client().incr(key(name, "epoch"))
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: %s not invalidated", name, exc_info=True)


def seconds() -> int:
    """``ckanext.longan_opendata.page_cache.seconds``: the longest life of a cached value."""
    return max(1, int(tk.config.get("ckanext.longan_opendata.page_cache.seconds") or 3600))
