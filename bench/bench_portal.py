"""Speed of the portal against stock CKAN on the same PostgreSQL and Solr (issue 6).

    scripts/services.sh start                       # PostgreSQL and Redis (shared)
    .venv/bin/python bench/bench_portal.py --name NAME [--solr-port 8990] [--redis-db 13]

One run does everything and prints the figures:

1. prepares the bench databases ``longan_ckan_bench_NAME`` / ``longan_datastore_bench_NAME``
   (never the portal's nor the tests'), a Solr on ``--solr-port`` (its core ``ckan``), and two
   configs in ``.run/bench/NAME/``: ``ours.ini`` (the portal's plugins) and ``stock.ini`` (the
   same CKAN with core plugins only: ``activity datastore datatables_view``), both inheriting
   ``test.ini`` and pointing at the same databases, Solr core and Redis database;
2. loads ``--datasets`` datasets (10,000 by default; skipped when already there) through
   ``package_create`` with the portal's plugins (``--load-workers`` processes, commits and Solr
   updates by batches of 100, see :func:`load`): 20 agencies, Vietnamese titles, themes, units,
   frequencies, temporal coverage, one to three resources, published; prints the load rate;
3. serves both with gunicorn (2 workers each) on free loopback ports and measures, interleaving
   ours and stock request by request: ``package_search`` (facets, no-accent Vietnamese query),
   ``package_show``, the dataset and search pages (median, p95, ratio ours/stock; goal ≤ 1.2);
4. loads the home page and ``/thong-ke`` from a second process (``wrk``, Debian package ``wrk``),
   ``--wrk-repeats`` times interleaved ours/stock, and reports requests per second and median
   latency (so that other load on the machine hits both sides alike);
5. times ``longan_stats`` cold (cache emptied) and cached.

Results are also written to ``.run/bench/NAME/results.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.served import LOGGING, free_port  # noqa: E402  (one copy, shared with the tests)

BIN = Path(sys.executable).parent
STOCK_PLUGINS = "activity datastore datatables_view"
#: the Solr facets of the ``package_search`` measure, the same on both sides (like for like):
#: eight fields, the portal's search page's own but the quality rating
FACETS = ["organization", "vocab_theme", "vocab_spatial_units", "vocab_spatial_units_old",
          "res_format", "license_id", "vocab_frequency", "tags"]
#: the request measures, by the key ``--measures`` names them
MEASURE_KEYS = {"search": "package_search (facets, no-accent query)",
                "show": "package_show", "page": "dataset page", "search-page": "search page"}
QUERIES = ["dan so", "truong hoc", "y te", "doanh nghiep", "giao thong", "nong nghiep",
           "ngan sach", "moi truong"]

# ---------------------------------------------------------------------------------------------
# 1. databases, Solr and configs


def _as_postgres(*cmd: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u",
                                                                           "postgres"]
    return subprocess.run([*prefix, *cmd], input=stdin, text=True, capture_output=True,
                          check=True)


def prepare(name: str, solr_port: int, redis_db: int) -> tuple[Path, Path]:
    ckan_db, ds_db = f"longan_ckan_bench_{name}", f"longan_datastore_bench_{name}"
    for db in (ckan_db, ds_db):
        found = _as_postgres("psql", "-X", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname='{db}'").stdout
        if "1" not in found:
            _as_postgres("createdb", "-O", "longan_test", "-E", "utf-8", "-T", "template0",
                         "--locale=C.UTF-8", db)
    subprocess.run([str(ROOT / "scripts/services.sh"), "start-solr", str(solr_port)],
                   check=True, cwd=ROOT, env={**os.environ, "SOLR_PORT": str(solr_port)})
    folder = ROOT / ".run" / "bench" / name
    folder.mkdir(parents=True, exist_ok=True)
    common = (
        "[app:main]\n"
        f"use = config:{ROOT / 'test.ini'}\n"
        f"sqlalchemy.url = postgresql://longan_test:longan_test@127.0.0.1:5432/{ckan_db}\n"
        "ckan.datastore.write_url = "
        f"postgresql://longan_test:longan_test@127.0.0.1:5432/{ds_db}\n"
        "ckan.datastore.read_url = "
        f"postgresql://longan_test_ro:longan_test_ro@127.0.0.1:5432/{ds_db}\n"
        f"solr_url = http://127.0.0.1:{solr_port}/solr/ckan\n"
        f"ckan.redis.url = redis://127.0.0.1:6379/{redis_db}\n"
        f"ckan.harvest.mq.redis_db = {redis_db + 1}\n"
        f"ckan.site_id = longan_bench_{name}\n"
        f"ckan.storage_path = /tmp/longan_bench_storage_{name}\n"
        "ckan.site_url = http://127.0.0.1:5000\n"
    )
    ours, stock = folder / "ours.ini", folder / "stock.ini"
    ours.write_text(common + LOGGING)
    stock.write_text(common + f"ckan.plugins = {STOCK_PLUGINS}\n" + LOGGING)
    ckan = str(BIN / "ckan")
    subprocess.run([ckan, "-c", str(ours), "db", "init"], check=True, capture_output=True)
    subprocess.run([ckan, "-c", str(ours), "db", "upgrade"], check=True, capture_output=True)
    perms = subprocess.run([ckan, "-c", str(ours), "datastore", "set-permissions"],
                           check=True, capture_output=True, text=True).stdout
    _as_postgres("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", ds_db, stdin=perms)
    return ours, stock


# ---------------------------------------------------------------------------------------------
# 2. the catalogue

WORDS = [
    ("Dân số", "dan-so"), ("Trường học", "truong-hoc"), ("Cơ sở y tế", "co-so-y-te"),
    ("Doanh nghiệp", "doanh-nghiep"), ("Giao thông", "giao-thong"),
    ("Sản lượng nông nghiệp", "nong-nghiep"), ("Ngân sách", "ngan-sach"),
    ("Chất lượng môi trường", "moi-truong"), ("Lao động việc làm", "lao-dong"),
    ("Hộ nghèo", "ho-ngheo"), ("Đất đai", "dat-dai"), ("Khoa học công nghệ", "khoa-hoc"),
]
PLACES = ["Tân An", "Kiến Tường", "Bến Lức", "Đức Hòa", "Cần Giuộc", "Cần Đước", "Tân Trụ",
          "Thủ Thừa", "Đức Huệ", "Thạnh Hóa", "Tân Thạnh", "Mộc Hóa", "Vĩnh Hưng", "Tân Hưng"]
THEMES = ["nong-nghiep", "kinh-te", "giao-duc", "nang-luong", "moi-truong", "hanh-chinh",
          "y-te", "doi-ngoai", "tu-phap", "dan-cu-xa-hoi", "khoa-hoc-cong-nghe", "giao-thong"]
FREQUENCIES = ["daily", "weekly", "monthly", "quarterly", "semiannual", "annual", "irregular"]
FORMATS = ["CSV", "XLSX", "JSON", "PDF", "API"]


def agencies(site_user: str, count: int = 20) -> list[str]:
    """The names of the bench catalogue's agencies, created when missing (in an app context)."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    names = []
    for i in range(count):
        name = f"co-quan-{i:02d}"
        if not model.Group.get(name):
            tk.get_action("organization_create")({"user": site_user}, {
                "name": name, "title": f"Cơ quan số {i + 1} tỉnh Long An"})
        names.append(name)
    return names


