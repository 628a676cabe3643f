"""Bulk load rate of the portal against stock CKAN's own ``package_create`` (issue #13 item 5).

    .venv/bin/python bench/bench_bulk_load.py --name bulk --solr-port 8995 --redis-db 12 \\
        [--count 300] [--rounds 2] [--workers 1] [--profile 0]

Both sides load through the same loader (:func:`ckanext.longan_opendata.ops.bulk_load.load`:
``package_create`` per dataset, one database commit and one Solr update request per batch of
100), into the same databases and Solr core: ``bench_portal.py``'s configs ``stock.ini`` (core
plugins) and ``ours.ini`` (the portal's plugins, published through the workflow's trusted path)
of a bench of its own, ``NAMErate`` (its databases are dropped and its Solr documents deleted at
the end, so the catalogue of ``NAME`` is untouched). Stock gets the same payload as ours, the
portal's fields as extras. Rounds alternate stock and ours (fresh processes; the clock starts
once CKAN is up), so other load on the machine hits both alike; printed: datasets/s, ratio
ours/stock, CPU per dataset of the loaders and of their PostgreSQL backends, SQL statements per
dataset, load average.

``--profile N`` also loads N datasets of ours in one process under cProfile and prints the top
functions (cumulative) with the SQL statement count.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.bench_portal import _as_postgres, _dataset, _unit_pool, agencies, prepare  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
#: the portal's fields of a bench dataset, given to stock as extras
PORTAL_FIELDS = ("contains_personal_data", "theme", "frequency", "temporal_start",
                 "temporal_end", "spatial_units", "contact_points")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (``/proc/PID/stat``); 0 when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _statement_line(sql: str) -> str:
    """A statement's verb and table, and the CKAN or portal functions that issued it."""
    import traceback

    words = " ".join(sql.split())
    table = words.split(" FROM ", 1)[-1][:60] if words.startswith("SELECT") else words[:40]
    callers = [f"{Path(f.filename).stem}.{f.name}" for f in traceback.extract_stack()[:-1]
               if ("/ckan" in f.filename or "/harvesters/" in f.filename)
               and "sqlalchemy" not in f.filename][-3:]
    return f"{words[:12]}… {table} <- {' < '.join(reversed(callers))}"


def stock_dataset(data: dict) -> dict:
    """The bench dataset as stock CKAN takes it: the portal's fields as extras."""
    extras = [{"key": key, "value": value if isinstance(value, str) else json.dumps(
        value, ensure_ascii=False)} for key, value in data.items() if key in PORTAL_FIELDS]
    return {**{k: v for k, v in data.items() if k not in PORTAL_FIELDS}, "extras": extras}


def child(side: str, ini: Path, prefix: str, first: int, count: int, profile: bool) -> None:
    """Load ``count`` datasets named ``PREFIX-…`` with ``ini``'s plugins; print JSON figures."""
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    conf = CKANConfigLoader(str(ini)).get_config()
    conf["ckan.search.solr_commit"] = "false"
    app = make_app(conf)
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    from ckan import model

    from ckanext.longan_opendata import workflow as wf
    from ckanext.longan_opendata.ops import bulk_load

    if side == "before":  # ours without the index shortcuts: history, link results, dictize
        import contextlib

        from ckanext.longan_opendata.ops import index_documents
        from ckanext.longan_opendata.quality import links

        wf.history_left_out = contextlib.nullcontext
        links.prefetched = lambda _ids: contextlib.nullcontext()
        index_documents._dictized_from_session = lambda _ids: contextlib.nullcontext()
    with app._wsgi_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        orgs = agencies(site_user)
        pool = _unit_pool()
        backend = model.Session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        model.Session.commit()
        statements = [0]

        def on_statement(*_args: object) -> None:
            statements[0] += 1

        sa.event.listen(model.meta.engine, "before_cursor_execute", on_statement)
        if os.environ.get("BULK_SQL_LOG"):  # every statement's text, to see what each one is
            log = open(os.environ["BULK_SQL_LOG"], "a")  # noqa: SIM115 (the process's life)
            sa.event.listen(model.meta.engine, "before_cursor_execute",
                            lambda _c, _cur, sql, *_a: log.write(_statement_line(sql) + "\n"))
        records = []
        for i in range(first, first + count):
            data = {**_dataset(i, orgs, pool), "name": f"{prefix}-{i:06d}"}
            records.append((i, stock_dataset(data) if side == "stock" else data))
        options = {} if side == "stock" else {"state": wf.PUBLISHED}
        profiler = cProfile.Profile() if profile else None
        cpu, pg_cpu, started = time.process_time(), _cpu_seconds(backend), time.time()
        if profiler:
            profiler.enable()
        report = bulk_load.load(records, site_user, new_package_activity=False, **options)
        if profiler:
            profiler.disable()
        ended = time.time()
        got = {"side": side, "created": len(report.created), "errors": report.errors[:2],
               "started": started, "ended": ended, "cpu": time.process_time() - cpu,
               "pg_cpu": _cpu_seconds(backend) - pg_cpu, "statements": statements[0]}
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.dump_stats(f"/tmp/bulk-profile-{side}.pstats")
        stats.sort_stats("cumulative").print_stats(45)
        print(out.getvalue()[-9000:], file=sys.stderr)
    print("RESULT " + json.dumps(got, default=str), flush=True)


