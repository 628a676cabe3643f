"""One delivery per harvest object: the fetch and import of an object run once even when the
harvest queue hands it to two consumers (see :class:`Claim`)."""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import ckan.plugins.toolkit as tk
import redis

CLAIM_TTL = 60  # seconds a claim lives without its holder's heartbeat
_OUTCOMES = {True: "true", False: "false", "unchanged": "unchanged"}
#: how long a consumer waits for Redis to come back before giving the object up (seconds)
REDIS_PATIENCE = 600
_WAITS = (0.2, 0.5, 1.0, 2.0, 5.0)
log = logging.getLogger(__name__)
T = TypeVar("T")


def _patiently(call: Callable[[], T]) -> T:
    """``call()``, retried while Redis is unreachable (restarting, failing over) for up to
    :data:`REDIS_PATIENCE` seconds: a consumer that cannot claim or settle an object waits for
    Redis instead of dying with the object half-done."""
    deadline = time.monotonic() + REDIS_PATIENCE
    for attempt in range(1_000_000):
        try:
            return call()
        except (redis.ConnectionError, redis.TimeoutError) as err:
            if time.monotonic() > deadline:
                raise
            if attempt == 0:
                log.error("Redis unreachable, harvest claim waiting: %s", err)
            time.sleep(_WAITS[min(attempt, len(_WAITS) - 1)])
    raise AssertionError("unreachable")


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


class Claim:
    """An object's fetch and import run once even when the queue delivers it twice.

    ckanext-harvest's ``harvest_jobs_run`` re-sends every WAITING object missing from the Redis
    list (one still being gathered, or popped by a consumer that has not started it yet) and every
    object whose fetch has lasted more than 3 minutes, so with several fetch consumers an object
    can reach two of them. The first delivery claims the object in Redis (``SET NX`` with a
    heartbeat); a second one waits for the first's outcome and reports the same without doing the
    work again. When the holder dies its claim expires and the next delivery does the work.
    While Redis is unreachable the claim waits for it (:func:`_patiently`).
    """

    def __init__(self, object_id: str):
        self.key = f"{tk.config.get('ckan.site_id')}:longan-harvest-claim:{object_id}"
        self.redis = _redis()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def acquire(self) -> dict[str, Any] | None:
        """None when this delivery holds the claim, else the first delivery's outcome."""
        while True:
            if _patiently(lambda: self.redis.set(self.key, json.dumps({"running": True}),
                                                 nx=True, ex=CLAIM_TTL)):
                self._beat = threading.Thread(target=self._heartbeat, daemon=True,
                                              name="longan-claim")
                self._beat.start()
                return None
            raw = _patiently(lambda: self.redis.get(self.key))
            if raw is not None:
                value = json.loads(raw)
                if value.get("done"):
                    return value
            time.sleep(0.5)

    def _heartbeat(self) -> None:
        while not self._stop.wait(CLAIM_TTL / 3):
            try:
                self.redis.expire(self.key, CLAIM_TTL)
            except redis.RedisError as err:  # the next beat tries again
                log.warning("harvest claim heartbeat failed: %s", err)

    def finish(self, fetch: Any, imported: Any = None) -> None:
        self._stop.set()
        value = json.dumps({"done": True, "fetch": _OUTCOMES.get(fetch, "false"),
                            "import": _OUTCOMES.get(imported, "false")})
        _patiently(lambda: self.redis.set(self.key, value, ex=7 * 86400))


def outcome(text: str) -> bool | str:
    """A stage's result as the claim recorded it (see :meth:`Claim.finish`)."""
    return {"true": True, "unchanged": "unchanged"}.get(text, False)
