"""Small JSON values cached in CKAN's Redis, for what a page reads on every view and seldom
changes (a dataset's workflow history, the boxes of its page).

Keys are ``longan:<site_id>:<name>:<parts…>``. A cache must never break a page: when Redis
cannot be reached a read is a miss and a write or a delete is skipped (logged), and the caller
computes the value as it would without a cache. Whoever changes what a value was made of deletes
it (:func:`delete`) or changes its key (a dataset's ``metadata_modified`` in the key).
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.lib.redis as ckan_redis
import ckan.plugins.toolkit as tk
from redis import Redis

__all__ = ["client", "delete", "get_many", "key", "put"]

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
    """The Redis key of cache ``name`` for ``parts`` (ids, versions), on this site."""
    site = tk.config.get("ckan.site_id") or "ckan"
    return ":".join(("longan", site, name, *parts))


def get_many(*keys: str) -> list[Any]:
    """The JSON values of ``keys`` in one round trip (``None`` for a miss or when Redis is
    unreachable)."""
    try:
        found = client().mget(keys)
    except Exception:  # noqa: BLE001 (a cache outage is a miss)
        log.warning("Redis unreachable: cache miss for %s", keys[0], exc_info=True)
        return [None] * len(keys)
    return [json.loads(value) if value else None for value in found]


def put(name: str, value: Any, seconds: int) -> None:
    """Keep ``value`` (JSON) under key ``name`` for ``seconds``."""
    try:
        client().set(name, json.dumps(value), ex=max(1, int(seconds)))
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: %s not cached", name, exc_info=True)


def delete(*keys: str) -> None:
    """Forget ``keys`` (what they were made of has changed)."""
    if not keys:
        return
    try:
        client().delete(*keys)
    except Exception:  # noqa: BLE001
        log.warning("Redis unreachable: %s not invalidated", keys[0], exc_info=True)
