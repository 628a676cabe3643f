"""Scale-out on ckanext-harvest's own Redis queue: one gather consumer and two fetch consumers, real
``ckan harvester …-consumer`` processes on the test config, harvest a source of 20 tables; every
object is imported exactly once and both fetch consumers do part of the work."""
from __future__ import annotations

import os
import re
import time

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckanext.harvest import model as harvest_model
from ckanext.harvest import queue

from ckanext.longan_opendata.harvesters.consumer_procs import running_consumers

from .conftest import create_source

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

TABLES = 20
ONE_IMPORT = ["longan workflow package", "new package"]  # its creation and publication


def activity_types(package_id: str) -> list[str]:
    from ckanext.activity.model import Activity

    return sorted(a.activity_type for a in model.Session.query(Activity)
            .filter_by(object_id=package_id))


def _ini() -> str:
    path = tk.config.get("__file__")
    assert path and os.path.exists(path), "the test config file is needed by the consumers"
    return path


@pytest.fixture()
def consumers(tmp_path, reader_env):
    """A gather consumer and two fetch consumers (name → (process, log)); always ended."""
    with running_consumers(_ini(), tmp_path, fetch=2) as procs:
        yield {name: (c.process, c.log) for name, c in procs.items()}


def test_two_fetch_consumers_import_every_object_exactly_once(
        shared_database, reader_env, sysadmin, org, owner_conn, scratch_schema, consumers):
    with owner_conn.cursor() as cur:
        for i in range(1, TABLES + 1):
            cur.execute(f"CREATE TABLE kiem_thu.bang_{i:02d} AS SELECT g AS stt, "
                        f"'Xã số ' || g AS ten_xa, g * {i} AS gia_tri "
                        f"FROM generate_series(1, {200 + i}) g")
    tables = [{"schema": "kiem_thu", "table": f"bang_{i:02d}", "title": f"Bảng kiểm thử {i}"}
              for i in range(1, TABLES + 1)]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           {"url": shared_database["reader_url"], "password_env": reader_env,
                            "tables": tables}, name="nguon-hai-consumer")
    job = tk.get_action("harvest_job_create")({"user": sysadmin["name"]},
                                              {"source_id": source["id"], "run": True})

    deadline = time.monotonic() + 180
    while True:
        model.Session.remove()
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
        model.Session.remove()
        status = harvest_model.HarvestJob.get(job["id"]).status
        if status == "Finished":
            break
        for name, (proc, log) in consumers.items():
            assert proc.poll() is None, f"{name} died: " + log.read_text()[-2000:]
        assert time.monotonic() < deadline, "the job did not finish in 180 s"
        time.sleep(1)

    objects = (model.Session.query(harvest_model.HarvestObject)
               .filter_by(harvest_job_id=job["id"]).all())
    assert len(objects) == TABLES
    assert {o.state for o in objects} == {"COMPLETE"}, [
        (o.guid, o.state, [e.message for e in o.errors]) for o in objects]
    assert len({o.guid for o in objects}) == TABLES  # one object per table
    assert all(o.import_started and o.import_finished for o in objects)
    current = (model.Session.query(harvest_model.HarvestObject.guid)
               .filter_by(harvest_source_id=source["id"], current=True).all())
    assert sorted(g for (g,) in current) == sorted(o.guid for o in objects)  # one current each
    package_ids = {o.package_id for o in objects}
    assert len(package_ids) == TABLES  # one dataset per guid
    datasets = (model.Session.query(model.Package)
                .filter_by(owner_org=org["id"], type="dataset", state="active").all())
    assert sorted(p.id for p in datasets) == sorted(package_ids)  # no duplicates
    assert len({p.title for p in datasets}) == TABLES
    # imported once: the activities of one import (a second import adds "changed package")
    assert all(activity_types(p.id) == ONE_IMPORT for p in datasets)
    # indexed without a Solr commit each, yet all searchable once the job is Finished
    found = tk.get_action("package_search")(
        {"user": sysadmin["name"]}, {"fq": f"owner_org:{org['id']}", "rows": 0,
                                     "include_private": True})
    assert found["count"] == TABLES

    # both fetch consumers worked; a message delivered twice (harvest_jobs_run re-sends WAITING
    # objects it does not see in the list) was recognised and its work not redone
    received, reused = {}, {}
    for name in ("fetch-1", "fetch-2"):
        text = consumers[name][1].read_text(errors="replace")
        received[name] = re.findall(r"Received harvest object id: ([0-9a-f-]{36})", text)
        reused[name] = re.findall(r"([0-9a-f-]{36}): already processed by another consumer", text)
    everything = received["fetch-1"] + received["fetch-2"]
    assert set(everything) == {o.id for o in objects}
    assert len(everything) == TABLES + len(reused["fetch-1"]) + len(reused["fetch-2"]), received
    assert received["fetch-1"] and received["fetch-2"], {k: len(v) for k, v in received.items()}


def test_an_object_delivered_again_is_not_imported_twice(shared_database, reader_env, sysadmin,
                                                         org):
    from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

    from .conftest import run_harvest

    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           {"url": shared_database["reader_url"], "password_env": reader_env,
                            "tables": [{"schema": "thong_ke", "table": "luong_mua_thang"}]})
    [result] = run_harvest(source, LonganSqlHarvester()).values()
    assert result["state"] == "COMPLETE" and result["report_status"] == "added"
    obj = harvest_model.HarvestObject.get(result["obj_id"])
    activities = activity_types(obj.package_id)
    queue.fetch_and_import_stages(LonganSqlHarvester(), obj)  # what a re-sent message does
    obj = harvest_model.HarvestObject.get(result["obj_id"])
    assert (obj.state, obj.report_status) == ("COMPLETE", "added")
    assert activity_types(obj.package_id) == activities == ONE_IMPORT
