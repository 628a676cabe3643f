"""ckanext-harvest's Redis queue under redis-py 8 (the version CKAN 2.12 pins): consumers that
wait for work must not time out.

redis-py 8 gives every connection a 5-second socket read timeout by default. ckanext-harvest's
gather and fetch consumers wait for their next message with ``BLPOP`` and no timeout of their
own, so an idle consumer's read times out; redis-py retries, then raises, and the consumer
process exits about a minute after its last message. Connections from
``ckanext.harvest.queue.get_connection_redis`` therefore get no read timeout (the connect
timeout stays).
"""
from __future__ import annotations

import functools
from typing import Any


def keep_consumers_blocking() -> None:
    """Wrap ``get_connection_redis`` of ckanext-harvest's queue module (once per process)."""
    try:
        from ckanext.harvest import queue
    except ImportError:  # ckanext-harvest not installed: nothing to do
        return
    original = queue.get_connection_redis
    if getattr(original, "longan_blocking", False):
        return

    @functools.wraps(original)
    def get_connection_redis() -> Any:
        connection = original()
        connection.connection_pool.connection_kwargs["socket_timeout"] = None
        return connection

    get_connection_redis.longan_blocking = True  # type: ignore[attr-defined]
    queue.get_connection_redis = get_connection_redis
