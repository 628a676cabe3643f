"""Anonymous dataset-page throughput through a caching nginx: the portal against stock CKAN
(issue 13 item 4, goal >= 20x).

    scripts/services.sh start      # PostgreSQL, Redis, Solr; nginx-light and wrk from Debian
    .venv/bin/python bench/bench_cache.py --ini test-NAME.ini [--duration 10] [--repeats 2]

One run, same machine, same databases and Solr core (those of ``--ini``), same nginx
(``deploy/nginx/cache-rules.conf``, one server block per upstream on loopback ports):

- ``ours``: the portal (``ckanext.longan_opendata.cache.max_age = 60``);
- ``stock``: the same CKAN with core plugins only (``activity datastore datatables_view``,
  as in ``bench/bench_portal.py``): its anonymous pages are ``private`` with a session cookie,
  so nginx passes every request through;
- ``ours-nocache``: the portal with ``cache.max_age = 0`` (what the cache alone brings).

Each is served by gunicorn (2 workers). ``wrk`` (2 threads, ``--connections``) loads one
dataset page through nginx for ``--duration`` seconds, ``--repeats`` times interleaved; the
median requests/s, the ratios and nginx's cache status are printed. The datasets are created
once in the databases of ``--ini`` (a published dataset ``bench-cache-dataset`` and its agency).
"""
from __future__ import annotations

import argparse
import contextlib
import re
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.nginx import serve_nginx  # noqa: E402  (the tests' nginx, the deployed rules)
from tests.served import free_port, serve_portal  # noqa: E402

STOCK_PLUGINS = "activity datastore datatables_view"
DATASET = "bench-cache-dataset"
SERVERS = {
    "ours": "ckanext.longan_opendata.cache.max_age = 60\n",
    "stock": f"ckan.plugins = {STOCK_PLUGINS}\n",
    "ours-nocache": "ckanext.longan_opendata.cache.max_age = 0\n",
}


def seed(ini: Path) -> None:
    """A published dataset with a resource, created once (through ``package_create``)."""
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(str(ini)).get_config())
    with app._wsgi_app.test_request_context():
        if model.Package.get(DATASET):
            return
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        if not model.Group.get("bench-cache-agency"):
            tk.get_action("organization_create")({"user": site_user}, {
                "name": "bench-cache-agency", "title": "Cục Thống kê (bench)"})
        tk.get_action("package_create")(
            {"user": site_user, "longan_workflow_state": "published"},
            {"name": DATASET, "title": "Dân số trung bình phân theo huyện",
             "notes": "Dân số trung bình hằng năm của các huyện, xã.",
             "owner_org": "bench-cache-agency", "license_id": "CC-BY-4.0",
             "contains_personal_data": "no",
             "resources": [{"url": "http://127.0.0.1:9/dan-so.csv", "format": "CSV",
                            "name": "Dân số"}]})


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    # a 60 s timeout: a slow page counts in the figures instead of vanishing as a timeout
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s",
                          "--latency", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    med = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[med.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return {"rps": rps, "median_ms": float(med.group(1)) * scale,
            "errors": (int(non2xx.group(1)) if non2xx else 0)
            + (sum(int(n) for n in socket.groups()) if socket else 0)}


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on a kill too
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ini", default=str(ROOT / "test.ini"))
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    ini = Path(args.ini).resolve()
    seed(ini)
    work = Path(tempfile.mkdtemp(prefix="longan-bench-cache-"))
    results: dict[str, list[dict[str, float]]] = {label: [] for label in SERVERS}
    with contextlib.ExitStack() as stack:
        ports = {}
        for label, extra in SERVERS.items():
            (work / label).mkdir()
            upstream = stack.enter_context(serve_portal(ini, work / label, workers=2,
                                                        extra_config=extra))
            ports[free_port()] = upstream
        first, *others = ports.items()
        stack.enter_context(serve_nginx(first[1], work / "nginx", first[0], dict(others)))
        urls = {label: f"http://127.0.0.1:{port}/dataset/{DATASET}"
                for label, port in zip(SERVERS, ports, strict=True)}
        for label, url in urls.items():
            requests.get(url, timeout=60).raise_for_status()  # warm up, fill the cache
            status = requests.get(url, timeout=60).headers.get("X-Cache-Status")
            print(f"{label:13s} {url}  second request: X-Cache-Status {status}", flush=True)
        for _ in range(args.repeats):
            for label, url in urls.items():
                results[label].append(wrk(url, args.duration, args.connections))
    report(results, args)


def report(results: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> None:
    medians = {label: statistics.median(r["rps"] for r in runs) for label, runs in results.items()}
    print(f"\nanonymous dataset page through nginx ({args.repeats} x {args.duration} s, "
          f"{args.connections} connections, gunicorn 2 workers each)")
    for label, runs in results.items():
        latency = statistics.median(r["median_ms"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        print(f"  {label:13s} {medians[label]:10.1f} req/s   median {latency:8.2f} ms   "
              f"errors {errors}")
    print(f"  ratio ours/stock          {medians['ours'] / medians['stock']:8.1f}x  (goal >= 20)")
    print(f"  ratio ours/ours-nocache   {medians['ours'] / medians['ours-nocache']:8.1f}x")


if __name__ == "__main__":
    main()
