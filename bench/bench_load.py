"""A bounded load test of the portal as deployed (issue 14 item 3): 50 anonymous clients for 60 s
over search pages, dataset pages and ``datastore_search``, while a steward saves a draft again and
again and the demo shared database is harvested; goal: 0 errors.

    scripts/services.sh start      # PostgreSQL, Redis; nginx-light from Debian
    apt-get install wrk            # the load generator (Debian package ``wrk``)
    .venv/bin/python bench/bench_load.py --name load --solr-port 8987 --redis-db 10 \\
        [--duration 60] [--connections 50] [--workers 4] [--datasets 1000] [--no-baseline]

One run, all on loopback:

1. the bench databases of ``bench/bench_portal.py`` (``longan_ckan_bench_NAME``…, the core
   ``ckan`` of a Solr on ``--solr-port``, Redis databases ``--redis-db`` and the next; never the
   portal's nor the tests'), its synthetic catalogue (``--datasets``, resumable), the demo
   catalogue (``ckan longan load-demo``: agencies, datasets with DataStore tables), a sysadmin and
   a steward (editor of an agency, API tokens) with a draft, and the demo shared database
   ``longan_shared_bench_NAME`` (``ckan longan seed-shared-db``);
2. gunicorn (``--workers``) serving the portal behind Debian's nginx with the deployed rules
   (``deploy/nginx/cache-rules.conf``, through ``tests/nginx.py`` as ``bench/bench_cache.py``);
3. for ``--duration`` seconds, one ``wrk`` per kind of page at once (``bench/wrk_rotate.lua``
   rotates over real paths; the ``--connections`` are shared among them): search pages with
   Vietnamese no-accent queries, dataset pages, ``datastore_search`` on real resource ids. At the
   same time the steward saves the draft (``package_patch`` with an API token, one save a second)
   and ``ckan longan demo-harvest`` harvests the shared database and the LGSP demo service (its
   in-process stages; the sources are emptied first with ``harvest_source_clear``, so it imports
   all of their datasets and DataStore tables again);
4. the same load straight to gunicorn, without nginx, as the baseline (``--no-baseline`` skips
   it); the ratios nginx/direct are printed.

Printed per kind: requests, errors (statuses >= 400 and socket errors), median and p95; the
steward's saves (count, errors, p95), the harvest (exit status, time, what it did) and the load
average. The results also go to ``.run/bench/NAME/load-results.json``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.bench_portal import QUERIES, load_catalogue, prepare  # noqa: E402
from tests.nginx import serve_nginx  # noqa: E402  (the deployed rules, as bench_cache)
from tests.served import LOGGING, free_port, serve_portal  # noqa: E402

BIN = Path(sys.executable).parent
LUA = Path(__file__).with_name("wrk_rotate.lua")
SECRETS = ROOT / ".run" / "shared-db.env"
ADMIN, STEWARD, DRAFT = "bench-load-admin", "bench-load-steward", "bench-load-ban-nhap"
KINDS = ("search page", "dataset page", "datastore_search")


# xloader logs a CRITICAL line per resource created without its API token (no xloader worker
# runs in the bench): not shown
QUIET_XLOADER = LOGGING.replace("keys = root\n", "keys = root, xloader\n", 1).replace(
    "keys = console\n", "keys = console, null\n", 1) + """
[logger_xloader]
level = CRITICAL
handlers = null
propagate = 0
qualname = ckanext.xloader
[handler_null]
class = NullHandler
args = ()
"""

# ---------------------------------------------------------------------------------------------
# 1. content and people


def config(ours_ini: Path, name: str) -> Path:
    """``ours.ini`` of bench_portal plus the bench's own demo shared database."""
    ini = ours_ini.with_name("load.ini")
    ini.write_text(f"[app:main]\nuse = config:{ours_ini}\n"
                   "ckanext.longan_opendata.shared_db.url = "
                   f"postgresql://longan_shared_owner@127.0.0.1:5432/longan_shared_bench_{name}\n"
                   + QUIET_XLOADER)
    return ini


