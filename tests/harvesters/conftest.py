"""Fixtures of the harvester tests: the demo shared database on the real PostgreSQL (as its owner
and its read-only role), harvest sources, and ``run_harvest`` (the three stages without queues, as
ckanext-harvest's ``tests/lib.py`` does)."""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.harvest import model as harvest_model
from ckanext.harvest.tests.lib import run_harvest_job

from ckanext.longan_opendata.demo import shared_db

ROOT = Path(__file__).resolve().parents[2]
# the roles are cluster-wide: checkouts sharing a PostgreSQL should share this file
SECRETS = Path(os.environ.get("LONGAN_SHARED_SECRETS_FILE") or ROOT / ".run" / "shared-db.env")
SEED_ROWS = 3_000


def shared_db_name() -> str:
    """longan_shared_test for test.ini, longan_shared_NAME for a sandbox's test-NAME.ini."""
    site = tk.config.get("ckan.site_id") or "longan_test"
    suffix = site.removeprefix("longan_test").lstrip("_") or "test"
    return f"longan_shared_{suffix}"


@pytest.fixture(scope="session")
def shared_database() -> dict[str, Any]:
    """The seeded demo database: name, reader URL (no password), owner connection factory."""
    secrets = shared_db.ensure_roles(SECRETS)
    name = shared_db_name()
    counts = shared_db.seed(shared_db.owner_url(name), rows=SEED_ROWS, secrets_file=str(SECRETS),
                            echo=lambda _m: None)
    return {"name": name, "reader_url": shared_db.reader_url(name), "counts": counts,
            "reader_password": secrets[shared_db.READER_PW_KEY]}


@pytest.fixture()
def owner_conn(shared_database) -> Iterator[Any]:
    """An autocommit connection as the owner of the demo database (to change the source)."""
    conn = shared_db.connect(shared_db.owner_url(shared_database["name"]), str(SECRETS))
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture()
def scratch_schema(owner_conn) -> Iterator[str]:
    """An empty schema ``kiem_thu`` (readable by the reader role) for tests that alter tables."""
    with owner_conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS kiem_thu CASCADE; CREATE SCHEMA kiem_thu; "
                    "GRANT USAGE ON SCHEMA kiem_thu TO longan_shared_reader; "
                    "ALTER DEFAULT PRIVILEGES IN SCHEMA kiem_thu "
                    "GRANT SELECT ON TABLES TO longan_shared_reader")
    yield "kiem_thu"
    with owner_conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS kiem_thu CASCADE")


@pytest.fixture()
def reader_env(shared_database, monkeypatch) -> str:
    """The reader's password in the environment variable the sources name."""
    monkeypatch.setenv("LONGAN_HARVEST_SHARED_DB_PW", shared_database["reader_password"])
    return "LONGAN_HARVEST_SHARED_DB_PW"


@pytest.fixture()
def sysadmin() -> dict[str, Any]:
    return factories.SysadminWithToken()


@pytest.fixture()
def org(sysadmin) -> dict[str, Any]:
    return factories.Organization(user=sysadmin, name="cuc-thong-ke", title="Cục Thống kê")


def create_source(sysadmin: dict[str, Any], org: dict[str, Any], source_type: str, url: str,
                  config: dict[str, Any], name: str = "nguon-csdl-dung-chung",
                  frequency: str = "MANUAL") -> dict[str, Any]:
    return tk.get_action("harvest_source_create")(
        {"user": sysadmin["name"]},
        {"name": name, "title": "Nguồn " + name, "url": url, "source_type": source_type,
         "owner_org": org["id"], "config": json.dumps(config, ensure_ascii=False),
         "frequency": frequency})


def run_harvest(source: dict[str, Any], harvester: Any) -> dict[str, dict[str, Any]]:
    """Gather, fetch and import one job of ``source`` synchronously; results by guid."""
    source_obj = harvest_model.HarvestSource.get(source["id"])
    job = harvest_model.HarvestJob(source=source_obj)
    job.save()
    results = run_harvest_job(job, harvester)
    for result in results.values():  # the errors as saved, not a possibly stale relationship
        result["errors"] = (harvest_model.Session.query(harvest_model.HarvestObjectError)
                            .filter_by(harvest_object_id=result["obj_id"])
                            .order_by(harvest_model.HarvestObjectError.created).all())
    return results


def update_source_config(sysadmin: dict[str, Any], source: dict[str, Any],
                         config: dict[str, Any]) -> dict[str, Any]:
    data = {k: source[k] for k in ("id", "name", "title", "url", "source_type", "owner_org",
                                   "frequency")}
    data["config"] = json.dumps(config, ensure_ascii=False)
    return tk.get_action("harvest_source_update")({"user": sysadmin["name"]}, data)


def datastore_rows(resource_id: str, **kw: Any) -> dict[str, Any]:
    return tk.get_action("datastore_search")({"ignore_auth": True},
                                             {"resource_id": resource_id, **kw})


def activity_count(package_id: str) -> int:
    from ckan import model
    from ckanext.activity.model import Activity

    return model.Session.query(Activity).filter_by(object_id=package_id).count()


@pytest.fixture()
def lgsp(monkeypatch) -> Iterator[Any]:
    """The demo LGSP service on a free port of 127.0.0.1 (real HTTP), with its secrets in the
    environment variables the sources name."""
    from ckanext.longan_opendata.demo.lgsp import LgspDemo

    monkeypatch.setenv("LONGAN_HARVEST_LGSP_API_KEY", "khoa-kiem-thu")
    monkeypatch.setenv("LONGAN_HARVEST_LGSP_CLIENT_SECRET", "bi-mat-kiem-thu")
    with LgspDemo(api_key="khoa-kiem-thu", client_secret="bi-mat-kiem-thu") as demo:
        yield demo


def control(demo: Any, **switches: Any) -> None:
    import requests

    requests.post(demo.url + "/_control", json=switches, timeout=5).raise_for_status()


def approve_auto_publish(user: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """Approve the source's ``auto_publish`` as ``user`` (issue 16): without it harvested
    datasets arrive ``pending_review``; any later edit of the source voids it."""
    return tk.get_action("longan_harvest_source_approve_auto_publish")(
        {"user": user["name"]}, {"id": source["id"]})
