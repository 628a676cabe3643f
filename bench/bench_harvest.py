"""Benchmarks of the ``longan_sql`` harvester (issue 4), against a baseline measured here.

    .venv/bin/python bench/bench_harvest.py -c test-NAME.ini [--rows 1000000] [--tables 200]

Uses the CKAN and DataStore databases of the given config (run it on a sandbox, not while its
tests run) and a demo shared database ``longan_shared_bench_<site>`` seeded here with
``--rows`` rows in ``dich_vu_cong.ho_so``. Prints:

1. baseline: the same rows ``COPY``-ed (source ``COPY TO STDOUT`` → pipe → ``COPY FROM STDIN``)
   into a plain table of the DataStore database; the harvest of the table end to end (gather,
   fetch with its content hash, import into the DataStore, dataset creation: the rows are
   readable when it ends); rows/s of both and their ratio (goal ≥ 0.8); then, apart, the
   background job that fills the full text (``_full_text`` and its index) of a table larger
   than ``full_text_inline_rows``, in the configured text search and index method, and again
   as before issue 13 (English words, GiST index), as multiples of the COPY (goal: searchable
   ≤ 2x);
2. peak RSS of the harvesting process (a child process per size) for 100k and ``--rows`` rows
   (goal < 400 MB for 1M, not growing with the row count);
   With ``--memory-only``: one harvest of ``--rows`` rows, its time and peak RSS (10M rows);
   ``--repeat N`` runs the baseline and the harvest N times, interleaved (a busy machine);
   each harvest prints its stages: gather, fetch and import (the loader's part and the rest:
   fetch, dataset write), job finished (Solr commit, source reindexed), and the loader's phases;
3. a source of ``--tables`` small tables: first harvest, then a re-harvest of the unchanged
   source as a fraction of it (goal < 5 %), and the number of new activities (goal 0).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ROOT / ".run" / "shared-db.env"


def _app(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    return getattr(app, "_wsgi_app", app)


def _setup(ini: str):
    """CKAN app context, sysadmin and organisation for the benchmark."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    flask_app = _app(ini)
    ctx = flask_app.test_request_context()
    ctx.push()
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    org_name = "cuc-thong-ke"  # the organisation test.ini binds the reader secret to
    if model.Group.get(org_name) is None:
        tk.get_action("organization_create")({"user": site_user["name"]},
                                             {"name": org_name, "title": "Bench"})
    return tk, site_user, model.Group.get(org_name)


def _source(tk, user, org, config: dict, url: str) -> dict:
    name = "bench-" + uuid.uuid4().hex[:10]
    config = {**config, "bench_run": name}  # a source is unique by URL and config
    return tk.get_action("harvest_source_create")({"user": user["name"]}, {
        "name": name, "title": name, "url": url, "source_type": "longan_sql",
        "owner_org": org.id, "config": json.dumps(config, ensure_ascii=False)})


def _harvest(source: dict, stages: dict | None = None) -> dict:
    """One job through the three stages, without queues (as ckanext-harvest's tests/lib.py);
    the seconds of each stage added to ``stages`` (``load``: the loader's, inside the import)."""
    import ckan.plugins.toolkit as tk
    from ckanext.harvest import model as harvest_model
    from ckanext.harvest import queue

    from ckanext.longan_opendata.harvesters import loader
    from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

    stages = {} if stages is None else stages
    load = loader.load

    def timed_load(*args, **kwargs):
        started = time.perf_counter()
        try:
            return load(*args, **kwargs)
        finally:
            stages["load"] = stages.get("load", 0) + time.perf_counter() - started

    harvester = LonganSqlHarvester()
    job = harvest_model.HarvestJob(source=harvest_model.HarvestSource.get(source["id"]))
    job.status = "Running"
    job.save()
    results = {}
    started = time.perf_counter()
    ids = queue.gather_stage(harvester, job) or []
    stages["gather"] = time.perf_counter() - started
    loader.load = timed_load
    try:
        for obj_id in ids:
            obj = harvest_model.HarvestObject.get(obj_id)
            queue.fetch_and_import_stages(harvester, obj)
            results[obj.guid] = {"state": obj.state, "report_status": obj.report_status,
                                 "package_id": obj.package_id, "errors": list(obj.errors)}
    finally:
        loader.load = load
    stages["fetch and import"] = time.perf_counter() - started - stages["gather"]
    started = time.perf_counter()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    stages["job finished"] = time.perf_counter() - started
    return results


