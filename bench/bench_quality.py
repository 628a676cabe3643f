"""Benchmark of the quality score (issue #11): a full rescore of a 10,000-dataset catalogue.

    .venv/bin/python bench/bench_quality.py -c test-NAME.ini [--datasets 10000]

Uses the CKAN database and Solr core of the given config (a sandbox; not while its tests run).

Seeding (skipped when the index already holds the datasets): ``--templates`` real datasets
(default 24: complete, partial, poor; every frequency, several formats; a third of their
resources with a link-check result, some broken) are made through ``package_create``; the rest
are *clones in the search index*: the Solr document CKAN builds for each template (captured from
its indexer, plugins' ``before_dataset_index`` included) copied with new ids, names, resource
ids and modification dates, and sent to Solr in batches of 1,000. ``package_create`` in a loop
(~0.3 s each) would take about an hour for 10,000; the rescore reads only the index, so clones
there are what it works on.

Measured, in the same run:

1. baseline: ``package_show`` of the real datasets (``--baseline`` calls), per dataset;
2. the full rescore (:func:`snapshot.rescore_all`: the index read by pages of 1,000, the
   link-check results of each page in one query, every indicator, the DCAT-AP check), total and
   per dataset, and the scoring alone (``score.evaluate``) per dataset;
3. storing the snapshot rows (one ``INSERT`` per day), and the peak memory of the process.

Goal: the full rescore of 10,000 datasets in under 2 minutes on 2 cores (~10 ms per dataset).
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import itertools
import json
import random
import resource
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PREFIX = "bench-q-"
FREQUENCIES = ["daily", "weekly", "monthly", "quarterly", "semiannual", "annual", "irregular",
               "never", None]


def _setup(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(ini))
    flask_app = getattr(app, "_wsgi_app", app)
    flask_app.test_request_context().push()


def complete_dataset(**overrides) -> dict:
    """Metadata that passes the review check (as ``tests/metadata/conftest.py``'s)."""
    return {
        "title": "Dân số trung bình phân theo huyện", "title_en": "Average population",
        "notes": "Dân số trung bình hằng năm của các huyện.", "theme": ["dan-cu-xa-hoi"],
        "spatial_units": ["old-794"], "temporal_start": "2020-01-01",
        "temporal_end": "2024-12-31", "frequency": "annual",
        "contact_points": [{"name": "Phòng Thống kê", "email": "thongke@longan.gov.vn"}],
        "license_id": "vn-open-data-1.0", "contains_personal_data": "no", **overrides}


def _template_fields(i: int, org_id: str) -> dict:
    fmt = ["CSV", "XLSX", "PDF", "JSON", "GeoJSON", "TXT"][i % 6]
    resources = [{"url": f"http://data.bench.test/{i}/{k}.{fmt.lower()}", "format": fmt,
                  "name": f"Tệp {k}", "description": "Số liệu" if k % 2 else "",
                  "size": 1000 * (k + 1) if i % 3 else None} for k in range(1 + i % 3)]
    data = complete_dataset(owner_org=org_id, name=f"{PREFIX}mau-{i}",
                            title=f"Bộ dữ liệu mẫu {i}", frequency=FREQUENCIES[i % 9],
                            tag_string="thống kê,dân số" if i % 4 else "",
                            resources=resources)
    if i % 5 == 0:      # a poor one
        for key in ("title_en", "notes", "theme", "spatial_units", "temporal_start",
                    "temporal_end", "contact_points"):
            data.pop(key, None)
    return {k: v for k, v in data.items() if v is not None}


def _templates(count: int) -> list[dict]:
    import ckan.plugins.toolkit as tk
    from ckan import model

    from ckanext.longan_opendata.linkcheck import results as checks

    site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    org = model.Group.get("bench-chat-luong") or model.Group.get(tk.get_action(
        "organization_create")({"user": site}, {"name": "bench-chat-luong",
                                                "title": "Sở Bench"})["id"])
    made = []
    for i in range(count):
        name = f"{PREFIX}mau-{i}"
        if model.Package.get(name) is None:
            context = {"user": site, "longan_workflow_state": "published"}
            tk.get_action("package_create")(context, _template_fields(i, org.id))
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": name})
        for k, res in enumerate(pkg["resources"]):
            if (i + k) % 3 == 0:
                broken = (i + k) % 2 == 0
                checks.save(res["id"], pkg["id"], {
                    "url": res["url"], "status": "broken" if broken else "ok",
                    "http_status": 404 if broken else 200, "format_ok": None if broken else True})
        made.append(pkg)
    return made


def _captured_docs(pkgs: list[dict]) -> list[dict]:
    """The Solr documents CKAN's indexer builds for ``pkgs`` (its connection captured)."""
    from ckan.lib.search import index as search_index
    from ckan.lib.search import rebuild

    captured: list[dict] = []

    class _Capture:
        def add(self, docs, commit=False):
            captured.extend(docs)

    real = search_index.make_connection
    search_index.make_connection = lambda *a, **k: _Capture()
    try:
        for pkg in pkgs:
            rebuild(pkg["id"], defer_commit=True)
    finally:
        search_index.make_connection = real
    return captured


def _clone(doc: dict, n: int, site_id: str) -> dict:
    """A copy of ``doc`` as the ``n``-th bench dataset (ids derived from the name: a second
    seeding overwrites the same documents)."""
    clone = copy.deepcopy(doc)
    name = f"{PREFIX}{n}"
    rng = random.Random(name)
    new_id = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    modified = (dt.datetime(2026, 12, 1) - dt.timedelta(days=rng.randint(0, 900))).isoformat()
    data = json.loads(clone["validated_data_dict"])
    data.update(id=new_id, name=name, metadata_modified=modified)
    for res in data.get("resources") or []:
        res["id"] = str(uuid.UUID(int=rng.getrandbits(128)))
        res["package_id"] = new_id
    clone.update(id=new_id, name=name, title=f"{doc['title']} · {n}",
                 metadata_modified=modified + "Z", validated_data_dict=json.dumps(data),
                 index_id=hashlib.md5(f"{new_id}{site_id}".encode()).hexdigest())
    clone.pop("data_dict", None)
    return clone


def seed(count: int, templates: int) -> int:
    import ckan.plugins.toolkit as tk
    from ckan.lib.search.common import make_connection

    solr = make_connection()
    have = solr.search(q=f"name:{PREFIX}*", rows=0).hits
    if have == count:
        print(f"seed: {have} bench datasets already in the index (reused)")
        return have
    if have:   # another size: the clones go, the real templates stay
        solr.delete(q=f"name:{PREFIX}* -name:{PREFIX}mau-*", commit=True)
    started = time.perf_counter()
    pkgs = _templates(templates)
    docs = _captured_docs(pkgs)
    print(f"seed: {len(pkgs)} real datasets made, {time.perf_counter() - started:.1f} s")
    site_id = tk.config.get("ckan.site_id")
    started, batch = time.perf_counter(), []
    for n in range(count - templates):
        batch.append(_clone(docs[n % len(docs)], n, site_id))
        if len(batch) == 1000:
            solr.add(batch, commit=False)
            batch = []
    if batch:
        solr.add(batch, commit=False)
    solr.commit()
    total = solr.search(q=f"name:{PREFIX}*", rows=0).hits
    print(f"seed: {total} bench datasets in the index (clones sent in "
          f"{time.perf_counter() - started:.1f} s)")
    return total


def baseline(calls: int) -> float:
    import ckan.plugins.toolkit as tk
    from ckan import model
    ids = [p.id for p in model.Session.query(model.Package.id).filter(
        model.Package.name.like(PREFIX + "%"), model.Package.state == "active")]
    show = tk.get_action("package_show")
    started = time.perf_counter()
    for i in range(calls):
        show({"ignore_auth": True}, {"id": ids[i % len(ids)]})
    return (time.perf_counter() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--templates", type=int, default=24)
    parser.add_argument("--baseline", type=int, default=200, help="package_show calls")
    args = parser.parse_args()
    _setup(args.config)

    from ckanext.longan_opendata.quality import score, snapshot

    seed(args.datasets, args.templates)
    per_show = baseline(args.baseline)
    print(f"baseline: package_show {per_show * 1000:.1f} ms per dataset "
          f"({args.baseline} calls)")

    started = time.perf_counter()
    rows = list(snapshot.rescore_all(dt.date.today()))
    rescore = time.perf_counter() - started
    per = rescore / len(rows)
    print(f"rescore: {len(rows)} datasets in {rescore:.1f} s, {per * 1000:.2f} ms per dataset "
          f"({per / per_show:.3f} × a package_show); goal: under 120 s for 10,000 "
          f"-> {'met' if rescore * 10_000 / len(rows) < 120 else 'NOT met'}")

    pkgs = [item["pkg"] for item in itertools.islice(snapshot.indexed_datasets(), 2000)]
    started = time.perf_counter()
    for pkg in pkgs:
        score.evaluate(pkg, {})
    alone = (time.perf_counter() - started) / len(pkgs)
    print(f"scoring alone: {alone * 1000:.2f} ms per dataset ({len(pkgs)} datasets)")

    started = time.perf_counter()
    snapshot.store(rows)
    print(f"snapshot: {len(rows)} rows stored in {time.perf_counter() - started:.1f} s")
    ratings = {r: sum(1 for row in rows if row["rating"] == r) for r in score.RATING_LABELS}
    print(f"ratings: {ratings}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
