"""ckanext-harvest's Redis queue under redis-py 8 (the version CKAN 2.12 pins): consumers that
wait for work must not time out.

redis-py 8 gives every connection a 5-second socket read timeout by default. ckanext-harvest's
gather and fetch consumers wait for their next message with ``BLPOP`` and no timeout of their
own, so an idle consumer's read times out; redis-py retries, then raises, and the consumer
process exits about a minute after its last message. Connections from
``ckanext.harvest.queue.get_connection_redis`` therefore get no read timeout (the connect
timeout stays).

And a consumer must outlive a Redis restart (:func:`survive_redis_outages`): upstream, a failed
``BLPOP`` ends the consumer's loop and the process exits, a message whose bookkeeping key
cannot be written is dropped, and a message delivered again after its job finished turns the
COMPLETE object into ERROR.
"""
from __future__ import annotations

import contextlib
import functools
import json
import logging
import time
from typing import Any

import redis

log = logging.getLogger(__name__)


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


#: waits between two attempts to reach Redis again (seconds), the last one repeated
RECONNECT_WAITS = (0.2, 0.5, 1.0, 2.0, 5.0)


def _consume(self: Any, queue: Any = None) -> Any:
    """``RedisConsumer.consume`` that outlives a Redis outage: ``BLPOP`` failing to reach Redis
    is retried (with growing waits) until Redis answers again, instead of ending the consumer
    process; a message whose bookkeeping key cannot be written is still processed (the upstream
    loop dropped it)."""
    from ckanext.harvest import queue as upstream

    failures = 0
    while True:
        try:
            _key, body = self.redis.blpop(self.routing_key)
        except (redis.ConnectionError, redis.TimeoutError) as err:
            wait = RECONNECT_WAITS[min(failures, len(RECONNECT_WAITS) - 1)]
            if failures == 0:
                log.error("Redis unreachable, consumer of %s waiting: %s", self.routing_key, err)
            failures += 1
            time.sleep(wait)  # a consumer process waiting for its broker
            continue
        if failures:
            log.warning("Redis reachable again after %d attempts", failures)
            failures = 0
        try:
            self.redis.set(self.persistance_key(body), str(upstream.datetime.datetime.now()))
        except (redis.RedisError, ValueError, KeyError) as err:
            log.error("Redis bookkeeping failed for %s, processing anyway: %s",
                      json.loads(body) if body else body, err)
        yield (upstream.FakeMethod(body), self, body)


def _basic_ack(self: Any, message: Any) -> None:
    """Acknowledge; a Redis outage at that moment only leaves a bookkeeping key behind."""
    with contextlib.suppress(redis.RedisError):
        self.redis.delete(self.persistance_key(message))


def survive_redis_outages() -> None:
    """Make ckanext-harvest's Redis consumers reconnect by themselves (once per process)."""
    try:
        from ckanext.harvest import queue
    except ImportError:
        return
    if getattr(queue.RedisConsumer, "longan_reconnects", False):
        return
    queue.RedisConsumer.consume = _consume
    queue.RedisConsumer.basic_ack = _basic_ack
    queue.RedisConsumer.longan_reconnects = True
    # a message delivered again (harvest_jobs_run re-sends objects it does not see in Redis,
    # e.g. the ones in flight during an outage) after its job finished must not turn a COMPLETE
    # object into ERROR ("Job … was aborted or timed out") or count as a retry
    if not getattr(queue.fetch_callback, "longan_skip_settled", False):
        queue.fetch_callback = _skip_settled(queue.fetch_callback)


def _settled(body: Any) -> bool:
    """True when the message's harvest object is already COMPLETE (a second delivery)."""
    from ckanext.harvest.model import HarvestObject

    try:
        obj = HarvestObject.get(json.loads(body)["harvest_object_id"])
    except (ValueError, KeyError, TypeError):
        return False
    return obj is not None and obj.state == "COMPLETE"


def _skip_settled(original: Any) -> Any:
    @functools.wraps(original)
    def fetch_callback(channel: Any, method: Any, header: Any, body: Any) -> Any:
        if _settled(body):
            log.info("harvest object already COMPLETE, second delivery ignored: %s", body)
            channel.basic_ack(method.delivery_tag)
            return False
        return original(channel, method, header, body)
    fetch_callback.longan_skip_settled = True  # type: ignore[attr-defined]
    return fetch_callback
