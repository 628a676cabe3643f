"""ckanext-harvest consumer processes (``ckan -c INI harvester gather-consumer`` and
``fetch-consumer``) started and stopped from Python: the consumer tests and the parallel harvest
benchmark run real consumers on Redis with it.

:func:`running_consumers` starts one gather consumer and ``fetch`` fetch consumers, waits until
each waits for work (a ``BLPOP`` client of the queue's Redis db), yields them, and always ends
them (``terminate``, then ``kill``) and empties the queues.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ckan.plugins.toolkit as tk
import redis

CKAN = str(Path(sys.executable).with_name("ckan"))


@dataclass
class Consumer:
    """One consumer process and the file its output goes to."""

    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def queue_redis() -> redis.Redis:
    """A client of the harvest queue's Redis db (``ckan.harvest.mq.*``)."""
    return redis.Redis(host=tk.config.get("ckan.harvest.mq.hostname", "127.0.0.1"),
                       port=int(tk.config.get("ckan.harvest.mq.port", 6379)),
                       db=int(tk.config.get("ckan.harvest.mq.redis_db", 0)))


def blocked_consumers(client: redis.Redis) -> int:
    """Connections of the queue's Redis db waiting in BLPOP (consumers ready for a message)."""
    db = client.connection_pool.connection_kwargs.get("db", 0)
    return sum(1 for c in client.client_list()
               if c.get("cmd") == "blpop" and int(c.get("db", -1)) == db)


@contextlib.contextmanager
def running_consumers(ini: str, log_dir: Path, fetch: int = 2, start_timeout: float = 120,
                      profile: bool = False) -> Iterator[dict[str, Consumer]]:
    """A gather consumer (``gather``) and ``fetch`` fetch consumers (``fetch-1``, …) on the
    config ``ini``, each writing into ``log_dir/NAME.log``; ready when yielded. With
    ``profile``, each runs under cProfile, written to ``log_dir/NAME.prof`` when it ends."""
    from ckanext.harvest import queue

    queue.purge_queues()
    client = queue_redis()
    before = blocked_consumers(client)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    commands = [("gather", "gather-consumer")] + [
        (f"fetch-{i}", "fetch-consumer") for i in range(1, fetch + 1)]
    procs: dict[str, Consumer] = {}
    try:
        for name, command in commands:
            log = log_dir / f"{name}.log"
            with open(log, "wb") as out:
                prefix = ([sys.executable, "-m", "cProfile", "-o", str(log_dir / f"{name}.prof")]
                          if profile else [])
                procs[name] = Consumer(name, subprocess.Popen(  # noqa: S603
                    [*prefix, CKAN, "-c", ini, "harvester", command], stdout=out,
                    stderr=subprocess.STDOUT, env=env, start_new_session=True), log)
        deadline = time.monotonic() + start_timeout
        while blocked_consumers(client) < before + len(commands):
            dead = [c for c in procs.values() if c.process.poll() is not None]
            if dead:
                raise RuntimeError(f"consumer {dead[0].name} exited: "
                                   + dead[0].output()[-2000:])
            if time.monotonic() > deadline:
                raise RuntimeError(f"the consumers did not start in {start_timeout:.0f} s")
            time.sleep(0.2)
        yield procs
    finally:
        _stop(procs.values(), signal.SIGINT if profile else signal.SIGTERM)
        queue.purge_queues()


def _stop(consumers: Iterable[Consumer], how: int) -> None:
    """Send ``how`` (SIGINT lets cProfile write its file), then kill what is left after 10 s."""
    for consumer in consumers:
        if consumer.process.poll() is None:
            consumer.process.send_signal(how)
    for consumer in consumers:
        try:
            consumer.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            consumer.process.kill()
            consumer.process.wait(timeout=10)