def _db_name(site_id: str) -> str:
    return "longan_shared_bench_" + site_id.replace("longan_test_", "").replace("longan_", "")


def child(args) -> None:
    """One harvest of ``args.query`` rows in this process; prints JSON with time and peak RSS."""
    from ckanext.longan_opendata.demo import shared_db

    tk, user, org = _setup(args.config)
    name = _db_name(tk.config.get("ckan.site_id"))
    os.environ[shared_db.READER_PW_ENV] = shared_db.read_secrets(SECRETS)[shared_db.READER_PW_KEY]
    config = {"url": shared_db.reader_url(name), "password_env": shared_db.READER_PW_ENV,
              "tables": [{"query_name": f"ho_so_{args.limit}", "title": f"Hồ sơ {args.limit}",
                          "query": f"SELECT * FROM dich_vu_cong.ho_so WHERE id <= {args.limit}"}]}
    source = _source(tk, user, org, config, shared_db.reader_url(name))
    started = time.perf_counter()
    stages: dict = {}
    [result] = _harvest(source, stages).values()
    seconds = time.perf_counter() - started
    assert result["state"] == "COMPLETE", [e.message for e in result["errors"]]
    dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": result["package_id"]})
    rows = tk.get_action("datastore_search")(
        {"ignore_auth": True}, {"resource_id": dataset["resources"][0]["id"],
                                "limit": 0, "include_total": True})["total"]
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from ckanext.longan_opendata.harvesters import datastore_tables

    resource_id = dataset["resources"][0]["id"]
    out = {"seconds": seconds, "rows": rows, "maxrss_mb": maxrss_mb, "stages": stages}
    if args.memory_only:
        print(json.dumps(out))
        return
    # the job after a large load (the configured text search and index method), then
    # (--compare) today's job before issue 13: English words and a GiST index
    from ckan.tests.helpers import changed_config

    for label, lang, method in (("full_text", datastore_tables.fts_lang(), None),
                                ("english", "english", "gist")):
        if label == "english":
            if not args.compare:
                break
            _reset_full_text(resource_id)
        with changed_config("ckan.datastore.default_fts_lang", lang), \
                changed_config("ckan.datastore.default_fts_index_method",
                               method or tk.config.get("ckan.datastore.default_fts_index_method")):
            _time_full_text(tk, resource_id, rows, label, out)
    print(json.dumps(out))


def _time_full_text(tk, resource_id: str, rows: int, label: str, out: dict) -> None:
    """Time the full-text job of ``resource_id``: searchable by ``q``, then its index."""
    from ckanext.longan_opendata.harvesters import full_text

    started = time.perf_counter()
    out[label + "_rows"] = full_text.fill_words(resource_id)
    assert out[label + "_rows"] == rows, out
    out[label + "_searchable_s"] = time.perf_counter() - started
    search = tk.get_action("datastore_search")
    done = search({"ignore_auth": True}, {"resource_id": resource_id, "limit": 0,
                                          "filters": {"trang_thai": "Đã trả kết quả"}})
    found = search({"ignore_auth": True}, {"resource_id": resource_id, "q": "kết quả",
                                           "limit": 0})
    assert found["total"] >= done["total"] > 0, (found["total"], done["total"])
    out[label + "_q_total"] = found["total"]
    started = time.perf_counter()
    full_text.index_full_text(resource_id)
    out[label + "_index_s"] = time.perf_counter() - started