def populate(ini: Path) -> dict[str, str]:
    """Demo catalogue, sysadmin, steward and draft, API tokens (idempotent); the shared
    database seeded. Returns the tokens and the draft's id."""
    from ckan import model
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    app = make_app(CKANConfigLoader(str(ini)).get_config())
    import ckan.plugins.toolkit as tk

    from ckanext.longan_opendata.demo import catalogue, series, shared_db

    with app._wsgi_app.test_request_context():
        site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"],
                "ignore_auth": True}
        for user in (ADMIN, STEWARD):
            if not model.User.get(user):
                tk.get_action("user_create")(dict(site), {
                    "name": user, "email": f"{user}@longan.invalid",
                    "password": "Bench-Load-2026!"})
        admin = model.User.get(ADMIN)
        if not admin.sysadmin:
            admin.sysadmin = True
            model.repo.commit()
        catalogue.load(ADMIN, echo=lambda _m: None)
        series.ensure_series(ADMIN, echo=lambda _m: None)
        spec = catalogue.SPECS[0]
        tk.get_action("organization_member_create")(dict(site), {
            "id": spec.org, "username": STEWARD, "role": "editor"})
        if not model.Package.get(DRAFT):
            tk.get_action("package_create")({"user": STEWARD}, {
                **catalogue.dataset_dict(spec), "name": DRAFT,
                "title": "Bản nháp của cán bộ (bench tải)"})
        got = {"draft": model.Package.get(DRAFT).id}
        for user in (ADMIN, STEWARD):
            got[user] = tk.get_action("api_token_create")(
                {"user": user}, {"user": user, "name": "bench-load"})["token"]
        db_url = tk.config["ckanext.longan_opendata.shared_db.url"]
    shared_db.ensure_roles(SECRETS)
    shared_db.seed(db_url, secrets_file=str(SECRETS), echo=lambda _m: None)
    return got


def targets(base: str) -> dict[str, list[str]]:
    """Real paths of each kind: every dataset's page, search pages with no-accent queries (first
    and second page, an agency facet), ``datastore_search`` on every DataStore table."""
    names, tables, orgs, start = [], [], set(), 0
    while True:
        found = requests.get(base + "/api/3/action/package_search", timeout=120, params={
            "rows": 1000, "start": start}).json()["result"]
        for pkg in found["results"]:
            names.append(pkg["name"])
            orgs.add(pkg.get("organization", {}).get("name", ""))
            tables += [r["id"] for r in pkg["resources"] if r.get("datastore_active")]
        start += 1000
        if start >= found["count"]:
            break
    queries = [q.replace(" ", "+") for q in QUERIES]
    search = ([f"/dataset/?q={q}" for q in queries] + [f"/dataset/?q={q}&page=2" for q in queries]
              + [f"/dataset/?q={q}&organization={o}" for q in queries[:3] for o in sorted(orgs)
                 if o])
    datastore = [f"/api/3/action/datastore_search?resource_id={t}&limit=20&offset={k * 20}"
                 for t in tables for k in range(3)]
    datastore += [f"/api/3/action/datastore_search?resource_id={t}&q={q}" for t in tables
                  for q in ("tan+an", "duc+hoa")]
    return {"search page": search, "dataset page": [f"/dataset/{n}" for n in names],
            "datastore_search": datastore}


# ---------------------------------------------------------------------------------------------
# 2-3. one phase: anonymous load, steward, harvest


