"""Before/after of the read side (issue 13 item 5): stock CKAN, the portal at a baseline commit
and the portal as it is now, on the same catalogue, interleaved request by request.

    .venv/bin/python bench/bench_portal.py --name catalog --solr-port 8994 --only-load ...
    .venv/bin/python bench/bench_pages.py --name catalog --before e1cc738 --rounds 200

Uses the bench databases, Solr and configs that ``bench_portal.py --name NAME`` prepared (start
its Solr first: ``scripts/services.sh start-solr PORT``). The baseline is ``git archive``d into
``.run/bench/NAME/before-src`` and served through a small WSGI module that puts it first on
``ckanext``'s path. Each measure (``package_search`` with eight facets, ``package_show``, the
dataset page, the search page) prints, for the baseline and for now, the median and p95 in
milliseconds and their ratios to stock (goal ≤ 1.0), with the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import bench_portal as portal_bench  # noqa: E402  (its serving and timing, one copy)

#: the search page's facets of the portal (``IFacets``), for a like-for-like stock
PORTAL_FACETS = ("vocab_theme organization vocab_spatial_units vocab_spatial_units_old res_format "
                 "license_id vocab_frequency tags vocab_quality_rating")

#: where the portal's installed (editable) packages live inside the source tree
_PARTS = {"ckanext/longan_opendata": "", "harvesters": "harvesters", "i18n": "i18n",
          "schemas": "schemas"}


def baseline_tree(folder: Path, rev: str) -> Path:
    """The portal's package at ``rev``, laid out as installed, with its catalogue compiled."""
    target = folder / "before-src"
    shutil.rmtree(target, ignore_errors=True)
    archive = subprocess.run(["git", "archive", rev, *_PARTS], cwd=ROOT, check=True,
                             capture_output=True).stdout
    raw = folder / "before-raw"
    shutil.rmtree(raw, ignore_errors=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(raw, filter="data")
    package = target / "ckanext" / "longan_opendata"
    shutil.copytree(raw / "ckanext" / "longan_opendata", package)
    for part, inside in _PARTS.items():
        if inside:
            shutil.copytree(raw / part, package / inside)
    shutil.rmtree(raw)
    po = package / "i18n" / "vi" / "LC_MESSAGES" / "ckanext-longan_opendata.po"
    subprocess.run([str(portal_bench.BIN / "pybabel"), "compile", "-i", str(po), "-o",
                    str(po.with_suffix(".mo"))], check=True, capture_output=True)
    (target / "before_wsgi.py").write_text(
        "import ckanext\n"
        f"ckanext.__path__.insert(0, {str(target / 'ckanext')!r})\n"
        "import ckanext.longan_opendata as portal\n"
        f"assert portal.__file__.startswith({str(target)!r}), portal.__file__\n"
        "from ckanext.longan_opendata.wsgi import application  # noqa: F401\n")
    return target


def serve_baseline(folder: Path, tree: Path) -> tuple[subprocess.Popen, str]:
    """The portal at the baseline commit (``tree``) on this bench's databases."""
    return portal_bench.serve(folder / "ours.ini", folder, "before",
                              app="before_wsgi:application", chdir=tree)


def measures(rounds: int, names: list[str]) -> dict[str, object]:
    rng = random.Random(12)
    picks = [rng.choice(names) for _ in range(rounds)]
    facet = json.dumps(portal_bench.FACETS)
    queries = [q.replace(" ", "+") for q in portal_bench.QUERIES]
    return {
        "search": lambda base: [f"{base}/api/3/action/package_search?q={q}&rows=20"
                                f"&facet.field={facet}" for q in queries],
        "show": lambda base: [f"{base}/api/3/action/package_show?id={n}" for n in picks],
        "page": lambda base: [f"{base}/dataset/{n}" for n in picks],
        "search-page": lambda base: [f"{base}/dataset/?q={q}" for q in queries],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default="catalog", help="the bench_portal.py --name")
    parser.add_argument("--before", required=True, help="the baseline commit")
    parser.add_argument("--rounds", type=int, default=200, help="requests per measure")
    parser.add_argument("--measures", default="search,show,page,search-page")
    parser.add_argument("--stock-facets", choices=("ckan", "portal"), default="ckan",
                        help="stock's search page facets: CKAN's five, or the portal's nine "
                             "(like for like: the same Solr facets and as many facet boxes)")
    args = parser.parse_args()
    folder = ROOT / ".run" / "bench" / args.name
    tree = baseline_tree(folder, args.before)
    stock_ini = folder / "stock.ini"
    if args.stock_facets == "portal":
        stock_ini = folder / "stock-portal-facets.ini"
        stock_ini.write_text((folder / "stock.ini").read_text().replace(
            "[app:main]\n", f"[app:main]\nsearch.facets = {PORTAL_FACETS}\n", 1))
    servers = {"stock": portal_bench.serve(stock_ini, folder, "stock"),
               "before": serve_baseline(folder, tree),
               "now": portal_bench.serve(folder / "ours.ini", folder, "ours")}
    results: dict[str, object] = {"before": args.before, "rounds": args.rounds,
                                  "stock_facets": args.stock_facets, "latency_ms": {}}
    try:
        base = {label: url for label, (_, url) in servers.items()}
        names = [r["name"] for r in requests.get(
            base["now"] + "/api/3/action/package_search", params={"rows": 1000, "fl": "name"},
            timeout=60).json()["result"]["results"]]
        build = measures(args.rounds, names)
        print(f"{'ms':12} {'stock med':>9} {'p95':>6} | {'before med':>10} {'p95':>6} "
              f"{'ratio':>5} {'p95':>5} | {'now med':>8} {'p95':>6} {'ratio':>5} {'p95':>5} "
              "| load avg", flush=True)
        for key in args.measures.split(","):
            urls = {label: build[key](url) for label, url in base.items()}
            portal_bench.latencies(urls, 10)  # warm-up
            got = portal_bench.latencies(urls, args.rounds)
            stock = got["stock"]
            line = f"{key:12} {stock['median']:9.1f} {stock['p95']:6.1f}"
            for label in ("before", "now"):
                side = got[label]
                side["ratio_median"] = side["median"] / stock["median"]
                side["ratio_p95"] = side["p95"] / stock["p95"]
                line += (f" | {side['median']:10.1f} {side['p95']:6.1f} "
                         f"{side['ratio_median']:5.2f} {side['ratio_p95']:5.2f}")
            got["loadavg"] = list(os.getloadavg())
            print(line + " | " + " ".join(f"{x:.1f}" for x in got["loadavg"]), flush=True)
            results["latency_ms"][key] = got
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    (folder / f"pages-{args.stock_facets}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
