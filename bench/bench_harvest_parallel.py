"""First harvest of many small tables over real consumer processes: two fetch consumers against
one (issue 13, item 3), both measured in the same run.

    .venv/bin/python bench/bench_harvest_parallel.py -c test-NAME.ini [--tables 200] [--rounds 1]

Uses the CKAN and DataStore databases, Solr core and Redis dbs of the given config (run it on a
sandbox, not while its tests run). Each measure creates ``--tables`` fresh tables in the demo
shared database (``bench/bench_harvest.py``'s ``longan_shared_bench_<site>``) and a fresh source
for them, starts ``ckan harvester gather-consumer`` and N ``fetch-consumer`` processes (their
start is not timed), queues the job and times it until the last object is settled and
``harvest_jobs_run`` has finished the job. The measures alternate (1, 2, 2, 1, …) with
``--rounds`` > 1. Each run is checked: ``--tables`` datasets, DataStore tables and COMPLETE
objects, no ERROR, each dataset created once. Prints the times, per table, the ratio
one/two consumers (goal >= 1.7) and the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_harvest import SECRETS, _db_name, _setup  # noqa: E402

ONE_IMPORT = ["longan workflow package", "new package"]  # a dataset's creation and publication


def _make_tables(shared_name: str, schema: str, count: int) -> None:
    """``count`` tables of 100 rows in a new schema ``schema`` of the shared database."""
    from ckanext.longan_opendata.demo import shared_db

    conn = shared_db.connect(shared_db.owner_url(shared_name), str(SECRETS))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; "
                    f"GRANT USAGE ON SCHEMA {schema} TO longan_shared_reader")
        for i in range(count):
            cur.execute(f"CREATE TABLE {schema}.bang_{i:03d} AS SELECT g AS stt, "
                        f"'Xã số ' || g AS ten_xa, {i} * g AS gia_tri, DATE '2024-01-01' + g "
                        "AS ngay FROM generate_series(1, 100) g")
        cur.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO longan_shared_reader")
    conn.close()


def _ensure_shared_database(shared_name: str) -> None:
    """The demo shared database, seeded (small) only when it does not exist yet."""
    import psycopg2

    from ckanext.longan_opendata.demo import shared_db

    try:
        shared_db.connect(shared_db.owner_url(shared_name), str(SECRETS)).close()
    except psycopg2.OperationalError:
        shared_db.seed(shared_db.owner_url(shared_name), rows=1000, secrets_file=str(SECRETS),
                       echo=lambda _m: None)


def _drop_schema(shared_name: str, schema: str) -> None:
    from ckanext.longan_opendata.demo import shared_db

    conn = shared_db.connect(shared_db.owner_url(shared_name), str(SECRETS))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    conn.close()


def _settled(job_id: str) -> tuple[int, int]:
    """(objects of the job, those not WAITING/FETCH/IMPORT any more), one SQL query."""
    import sqlalchemy as sa
    from ckan import model

    row = model.Session.execute(
        sa.text("SELECT count(*), count(*) FILTER (WHERE state IN ('COMPLETE', 'ERROR')) "
                        "FROM harvest_object WHERE harvest_job_id = :j"), {"j": job_id}).one()
    model.Session.rollback()
    return row[0], row[1]


def one_measure(tk, user, org_id: str, ini: str, shared_name: str, tables: int, fetch: int,
                profile_dir: Path | None = None) -> dict:
    """A first harvest of ``tables`` new tables over ``fetch`` fetch consumers, checked."""
    from ckan import model
    from ckanext.harvest import model as harvest_model

    from ckanext.longan_opendata.demo import shared_db
    from ckanext.longan_opendata.harvesters.consumer_procs import running_consumers

    tag = uuid.uuid4().hex[:8]
    schema = f"bench_song_song_{tag}"
    _make_tables(shared_name, schema, tables)
    config = {"url": shared_db.reader_url(shared_name), "password_env": shared_db.READER_PW_ENV,
              "bench_run": tag,
              "tables": [{"schema": schema, "table": f"bang_{i:03d}",
                          "title": f"Bảng song song {tag} {i:03d}"} for i in range(tables)]}
    source = tk.get_action("harvest_source_create")({"user": user["name"]}, {
        "name": f"bench-parallel-{tag}", "title": f"bench parallel {tag}",
        "url": shared_db.reader_url(shared_name), "source_type": "longan_sql",
        "owner_org": org_id, "config": json.dumps(config, ensure_ascii=False)})
    try:
        with tempfile.TemporaryDirectory(prefix="bench-consumers-") as logs, \
                running_consumers(ini, profile_dir or Path(logs), fetch=fetch,
                                  profile=profile_dir is not None) as procs:
            cpu_before = _cpu_seconds(tk, procs)
            started = time.perf_counter()
            job = tk.get_action("harvest_job_create")({"user": user["name"]},
                                                      {"source_id": source["id"], "run": True})
            settled_s = _wait(tk, job["id"], source["id"], tables, procs)
            seconds = time.perf_counter() - started
            cpu = [a - b for a, b in zip(_cpu_seconds(tk, procs), cpu_before, strict=True)]
            received = {name: c.output().count("Received harvest object id")
                        for name, c in procs.items() if name != "gather"}
        return {"fetch": fetch, "seconds": seconds, "settled_s": settled_s, "cpu_s": cpu[0],
                "service_cpu_s": cpu[1],
                "received": received, **_check(model, harvest_model, job["id"], org_id, tag,
                                               tables)}
    finally:
        _drop_schema(shared_name, schema)


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _service_pids(tk) -> list[int]:
    """The PostgreSQL backends of this config's databases and its Solr (by port)."""
    import sqlalchemy as sa
    from ckan import model

    pids = [row[0] for row in model.Session.execute(sa.text(
        "SELECT pid FROM pg_stat_activity WHERE datname = ANY(:names) "
        "AND pid <> pg_backend_pid()"), {"names": [
            sa.engine.make_url(tk.config.get(k)).database
            for k in ("sqlalchemy.url", "ckan.datastore.write_url")]})]
    model.Session.rollback()
    port = sa.engine.make_url(tk.config.get("solr_url")).port
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(b"java" in c for c in cmd[:1]) and str(port).encode() in cmd:
                pids.append(int(proc.name))
    return pids