def steward_saves(base: str, token: str, draft: str, stop: threading.Event) -> dict[str, Any]:
    """Save the draft (``package_patch``) about once a second until ``stop``."""
    session, times, errors, count = requests.Session(), [], [], 0
    while not stop.is_set():
        count += 1
        started = time.perf_counter()
        try:
            answer = session.post(base + "/api/3/action/package_patch", timeout=120,
                                  headers={"Authorization": token},
                                  json={"id": draft, "notes": f"Lưu lần {count} khi cổng tải."})
            if answer.status_code != 200 or not answer.json().get("success"):
                errors.append(f"{answer.status_code} {answer.text[:300]}")
        except requests.RequestException as error:
            errors.append(repr(error)[:300])
        times.append((time.perf_counter() - started) * 1000)
        stop.wait(1.0)
    return {"saves": count, "errors": len(errors), "error_samples": errors[:3],
            "median_ms": statistics.median(times) if times else 0.0,
            "p95_ms": _pct(times, 0.95) if times else 0.0}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def clear_harvest(base: str, token: str) -> None:
    """Empty the demo sources (``harvest_source_clear``: their datasets, jobs and objects) so
    that each phase's harvest imports everything again instead of finding it unchanged."""
    from ckanext.longan_opendata.demo.cli import demo_sources

    for name in (source[0] for source in demo_sources("", "")):
        shown = requests.get(base + "/api/3/action/harvest_source_show", params={"id": name},
                             headers={"Authorization": token}, timeout=120)
        if shown.status_code == 404:
            continue  # not registered yet: the first harvest creates it
        cleared = requests.post(base + "/api/3/action/harvest_source_clear", timeout=300,
                                headers={"Authorization": token},
                                json={"id": shown.json()["result"]["id"]})
        if cleared.status_code != 200:
            raise SystemExit(f"cannot clear the source {name}: {cleared.text[:500]}")


def start_harvest(ini: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "ckan"), "-c", str(ini), "longan", "demo-harvest", "--user", ADMIN,
         "--lgsp-url", f"http://127.0.0.1:{free_port()}", "--secrets-file", str(SECRETS)],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)