def _unit_pool() -> list[str]:
    """Old-era districts and communes of Long An, so the unit facet has realistic spread."""
    from ckanext.longan_opendata.metadata import units

    return sorted(code for code, unit in units.catalogue().items()
                  if unit.era == units.OLD and unit.level != "province")


def _dataset(i: int, orgs: list[str], pool: list[str]) -> dict:
    rng = random.Random(i)
    word, slug = WORDS[i % len(WORDS)]
    place = PLACES[(i // len(WORDS)) % len(PLACES)]
    year = 2015 + i % 10
    return {
        "name": f"{slug}-{i:05d}",
        "title": f"{word} {place} năm {year}",
        "notes": f"{word} trên địa bàn {place}, tỉnh Long An, số liệu năm {year}.",
        "owner_org": orgs[i % len(orgs)],
        "license_id": "CC-BY-4.0",
        "contains_personal_data": "no",
        "theme": rng.sample(THEMES, 1 + i % 2),
        "frequency": FREQUENCIES[i % len(FREQUENCIES)],
        "temporal_start": f"{year}-01-01",
        "temporal_end": f"{year}-12-31",
        "spatial_units": ["old-80", *rng.sample(pool, i % 3)],
        "tags": [{"name": slug}],
        "contact_points": [{"name": f"Phòng thống kê {place}",
                            "email": f"thongke{i % 20:02d}@longan.gov.vn"}],
        "resources": [
            {"name": f"Tệp {k + 1}", "url": f"http://127.0.0.1:9/{slug}-{i}-{k}",
             "format": FORMATS[(i + k) % len(FORMATS)]}
            for k in range(1 + i % 3)],
    }


def load(ini: Path, count: int, worker: int = 0, workers: int = 1, batch: int = 100) -> None:
    """Create the datasets ``worker``, ``worker + workers``… below ``count`` (resumable).

    Through the portal's bulk load (:mod:`ckanext.longan_opendata.ops.bulk_load`, as
    ``ckan longan bulk-load``): each dataset goes through ``package_create`` (the portal's
    schema validates it), one database commit and one Solr update per ``batch``. Published
    straight away through the workflow's trusted path, with the review fields checked (issue
    5): a bench catalogue is public, like the portal's. CKAN's "new package" activity (a full
    ``package_show`` stored per dataset) is not written: a bench catalogue has no history.
    """
    from ckan.cli import CKANConfigLoader
    from ckan.config.middleware import make_app

    conf = CKANConfigLoader(str(ini)).get_config()
    conf["ckan.search.solr_commit"] = "false"
    app = make_app(conf)
    import ckan.plugins.toolkit as tk
    from ckan import model
    from ckan.lib import search

    from ckanext.longan_opendata import workflow as wf
    from ckanext.longan_opendata.ops import bulk_load

    with app._wsgi_app.test_request_context():
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        orgs = agencies(site_user)
        pool = _unit_pool()
        if workers == 1 and count == 0:  # the preparatory run: index what a crash left out
            indexed = set(search.query_for(model.Package).get_all_entity_ids(max_results=10**6))
            missing = [pkg_id for (pkg_id,) in model.Session.query(model.Package.id).filter(
                model.Package.state == "active") if pkg_id not in indexed]
            for k in range(0, len(missing), batch):
                bulk_load.index_batch(missing[k:k + batch])
            search.commit()
            return
        started = time.monotonic()
        shown = [0]

        def progress(report: bulk_load.LoadReport) -> None:
            if len(report.created) >= shown[0] + 500:
                shown[0] = len(report.created)
                rate = shown[0] / (time.monotonic() - started)
                print(f"  worker {worker}: {shown[0]} new datasets ({rate:.1f}/s)", flush=True)

        records = ((i, _dataset(i, orgs, pool)) for i in range(worker, count, workers))
        report = bulk_load.load(records, site_user, state=wf.PUBLISHED, batch=batch,
                                new_package_activity=False, progress=progress)
        if report.errors:
            raise SystemExit(f"worker {worker}: {len(report.errors)} datasets refused, first: "
                             f"{report.errors[0]}")


# ---------------------------------------------------------------------------------------------
# 3-5. measurements


PORTAL_WSGI = "ckanext.longan_opendata.wsgi:application"


def serve(ini: Path, folder: Path, label: str, app: str = PORTAL_WSGI,
          chdir: Path | None = None) -> tuple[subprocess.Popen, str]:
    """gunicorn (2 workers) serving ``ini`` with the WSGI ``app`` (imported from ``chdir`` if
    given) on a free loopback port, once it answers; its log is ``folder/LABEL-gunicorn.log``."""
    port = free_port()
    served = folder / f"{label}-served.ini"
    served.write_text(ini.read_text().replace("ckan.site_url = http://127.0.0.1:5000",
                                              f"ckan.site_url = http://127.0.0.1:{port}"))
    log = open(folder / f"{label}-gunicorn.log", "w")  # noqa: SIM115 (lives with the server)
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "120", *(["--chdir", str(chdir)] if chdir else []), app],
        env={**os.environ, "CKAN_INI": str(served)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if requests.get(url + "/api/3/action/status_show", timeout=10).ok:
                return proc, url
        except requests.RequestException:
            time.sleep(0.5)
        if proc.poll() is not None:
            break
    raise SystemExit(f"{label} server did not start, see {folder / f'{label}-gunicorn.log'}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latencies(urls: dict[str, list[str]], rounds: int) -> dict[str, dict[str, float]]:
    """Interleave the same requests on ours and stock; milliseconds."""
    sessions = {label: requests.Session() for label in urls}
    times: dict[str, list[float]] = {label: [] for label in urls}
    for i in range(rounds):
        for label, targets in urls.items():
            start = time.perf_counter()
            answer = sessions[label].get(targets[i % len(targets)], timeout=60)
            times[label].append((time.perf_counter() - start) * 1000)
            answer.raise_for_status()
    return {label: {"median": statistics.median(v), "p95": _pct(v, 0.95)}
            for label, v in times.items()}


def wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    med = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[med.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"requests_per_s": rps, "median_ms": float(med.group(1)) * scale,
            "errors": int(non2xx.group(1)) if non2xx else 0}


def stats_timing(url: str, site_id: str, redis_db: int) -> dict[str, float]:
    import redis

    conn = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
    key = f"longan_opendata:stats:v1:{site_id}"
    session = requests.Session()
    cold, cached = [], []
    for _ in range(3):
        conn.delete(key)
        start = time.perf_counter()
        session.get(url + "/api/3/action/longan_stats", timeout=120).raise_for_status()
        cold.append((time.perf_counter() - start) * 1000)
        for _ in range(10):
            start = time.perf_counter()
            session.get(url + "/api/3/action/longan_stats", timeout=60).raise_for_status()
            cached.append((time.perf_counter() - start) * 1000)
    return {"cold_median_ms": statistics.median(cold),
            "cached_median_ms": statistics.median(cached)}


def _count_datasets(ini: Path) -> int:
    url = next(line.split("=", 1)[1].strip() for line in ini.read_text().splitlines()
               if line.startswith("sqlalchemy.url"))
    import sqlalchemy as sa

    with sa.create_engine(url).connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM package WHERE state = 'active'"
                                    " AND type = 'dataset'")).scalar()


def load_catalogue(ini: Path, count: int, workers: int) -> dict:
    """Load the catalogue up to ``count`` datasets with ``workers`` processes; time it."""
    print(f"[bench] loading {count} datasets (resumes when some exist)", flush=True)
    import resource

    before, started = _count_datasets(ini), time.monotonic()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # agencies (and the indexing of anything a crash left out) first, in one process
    subprocess.run([sys.executable, __file__, "--load", str(ini), "0", "0", "1"], check=True)
    loaders = [subprocess.Popen([sys.executable, __file__, "--load", str(ini), str(count),
                                 str(k), str(workers)]) for k in range(workers)]
    if any(proc.wait() for proc in loaders):
        raise SystemExit("loading the catalogue failed")
    seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    after = _count_datasets(ini)
    got = {"before": before, "after": after, "created": after - before, "seconds": seconds,
           "workers": workers, "per_second": (after - before) / seconds if seconds else 0.0,
           "loader_cpu_seconds": cpu, "loadavg": list(os.getloadavg()),
           "loader_cpu_ms_per_dataset": 1000 * cpu / (after - before) if after > before else 0}
    print(f"[bench] loaded {got['created']} datasets in {seconds:.0f} s "
          f"({got['per_second']:.1f}/s with {workers} workers, process start-up included); "
          f"{after} in the catalogue; loader CPU {cpu:.0f} s "
          f"({got['loader_cpu_ms_per_dataset']:.0f} ms per dataset, PostgreSQL and Solr not "
          f"counted); load average {got['loadavg'][0]:.1f}", flush=True)
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="bench", help="suffix of the bench databases")
    parser.add_argument("--solr-port", type=int, default=8990)
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--load-workers", type=int, default=4, help="loader processes")
    parser.add_argument("--skip-load", action="store_true",
                        help="measure the catalogue as it is (loading is resumable)")
    parser.add_argument("--only-load", action="store_true", help="load, do not measure")
    parser.add_argument("--rounds", type=int, default=200, help="requests per measure")
    parser.add_argument("--duration", type=int, default=15, help="seconds of each wrk run")
    parser.add_argument("--wrk-repeats", type=int, default=2,
                        help="wrk runs per page, interleaved ours/stock (median reported)")
    parser.add_argument("--measures", default=",".join(MEASURE_KEYS),
                        help="request measures, comma-separated: " + ", ".join(MEASURE_KEYS))
    parser.add_argument("--no-wrk", action="store_true",
                        help="skip the pages under load (wrk) and the longan_stats timing")
    args = parser.parse_args()
    chosen = {MEASURE_KEYS[key.strip()] for key in args.measures.split(",")}
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    print(f"[bench] preparing databases, Solr :{args.solr_port}, configs", flush=True)
    ours_ini, stock_ini = prepare(args.name, args.solr_port, args.redis_db)
    folder = ours_ini.parent
    loading = None
    if not args.skip_load:
        loading = load_catalogue(ours_ini, args.datasets, args.load_workers)
        (folder / "loading.json").write_text(json.dumps(loading, indent=2))
    if args.only_load:
        return
    if loading is None and (folder / "loading.json").exists():
        loading = json.loads((folder / "loading.json").read_text())

    ours, ours_url = serve(ours_ini, folder, "ours")
    stock, stock_url = serve(stock_ini, folder, "stock")
    try:
        rng = random.Random(12)
        names = requests.get(ours_url + "/api/3/action/package_search",
                             params={"rows": 1000, "fl": "name"}, timeout=60).json()
        names = [r["name"] for r in names["result"]["results"]]
        assert len(names) >= 100, "the catalogue is not loaded"
        picks = [rng.choice(names) for _ in range(args.rounds)]
        total = requests.get(ours_url + "/api/3/action/package_search",
                             params={"rows": 0}, timeout=60).json()["result"]["count"]
        facet = json.dumps(FACETS)
        measures = {
            "package_search (facets, no-accent query)": lambda base: [
                f"{base}/api/3/action/package_search?q={q.replace(' ', '+')}"
                f"&rows=20&facet.field={facet}" for q in QUERIES],
            "package_show": lambda base: [
                f"{base}/api/3/action/package_show?id={n}" for n in picks],
            "dataset page": lambda base: [f"{base}/dataset/{n}" for n in picks],
            "search page": lambda base: [
                f"{base}/dataset/?q={q.replace(' ', '+')}" for q in QUERIES],
        }
        results: dict = {"datasets": total, "rounds": args.rounds, "latency_ms": {},
                         "loading": loading}
        print(f"[bench] {total} datasets; {args.rounds} requests per measure, interleaved")
        for label, build in measures.items():
            if label not in chosen:
                continue
            urls = {"ours": build(ours_url), "stock": build(stock_url)}
            latencies(urls, 10)  # warm-up
            got = latencies(urls, args.rounds)
            got["ratio_median"] = got["ours"]["median"] / got["stock"]["median"]
            got["ratio_p95"] = got["ours"]["p95"] / got["stock"]["p95"]
            results["latency_ms"][label] = got
        results["loadavg"] = list(os.getloadavg())
        results["load"] = {}
        if args.no_wrk:
            return _finish(folder, results)
        targets = (("home (ours)", ours_url + "/"), ("home (stock)", stock_url + "/"),
                   ("/thong-ke (ours)", ours_url + "/thong-ke"))
        for _, url in targets:
            requests.get(url, timeout=60)
        runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in targets}
        for _ in range(args.wrk_repeats):  # interleaved: ours, stock, ours, stock…
            for label, url in targets:
                runs[label].append(wrk(url, args.duration))
        for label, got in runs.items():
            results["load"][label] = {
                "requests_per_s": statistics.median(r["requests_per_s"] for r in got),
                "median_ms": statistics.median(r["median_ms"] for r in got),
                "errors": sum(r["errors"] for r in got),
                "runs_requests_per_s": [r["requests_per_s"] for r in got]}
        results["longan_stats"] = stats_timing(ours_url, f"longan_bench_{args.name}",
                                               args.redis_db)
    finally:
        for proc in (ours, stock):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    _finish(folder, results)