def _cpu_seconds(tk, procs: dict) -> tuple[float, float]:
    """CPU seconds so far of the consumer processes, and of the services (PostgreSQL
    backends alive now, Solr)."""
    return (sum(_proc_cpu(c.process.pid) for c in procs.values()),
            sum(_proc_cpu(pid) for pid in _service_pids(tk)))


def _wait(tk, job_id: str, source_id: str, tables: int, procs: dict) -> float:
    """Seconds until every object is settled; then finish the job with ``harvest_jobs_run``."""
    from ckanext.harvest import model as harvest_model

    started = time.perf_counter()
    deadline = time.monotonic() + 60 + tables * 3
    while True:
        total, done = _settled(job_id)
        if total == tables and done == tables:
            break
        dead = [c.name for c in procs.values() if c.process.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise SystemExit(f"stuck at {done}/{total} (dead: {dead}):\n"
                             + "\n".join(c.output()[-1500:] for c in procs.values()))
        time.sleep(0.1)
    settled_s = time.perf_counter() - started
    while True:
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source_id})
        harvest_model.Session.remove()
        if harvest_model.HarvestJob.get(job_id).status == "Finished":
            return settled_s
        time.sleep(0.1)


def _check(model, harvest_model, job_id: str, org_id: str, tag: str, tables: int) -> dict:
    """Every table imported exactly once (raises AssertionError otherwise); the counts."""
    from ckanext.activity.model import Activity

    from ckanext.longan_opendata.harvesters import datastore_tables

    objects = model.Session.query(harvest_model.HarvestObject).filter_by(
        harvest_job_id=job_id).all()
    states = sorted({o.state for o in objects})
    assert len(objects) == tables and states == ["COMPLETE"], (len(objects), states, [
        e.message for o in objects for e in o.errors][:5])
    datasets = (model.Session.query(model.Package)
                .filter(model.Package.owner_org == org_id, model.Package.state == "active",
                        model.Package.type == "dataset",
                        model.Package.title.like(f"%{tag}%")).all())
    assert len(datasets) == tables == len({o.package_id for o in objects}), len(datasets)
    assert {p.id for p in datasets} == {o.package_id for o in objects}
    resource_ids = [r.id for p in datasets for r in p.resources]
    stored = sum(datastore_tables.table_exists(rid) for rid in resource_ids)
    assert len(resource_ids) == stored == tables, (len(resource_ids), stored)
    once = sum(sorted(a.activity_type for a in model.Session.query(Activity)
                      .filter_by(object_id=p.id)) == ONE_IMPORT for p in datasets)
    assert once == tables, f"{tables - once} datasets imported more than once"
    job = harvest_model.HarvestJob.get(job_id)
    gather_s = (job.gather_finished - job.gather_started).total_seconds()
    return {"datasets": len(datasets), "datastore_tables": stored, "gather_s": gather_s,
            "complete": len(objects), "imported_once": once}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1,
                        help="pairs of measures, alternating 1-2, 2-1, …")
    parser.add_argument("--only", type=int, choices=(1, 2), default=None,
                        help="one measure with this many fetch consumers (to profile)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="run the consumers under cProfile, their .prof and logs in this "
                             "directory (with --only)")
    args = parser.parse_args()
    ini = str(Path(args.config).resolve())

    from ckanext.longan_opendata.demo import shared_db

    tk, user, org = _setup(ini)
    org_id = org.id
    shared_name = _db_name(tk.config.get("ckan.site_id"))
    secrets = shared_db.ensure_roles(SECRETS)
    os.environ[shared_db.READER_PW_ENV] = secrets[shared_db.READER_PW_KEY]  # for the consumers
    _ensure_shared_database(shared_name)
    orders = [(args.only,)] if args.only else [
        (1, 2) if r % 2 == 0 else (2, 1) for r in range(args.rounds)]
    times: dict[int, list[float]] = {1: [], 2: []}
    for order in orders:
        for fetch in order:
            load = os.getloadavg()
            run = one_measure(tk, user, org_id, ini, shared_name, args.tables, fetch,
                              args.profile)
            times[fetch].append(run["seconds"])
            print(f"{fetch} fetch consumer(s): {args.tables} tables in {run['seconds']:.1f} s "
                  f"({run['seconds'] / args.tables * 1000:.0f} ms per table; gather stage "
                  f"{run['gather_s']:.1f} s, objects settled after {run['settled_s']:.1f} s; "
                  f"CPU per table: consumers {run['cpu_s'] / args.tables * 1000:.0f} ms, "
                  f"PostgreSQL backends + Solr "
                  f"{run['service_cpu_s'] / args.tables * 1000:.0f} ms), "
                  f"received {run['received']}; checked: "
                  f"{run['datasets']} datasets, {run['datastore_tables']} DataStore tables, "
                  f"{run['complete']} COMPLETE, {run['imported_once']} imported once; "
                  f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    if times[1] and times[2]:
        one, two = sum(times[1]) / len(times[1]), sum(times[2]) / len(times[2])
        print(f"ratio one/two fetch consumers: {one:.1f} s / {two:.1f} s = {one / two:.2f}x "
              f"(goal >= 1.7); load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