def _reset_full_text(resource_id: str) -> None:
    """Empty ``_full_text`` and drop its index (to time the fill again, not timed)."""
    from psycopg2 import sql

    from ckanext.longan_opendata.harvesters import datastore_tables

    raw = datastore_tables.write_engine().raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(
                sql.Identifier(datastore_tables.index_name(resource_id, '"_full_text"'))))
            rid = sql.Identifier(resource_id)  # without the trigger, which would fill them
            cur.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER zfulltext").format(rid))
            cur.execute(sql.SQL("UPDATE {} SET _full_text = NULL").format(rid))
            cur.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER zfulltext").format(rid))
        raw.commit()
        raw.driver_connection.autocommit = True
        with raw.driver_connection.cursor() as cur:
            # FULL: the job timed next reads a table of the same size as the first one did
            cur.execute(sql.SQL("VACUUM FULL {}").format(sql.Identifier(resource_id)))
        raw.driver_connection.autocommit = False
    finally:
        raw.close()


def _run_child(ini: str, limit: int, compare: bool = False, memory_only: bool = False) -> dict:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "-c", ini, "--child", "--limit", str(limit)]
        + (["--compare"] if compare else []) + (["--memory-only"] if memory_only else []),
        capture_output=True, text=True, check=False, cwd=ROOT)
    if out.returncode:
        sys.exit(f"child failed:\n{out.stderr[-3000:]}")
    for line in out.stderr.splitlines():  # the loader's phases (where the harvest's time goes)
        if " rows into " in line and "loaded" in line:
            print("  " + line.split("] ", 1)[-1])
    run = json.loads(out.stdout.strip().splitlines()[-1])
    stages = run["stages"]  # the import outside the loader: fetch, dataset write (and Solr add)
    print(f"  {limit:,} rows: gather {stages['gather']:.2f} s, fetch and import "
          f"{stages['fetch and import']:.2f} s (load {stages.get('load', 0):.2f} s, the rest "
          f"{stages['fetch and import'] - stages.get('load', 0):.2f} s), job finished (Solr "
          f"commit, source reindexed) {stages['job finished']:.2f} s", flush=True)
    return run


#: the columns of ``dich_vu_cong.ho_so``, as a plain table of the DataStore database
HO_SO_COLUMNS = ("id int8, ma_ho_so text, thu_tuc text, linh_vuc text, co_quan text, ma_xa text, "
                 "ngay_nop date, thoi_diem_tra_ket_qua timestamp, trang_thai text, "
                 "le_phi_dong numeric, truc_tuyen bool")


def timed_copy(src, dst, table: str, select: str, columns: str, extra: str = "") -> float:
    """Seconds to ``COPY`` the rows of ``select`` (on ``src``) into a new ``table (columns)``
    on ``dst``: source ``COPY TO STDOUT`` → pipe → ``COPY FROM STDIN``, as the harvester
    (``extra``: columns before those, not copied, e.g. the DataStore's ``_id serial``)."""
    from ckanext.longan_opendata.harvesters.sql_source import pipe_copy

    with dst.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} ({extra}{columns})")
    dst.commit()
    names = ", ".join(c.split()[0] for c in columns.split(", "))
    started = time.perf_counter()
    with dst.cursor() as cur:
        pipe_copy(src, f"COPY ({select}) TO STDOUT",
                  lambda f: cur.copy_expert(f"COPY {table} ({names}) FROM STDIN", f,
                                            size=1 << 20))
    dst.commit()
    src.commit()
    return time.perf_counter() - started


def baseline_copy(shared_name: str, rows: int, extra: str = "") -> float:
    """Seconds to COPY ``rows`` rows of ho_so into a plain table of the DataStore database
    (``extra``: columns of the table before ho_so's, see :func:`timed_copy`)."""
    import psycopg2
    from ckan.plugins import toolkit as tk
    from sqlalchemy.engine import make_url

    from ckanext.longan_opendata.demo import shared_db

    src = psycopg2.connect(host="127.0.0.1", user=shared_db.READER, dbname=shared_name,
                           password=shared_db.read_secrets(SECRETS)[shared_db.READER_PW_KEY])
    url = make_url(tk.config.get("ckan.datastore.write_url"))
    dst = psycopg2.connect(host=url.host, port=url.port or 5432, user=url.username,
                           password=url.password, dbname=url.database)
    seconds = timed_copy(src, dst, "_bench_baseline",
                         f"SELECT * FROM dich_vu_cong.ho_so WHERE id <= {rows}", HO_SO_COLUMNS,
                         extra)
    with dst.cursor() as cur:
        cur.execute("SELECT count(*) FROM _bench_baseline")
        assert cur.fetchone()[0] == rows
        cur.execute("DROP TABLE _bench_baseline")
    dst.commit()
    src.close()
    dst.close()
    return seconds