def run_side(side: str, ini: Path, prefix: str, first: int, count: int, workers: int,
             profile: bool = False) -> dict:
    """``workers`` loader processes at once, ``count`` datasets in all."""
    share = [count // workers + (k < count % workers) for k in range(workers)]
    starts = [first + sum(share[:k]) for k in range(workers)]
    procs = [subprocess.Popen(
        [sys.executable, __file__, "--child", side, str(ini), prefix, str(starts[k]),
         str(share[k]), "1" if profile else "0"], stdout=subprocess.PIPE, text=True)
        for k in range(workers)]
    results = []
    for proc in procs:
        out = proc.communicate()[0]
        line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            raise SystemExit(f"{side} loader failed:\n{out[-3000:]}")
        results.append(json.loads(line[7:]))
    if any(r["errors"] for r in results):
        raise SystemExit(f"{side}: datasets refused: {results[0]['errors']}")
    created = max(1, sum(r["created"] for r in results))
    seconds = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {"side": side, "created": created, "seconds": seconds,
            "per_second": created / seconds, "workers": workers,
            "cpu_ms": 1000 * sum(r["cpu"] for r in results) / created,
            "pg_cpu_ms": 1000 * sum(r["pg_cpu"] for r in results) / created,
            "statements": sum(r["statements"] for r in results) / created,
            "loadavg": os.getloadavg()[0]}


def _line(got: dict) -> str:
    return (f"{got['side']:6} {got['created']:5d} datasets in {got['seconds']:6.1f} s = "
            f"{got['per_second']:5.1f}/s ({got['workers']} processes); CPU per dataset: "
            f"loader {got['cpu_ms']:4.0f} ms, its PostgreSQL backend {got['pg_cpu_ms']:4.0f} "
            f"ms; {got['statements']:.1f} SQL statements per dataset; load avg "
            f"{got['loadavg']:.1f}")


def clean_up(name: str, solr_port: int) -> None:
    """Drop the rate bench's databases and delete its documents from the shared Solr core."""
    import requests

    requests.post(f"http://127.0.0.1:{solr_port}/solr/ckan/update?commit=true", timeout=120,
                  json={"delete": {"query": f'site_id:"longan_bench_{name}"'}}).raise_for_status()
    for db in (f"longan_ckan_bench_{name}", f"longan_datastore_bench_{name}"):
        _as_postgres("dropdb", "--if-exists", "--force", db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="bulk", help="the bench; NAMErate is this one's")
    parser.add_argument("--solr-port", type=int, default=8995)
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--count", type=int, default=300, help="datasets per side and round")
    parser.add_argument("--rounds", type=int, default=2, help="stock, ours, stock, ours…")
    parser.add_argument("--sides", default="stock,ours",
                        help="in each round, in this order: stock, ours, before (ours without "
                             "the bulk index shortcuts)")
    parser.add_argument("--workers", type=int, default=1, help="loader processes per side")
    parser.add_argument("--profile", type=int, default=0, help="datasets of the cProfile run")
    parser.add_argument("--keep", action="store_true", help="keep the rate bench's databases")
    args = parser.parse_args()
    name = f"{args.name}rate"
    print(f"[rate] preparing the bench {name} (Solr :{args.solr_port})", flush=True)
    ours_ini, stock_ini = prepare(name, args.solr_port, args.redis_db)
    stamp = time.strftime("%H%M%S")
    runs: dict[str, list[dict]] = {side: [] for side in args.sides.split(",")}
    try:
        run_side("ours", ours_ini, "setup", 0, 0, 1)  # the agencies, once
        for rnd in range(args.rounds):
            for side in args.sides.split(","):
                ini = stock_ini if side == "stock" else ours_ini
                got = run_side(side, ini, f"r{stamp}-{side}", rnd * args.count, args.count,
                               args.workers)
                runs[side].append(got)
                print(f"[rate] round {rnd + 1}: " + _line(got), flush=True)
        if args.profile:
            got = run_side("ours", ours_ini, f"p{stamp}-ours", 0, args.profile, 1, True)
            print("[rate] profiled: " + _line(got), flush=True)
    finally:
        if not args.keep:
            clean_up(name, args.solr_port)
    rates = {side: statistics.median(r["per_second"] for r in got)
             for side, got in runs.items() if got}
    print(f"\nload rate (median of {args.rounds} rounds, {args.workers} processes): "
          + ", ".join(f"{side} {rate:.1f}/s" for side, rate in rates.items())
          + "".join(f"; {side}/stock {rate / rates['stock']:.2f}" for side, rate in rates.items()
                    if side != "stock" and "stock" in rates)
          + "; load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]),
              sys.argv[7] == "1")
    else:
        main()