def _finish(folder: Path, results: dict) -> None:
    (folder / "results.json").write_text(json.dumps(results, indent=2))
    report(results)


def report(results: dict) -> None:
    print(f"\nCatalogue: {results['datasets']} datasets; {results['rounds']} requests each")
    print(f"{'latency (ms)':44} {'ours med':>9} {'p95':>7} {'stock med':>9} {'p95':>7} "
          f"{'ratio med':>9} {'p95':>6}")
    for label, got in results["latency_ms"].items():
        o, s = got["ours"], got["stock"]
        print(f"{label:44} {o['median']:9.1f} {o['p95']:7.1f} {s['median']:9.1f} "
              f"{s['p95']:7.1f} {got['ratio_median']:9.2f} {got['ratio_p95']:6.2f}")
    if results.get("loadavg"):
        print("load average after the measures (1, 5, 15 min): "
              + " ".join(f"{x:.1f}" for x in results["loadavg"]))
    if results.get("load"):
        print(f"\n{'under load (wrk -t2 -c8, 2 gunicorn workers)':44} {'req/s':>9} "
              f"{'median ms':>10} {'errors':>7}")
    for label, got in results.get("load", {}).items():
        print(f"{label:44} {got['requests_per_s']:9.1f} {got['median_ms']:10.1f} "
              f"{got['errors']:7d}")
    if results.get("loading"):
        got = results["loading"]
        print(f"\nloading: {got['created']} datasets in {got['seconds']:.0f} s = "
              f"{got['per_second']:.1f}/s ({got['workers']} workers)")
    st = results.get("longan_stats")
    if st:
        print(f"\nlongan_stats: cold {st['cold_median_ms']:.0f} ms, "
              f"cached {st['cached_median_ms']:.1f} ms")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--load":
        load(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