def many_tables(tk, user, org, shared_name: str, count: int) -> dict:
    from ckan import model
    from ckanext.activity.model import Activity

    from ckanext.longan_opendata.demo import shared_db

    conn = shared_db.connect(shared_db.owner_url(shared_name), str(SECRETS))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS bench_nhieu_bang CASCADE; "
                    "CREATE SCHEMA bench_nhieu_bang; "
                    "GRANT USAGE ON SCHEMA bench_nhieu_bang TO longan_shared_reader")
        for i in range(count):
            cur.execute(f"CREATE TABLE bench_nhieu_bang.bang_{i:03d} AS SELECT g AS stt, "
                        f"'Xã số ' || g AS ten_xa, {i} * g AS gia_tri, DATE '2024-01-01' + g "
                        "AS ngay FROM generate_series(1, 100) g")
        cur.execute("GRANT SELECT ON ALL TABLES IN SCHEMA bench_nhieu_bang TO longan_shared_reader")
    conn.close()
    config = {"url": shared_db.reader_url(shared_name), "password_env": shared_db.READER_PW_ENV,
              "tables": [{"schema": "bench_nhieu_bang", "table": f"bang_{i:03d}",
                          "title": f"Bảng thử {i:03d}"} for i in range(count)]}
    source = _source(tk, user, org, config, shared_db.reader_url(shared_name))
    started = time.perf_counter()
    first = _harvest(source)
    first_s = time.perf_counter() - started
    assert all(r["state"] == "COMPLETE" for r in first.values())
    ids = [r["package_id"] for r in first.values()]
    activities = model.Session.query(Activity).filter(Activity.object_id.in_(ids)).count()
    started = time.perf_counter()
    second = _harvest(source)
    second_s = time.perf_counter() - started
    after = model.Session.query(Activity).filter(Activity.object_id.in_(ids)).count()
    statuses = {r["report_status"] for r in second.values()}
    return {"first_s": first_s, "second_s": second_s, "new_activities": after - activities,
            "statuses": sorted(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--compare", action="store_true",
                        help="(child) time today's full-text job again (English, GiST)")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--memory-only", action="store_true",
                        help="only one harvest of --rows rows: its time and peak RSS")
    parser.add_argument("--repeat", type=int, default=1,
                        help="(--memory-only) baseline and harvest this many times, interleaved")
    parser.add_argument("--only-tables", action="store_true",
                        help="only the re-harvest measure of --tables tables")
    args = parser.parse_args()
    args.config = str(Path(args.config).resolve())
    if args.child:
        return child(args)

    from ckanext.longan_opendata.demo import shared_db
    from ckanext.longan_opendata.harvesters import datastore_tables, full_text

    tk, user, org = _setup(args.config)
    shared_name = _db_name(tk.config.get("ckan.site_id"))
    secrets = shared_db.ensure_roles(SECRETS)
    os.environ[shared_db.READER_PW_ENV] = secrets[shared_db.READER_PW_KEY]
    if not args.skip_seed:
        started = time.perf_counter()
        shared_db.seed(shared_db.owner_url(shared_name), rows=args.rows,
                       secrets_file=str(SECRETS), echo=lambda _m: None)
        print(f"seed: {args.rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)

    if args.memory_only:
        ratios = []
        for _ in range(args.repeat):  # interleaved: baseline, harvest, baseline, harvest…
            copy_s = baseline_copy(shared_name, args.rows)
            # the same COPY into the DataStore's table shape: its _id serial is a nextval per
            # row (not the goal's baseline: what of the harvest's time that shape takes)
            shaped_s = baseline_copy(shared_name, args.rows, "_id serial, ")
            run = _run_child(args.config, args.rows, memory_only=True)
            ratios.append(copy_s / run["seconds"])
            print(f"baseline COPY     {args.rows:>9,} rows {copy_s:7.1f} s (into a table with "
                  f"the DataStore's _id serial {shaped_s:.1f} s: harvest/that "
                  f"{shaped_s / run['seconds']:.2f})\n"
                  f"harvest           {run['rows']:>9,} rows {run['seconds']:7.1f} s "
                  f"{run['rows'] / run['seconds']:>10,.0f} rows/s  peak RSS "
                  f"{run['maxrss_mb']:.0f} MB (goal < 400 MB); ratio harvest/COPY "
                  f"{ratios[-1]:.2f}; load average {os.getloadavg()}", flush=True)
        if len(ratios) > 1:
            print(f"ratios harvest/COPY {' '.join(f'{r:.2f}' for r in ratios)}: median "
                  f"{statistics.median(ratios):.2f}, best {max(ratios):.2f}", flush=True)
        return
    if args.only_tables:
        return _print_many(many_tables(tk, user, org, shared_name, args.tables), args.tables)
    print(f"load average {os.getloadavg()}", flush=True)
    copy_s = baseline_copy(shared_name, args.rows)
    print(f"baseline COPY     {args.rows:>9,} rows {copy_s:7.1f} s "
          f"{args.rows / copy_s:>10,.0f} rows/s", flush=True)
    small = _run_child(args.config, min(100_000, args.rows))
    print(f"harvest           {small['rows']:>9,} rows {small['seconds']:7.1f} s "
          f"{small['rows'] / small['seconds']:>10,.0f} rows/s  peak RSS "
          f"{small['maxrss_mb']:.0f} MB", flush=True)
    big = _run_child(args.config, args.rows, compare=True)
    print(f"harvest           {big['rows']:>9,} rows {big['seconds']:7.1f} s "
          f"{big['rows'] / big['seconds']:>10,.0f} rows/s  peak RSS {big['maxrss_mb']:.0f} MB",
          flush=True)
    for run in (small, big):
        print(f"full text         {run['rows']:>9,} rows: searchable by q after "
              f"{run['full_text_searchable_s']:.1f} s ({full_text.full_text_workers()} parallel "
              f"workers, "
              f"{run['full_text_rows']:,} rows filled), index {run['full_text_index_s']:.1f} s",
              flush=True)
    copy_after = baseline_copy(shared_name, args.rows)  # the machine may be busier by now
    print(f"baseline COPY again after the harvests: {copy_after:.1f} s", flush=True)
    copy_big = (copy_s + copy_after) / 2 * big["rows"] / args.rows
    print(f"full text / COPY ({big['rows']:,} rows): searchable "
          f"{big['full_text_searchable_s'] / copy_big:.1f}x, with its index "
          f"{(big['full_text_searchable_s'] + big['full_text_index_s']) / copy_big:.1f}x; "
          f"(words {datastore_tables.fts_lang()}, index "
          f"{tk.config.get('ckan.datastore.default_fts_index_method')}); the job before "
          f"(words english, index gist): searchable "
          f"{big['english_searchable_s'] / copy_big:.1f}x, with its index "
          f"{(big['english_searchable_s'] + big['english_index_s']) / copy_big:.1f}x "
          f"(goal searchable <= 2x)", flush=True)
    ratio = (big["rows"] / big["seconds"]) / (args.rows / copy_s)
    print(f"ratio harvest/COPY: {ratio:.2f} (goal >= 0.8); load average {os.getloadavg()}")
    print(f"peak RSS {small['rows']:,} → {big['rows']:,} rows: {small['maxrss_mb']:.0f} → "
          f"{big['maxrss_mb']:.0f} MB (goal < 400 MB, flat)", flush=True)

    _print_many(many_tables(tk, user, org, shared_name, args.tables), args.tables)


def _print_many(many: dict, tables: int) -> None:
    print(f"{tables} tables: first harvest {many['first_s']:.1f} s, unchanged re-harvest "
          f"{many['second_s']:.1f} s = {many['second_s'] / many['first_s']:.1%} (goal < 5%), "
          f"new activities {many['new_activities']} (goal 0), statuses {many['statuses']}")


if __name__ == "__main__":
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.run("main()", os.environ["BENCH_PROFILE"])
    else:
        main()