def phase(label: str, base: str, paths: dict[str, list[str]], people: dict[str, str],
          ini: Path, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``args.duration`` seconds of anonymous load on ``base`` with the steward and a harvest."""
    share = {kind: args.connections // len(KINDS) + (i < args.connections % len(KINDS))
             for i, kind in enumerate(KINDS)}
    files = {}
    for kind, listed in paths.items():
        files[kind] = folder / f"paths-{kind.replace(' ', '-')}.txt"
        files[kind].write_text("\n".join(listed) + "\n")
    print(f"[load] {label}: {args.duration} s, {share} connections, steward and harvest",
          flush=True)
    clear_harvest(base, people[ADMIN])
    load_before = os.getloadavg()
    harvest_log = folder / f"harvest-{label}.log"
    harvest, harvest_started = start_harvest(ini, harvest_log), time.monotonic()
    stop = threading.Event()
    steward: dict[str, Any] = {}
    saver = threading.Thread(target=lambda: steward.update(steward_saves(
        base, people[STEWARD], people["draft"], stop)))
    saver.start()
    loaders = {kind: subprocess.Popen(
        ["wrk", "-t1", f"-c{share[kind]}", f"-d{args.duration}s", "--timeout", "60s",
         "-s", str(LUA), base, "--", str(files[kind])],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for kind in KINDS}
    outputs = {kind: proc.communicate()[0] for kind, proc in loaders.items()}
    load_during = os.getloadavg()
    stop.set()
    saver.join()
    try:
        code = harvest.wait(timeout=args.harvest_timeout)
    except subprocess.TimeoutExpired:
        harvest.kill()
        code = harvest.wait()
    harvest_seconds = time.monotonic() - harvest_started
    kinds = {}
    for kind, out in outputs.items():
        line = next((x for x in out.splitlines() if x.startswith('{"requests"')), None)
        if line is None:
            raise SystemExit(f"wrk gave no figures for {kind}:\n{out}")
        got = json.loads(line)
        got["errors"] = got["status"] + got["connect"] + got["read"] + got["write"] + \
            got["timeout"]
        got["rps"] = got["requests"] / got["seconds"]
        kinds[kind] = got
    done = [x for x in harvest_log.read_text().splitlines() if x.startswith(
        ("csdl-dung-chung", "lgsp-long-an"))]
    return {"kinds": kinds, "steward": steward, "loadavg_before": load_before,
            "loadavg_end": load_during, "connections": share,
            "harvest": {"exit": code, "seconds": harvest_seconds, "result": done,
                        "log": str(harvest_log)}}


# ---------------------------------------------------------------------------------------------
# 4. report


def report(results: dict[str, Any]) -> None:
    for label, got in results["phases"].items():
        print(f"\n{label}: {got['connections']} connections for "
              f"{results['duration']} s; load average before "
              f"{' '.join(f'{x:.2f}' for x in got['loadavg_before'])}, at the end "
              f"{' '.join(f'{x:.2f}' for x in got['loadavg_end'])}")
        print(f"  {'kind':18} {'requests':>9} {'req/s':>8} {'errors':>7} {'median ms':>10} "
              f"{'p95 ms':>9} {'p99 ms':>9}  cache / statuses >= 400")
        for kind, k in got["kinds"].items():
            print(f"  {kind:18} {k['requests']:9d} {k['rps']:8.1f} {k['errors']:7d} "
                  f"{k['p50']:10.1f} {k['p95']:9.1f} {k['p99']:9.1f}  {k['cache']} {k['bad']}"
                  + (f" socket: connect {k['connect']} read {k['read']} write {k['write']} "
                     f"timeout {k['timeout']}" if k["errors"] > k["status"] else ""))
        st, hv = got["steward"], got["harvest"]
        print(f"  steward saves (package_patch): {st['saves']} saves, {st['errors']} errors, "
              f"median {st['median_ms']:.0f} ms, p95 {st['p95_ms']:.0f} ms"
              + (f" {st['error_samples']}" if st["errors"] else ""))
        print(f"  harvest (ckan longan demo-harvest): "
              f"{'finished OK' if hv['exit'] == 0 else 'FAILED, exit ' + str(hv['exit'])} in "
              f"{hv['seconds']:.0f} s; {' | '.join(hv['result'])}")
    phases = results["phases"]
    if "nginx" in phases and "direct" in phases:
        print("\nratio nginx / direct gunicorn (same load, same run; req/s > 1 and p95 < 1 "
              "favour nginx)")
        for kind in KINDS:
            a, b = phases["nginx"]["kinds"][kind], phases["direct"]["kinds"][kind]
            print(f"  {kind:18} req/s x{a['rps'] / b['rps']:.2f}   p95 x{a['p95'] / b['p95']:.2f}"
                  f" ({a['p95']:.0f} vs {b['p95']:.0f} ms)")
    errors = sum(k["errors"] for p in phases.values() for k in p["kinds"].values()) + sum(
        p["steward"]["errors"] + (p["harvest"]["exit"] != 0) for p in phases.values())
    print(f"\nerrors in all: {errors} (goal 0)")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers on a kill too
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="load", help="suffix of the bench databases")
    parser.add_argument("--solr-port", type=int, default=8990)
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--datasets", type=int, default=1000,
                        help="synthetic datasets of bench_portal besides the demo catalogue")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--harvest-timeout", type=int, default=900)
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without nginx")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"{tool} is missing: apt-get install wrk nginx-light")

    print(f"[load] preparing databases, Solr :{args.solr_port}, configs", flush=True)
    ours, _stock = prepare(args.name, args.solr_port, args.redis_db)
    folder = ours.parent
    load_catalogue(ours, args.datasets, 2)
    ini = config(ours, args.name)
    print("[load] demo catalogue, people, shared database", flush=True)
    people = populate(ini)
    results: dict[str, Any] = {"duration": args.duration, "workers": args.workers, "phases": {}}
    with contextlib.ExitStack() as stack:
        (folder / "web").mkdir(exist_ok=True)
        upstream = stack.enter_context(serve_portal(ini, folder / "web", workers=args.workers))
        proxied = stack.enter_context(serve_nginx(upstream, folder / "nginx", free_port()))
        clear_harvest(upstream, people[ADMIN])  # harvested datasets come and go: not targets
        paths = targets(upstream)
        results["targets"] = {kind: len(listed) for kind, listed in paths.items()}
        print(f"[load] gunicorn {upstream} ({args.workers} workers), nginx {proxied}; paths "
              f"{results['targets']}", flush=True)
        for path in (p for listed in paths.values() for p in listed[:3]):
            requests.get(proxied + path, timeout=120)  # templates compiled in each kind
        results["phases"]["nginx"] = phase("nginx", proxied, paths, people, ini, folder, args)
        if not args.no_baseline:
            results["phases"]["direct"] = phase("direct", upstream, paths, people, ini, folder,
                                                args)
    (folder / "load-results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    report(results)


if __name__ == "__main__":
    main()
