"""Benchmark of the link checker (issue 11, item 3) against a baseline measured in the same run.

    .venv/bin/python bench/bench_linkcheck.py -c test-NAME.ini [--resources 1000]

A child process serves the files on 10 loopback addresses (127.0.0.11 … 127.0.0.20, one
"host" each, each with its share of every kind): 85 % good CSV files (20 kB), 5 % missing
(404), 5 % mislabelled (an HTML page declared CSV) and 5 % slow (they answer after 3 s, past
the 1 s timeout). Prints:

1. baselines: the same URLs fetched one after the other with plain ``requests.get`` (no format
   check, the whole file), and by 32 threads with no per-host cap; the checker
   (``check_resources``: HEAD + ranged GET + format check, ``per_host`` 2 on 10 hosts = 20
   requests at once at most, 32 threads, no interval): wall time, resources/s, HTTP
   requests/s served, the peak number of requests at once per host (counted by the checker's
   throttle; must not exceed the cap), CPU time per resource and the statuses found;
2. peak RSS of the checking process after each quarter of the resources (flat: it must not grow
   with the number checked).

The config is read only for the SSRF allow-list (set here to the loopback addresses used); no
database is touched.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HOSTS = [f"127.0.0.{i}" for i in range(11, 21)]
GOOD = b"ma,ten,gia_tri\n" + b"".join(b"%d,xa %d,%d\n" % (i, i, i * 3) for i in range(1300))
PAGE = b"<!DOCTYPE html><html><body>not the data</body></html>"
SLOW_SECONDS = 3.0


def _kind(n: int) -> str:
    """What resource ``n`` (on host ``n % 10``) is: each host gets its share of each kind."""
    return {0: "missing", 1: "mislabelled", 2: "slow"}.get((n // len(HOSTS)) % 20, "good")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _answer(self, body_wanted: bool) -> None:
        host = self.server.server_address[0]
        stats = self.server.stats
        with stats["lock"]:
            stats["served"] += 1
            stats["inflight"][host] += 1
            stats["peak"][host] = max(stats["peak"][host], stats["inflight"][host])
        try:
            self._send(body_wanted)
        finally:
            with stats["lock"]:
                stats["inflight"][host] -= 1

    def _send(self, body_wanted: bool) -> None:
        if self.path == "/stats":
            stats = self.server.stats
            body = json.dumps({"served": stats["served"], "peak": dict(stats["peak"])}).encode()
        else:
            kind = _kind(int(self.path.strip("/").split(".")[0]))
            if kind == "slow":
                self.server.stop.wait(SLOW_SECONDS)
            if kind == "missing":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = PAGE if kind == "mislabelled" else GOOD
            ranged = self.headers.get("Range", "").removeprefix("bytes=0-")
            if ranged.isdigit() and int(ranged) + 1 < len(body):
                body = body[:int(ranged) + 1]
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body_wanted:
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)


def _serve(port: int, ready) -> None:
    stats = {"lock": threading.Lock(), "served": 0, "inflight": collections.Counter(),
             "peak": collections.Counter()}
    stop = threading.Event()
    for host in HOSTS:
        server = ThreadingHTTPServer((host, port), _Handler)
        server.daemon_threads = True
        server.stats, server.stop = stats, stop
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    stop.wait()


def _stats(port: int) -> dict:
    import requests
    return requests.get(f"http://{HOSTS[0]}:{port}/stats", timeout=5).json()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _get(url: str) -> None:
    import requests
    with contextlib.suppress(requests.RequestException):
        requests.get(url, timeout=1.0).content  # noqa: B018


def _baseline(urls: list[str], threads: int = 1) -> float:
    from concurrent.futures import ThreadPoolExecutor

    started = time.monotonic()
    if threads == 1:
        for url in urls:
            _get(url)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(_get, urls))
    return time.monotonic() - started


def _counting_throttle(checker, peaks: collections.Counter):
    """The checker's own HostThrottle, counting the requests it lets through at once per host
    (the server cannot: it still holds a slow request the client has given up on)."""
    lock, inside = threading.Lock(), collections.Counter()

    class Counting(checker.HostThrottle):
        @contextlib.contextmanager
        def slot(self, host):
            with super().slot(host):
                with lock:
                    inside[host] += 1
                    peaks[host] = max(peaks[host], inside[host])
                try:
                    yield
                finally:
                    with lock:
                        inside[host] -= 1
    return Counting


def _checker(resources: list[dict], peaks: collections.Counter
             ) -> tuple[float, float, collections.Counter, list[float]]:
    from ckanext.longan_opendata.linkcheck import checker, jobs

    checker.HostThrottle = _counting_throttle(checker, peaks)

    settings = checker.Settings(timeout=1.0, per_host=2, interval=0.0, max_bytes=1_000_000,
                                max_redirects=5, workers=32)
    statuses: collections.Counter = collections.Counter()
    rss: list[float] = []
    quarter = max(1, len(resources) // 4)
    started, cpu = time.monotonic(), time.process_time()
    for done, (_res, result) in enumerate(jobs.check_resources(resources, settings), 1):
        statuses[result["status"]] += 1
        if done % quarter == 0:
            rss.append(_rss_mb())
    return time.monotonic() - started, time.process_time() - cpu, statuses, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()

    import ckan.plugins.toolkit as tk
    from ckan.cli import load_config

    tk.config.update(load_config(args.config))
    tk.config["ckanext.longan_opendata.ssrf.allowed_hosts"] = "127.0.0.0/8"
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(args.port, ready), daemon=True)
    server.start()
    ready.wait(10)
    urls = [f"http://{HOSTS[i % len(HOSTS)]}:{args.port}/{i}.csv" for i in range(args.resources)]
    resources = [{"id": str(i), "package_id": "p", "url": url, "url_type": "", "format": "CSV",
                  "datastore_active": False} for i, url in enumerate(urls)]
    print(f"{args.resources} resources on {len(HOSTS)} hosts: 85% good, 5% 404, "
          f"5% mislabelled, 5% slow ({SLOW_SECONDS:g} s, timeout 1 s)")
    rss_start = _rss_mb()
    served_before = _stats(args.port)["served"]
    peaks: collections.Counter = collections.Counter()
    wall, cpu, statuses, rss = _checker(resources, peaks)
    served = _stats(args.port)["served"] - served_before - 1
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"checker : {wall:7.2f} s  {args.resources / wall:7.1f} resources/s  "
          f"{served / wall:7.1f} HTTP requests/s ({served} requests), "
          f"CPU {1000 * cpu / args.resources:.1f} ms/resource")
    print(f"          peak requests at once per host: {max(peaks.values())} (cap 2); "
          f"statuses {dict(statuses)}")
    base = _baseline(urls)
    print(f"baseline: {base:7.2f} s  {args.resources / base:7.1f} resources/s "
          "(sequential requests.get, no format check)")
    print(f"speed-up: {base / wall:.1f}x")
    free = _baseline(urls, threads=32)
    print(f"no cap  : {free:7.2f} s  {args.resources / free:7.1f} resources/s "
          "(32 threads of requests.get, no per-host cap, no format check)")
    print("peak RSS (MB) at start, then after each quarter: "
          + "  ".join(f"{value:.0f}" for value in [rss_start, *rss]))
    server.terminate()


if __name__ == "__main__":
    main()
