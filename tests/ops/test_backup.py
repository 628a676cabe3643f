"""``ckan longan backup`` then ``ckan longan restore`` onto an empty installation, end to end.

The portal (the sandbox's databases, Solr core and file store) holds drafts, published and withdrawn
datasets with uploaded files and DataStore tables, a real harvest of the demo LGSP service (job,
objects, harvested DataStore tables) and usage figures. It is backed up; then a private PostgreSQL
cluster started by the test (fresh databases) and a fresh Solr core receive it through the real
``ckan longan restore`` command, and every count, every dataset's workflow state, every DataStore
row and file must match.
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.ops import backup as bk
from ckanext.longan_opendata.ops import inventory
from ckanext.longan_opendata.portal import usage

from .private_services import PrivatePostgres, SolrCore

CKAN = str(Path(sys.executable).with_name("ckan"))
SECRET = "khoa-bi-mat-sao-luu-0001"


def _harvest() -> dict[str, Any]:
    """One real harvest of the demo LGSP service (a job, its objects, harvested tables)."""
    from ckanext.longan_opendata.demo.lgsp import LgspDemo
    from ckanext.longan_opendata.harvesters.api import LonganApiHarvester
    from tests.harvesters.conftest import create_source, run_harvest

    sysadmin = factories.Sysadmin()
    org = factories.Organization(user=sysadmin, name="cuc-thong-ke", title="Cục Thống kê")
    with LgspDemo(api_key=SECRET, client_secret="bi-mat-khac-0002") as demo:
        config = {"base_url": demo.url, "timeout": 5, "retries": 1, "backoff": 0.05,
                  "auth": {"type": "api_key", "header": "X-API-Key",
                           "key_env": "LONGAN_HARVEST_LGSP_API_KEY"},
                  "endpoints": [{"path": "/api/v1/truong-hoc", "records_path": "result.records",
                                 "title": "Trường học (LGSP)",
                                 "pagination": {"type": "offset", "offset_param": "offset",
                                                "limit_param": "limit", "size": 75}}]}
        source = create_source(sysadmin, org, "longan_api", demo.url, config, name="lgsp")
        results = run_harvest(source, LonganApiHarvester())
    assert {r["state"] for r in results.values()} == {"COMPLETE"}
    return source


@pytest.fixture(scope="module")
def portal(empty_site, tmp_path_factory):
    """The portal's content and its backup directory (built once for the module)."""
    from tests.workflow.conftest import _make_world

    mp = pytest.MonkeyPatch()
    mp.setenv("LONGAN_HARVEST_LGSP_API_KEY", SECRET)
    mp.setitem(tk.config, "ckan.storage_path", str(tmp_path_factory.mktemp("kho-tep")))
    plugins.load_all()  # under this module's storage path; unloaded when the module ends
    empty_site()
    world = _make_world()
    datasets = {state: world.fresh(state, datastore=True)
                for state in (wf.DRAFT, wf.PUBLISHED, wf.WITHDRAWN, wf.PENDING)}
    datasets["second_published"] = world.fresh(wf.PUBLISHED)
    _harvest()
    published = datasets[wf.PUBLISHED]
    for _ in range(3):
        usage.record(usage.VIEW, published["id"], published["id"])
    usage.record(usage.DOWNLOAD, published["resources"][0]["id"], published["id"])
    directory = tmp_path_factory.mktemp("sao-luu") / "2026-12-02"
    manifest = bk.backup(tk.config, str(directory), echo=lambda _m: None)
    yield {"datasets": datasets, "dir": directory, "manifest": manifest}
    mp.undo()
    plugins.unload_all()


@pytest.fixture(scope="module")
def target(portal, tmp_path_factory):
    """An empty installation: a private PostgreSQL with fresh databases, a fresh Solr core,
    an empty file store, and the ini file that points at them."""
    pg = PrivatePostgres().init()
    names = {}
    for key in ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url"):
        url = sa.engine.make_url(tk.config[key])
        pg.sql(f"DO $$BEGIN CREATE ROLE {url.username} LOGIN PASSWORD '{url.password}'; "
               "EXCEPTION WHEN duplicate_object THEN NULL; END$$")
        names[key] = url
    owner = names["sqlalchemy.url"].username
    pg.sql(f"CREATE DATABASE ckan_restored OWNER {owner}")
    pg.sql(f"CREATE DATABASE datastore_restored OWNER {owner}")
    core = SolrCore(tk.config["solr_url"], f"ckan_restored_{uuid.uuid4().hex[:8]}")
    core.create(like=tk.config["solr_url"].rstrip("/").rsplit("/", 1)[1])
    storage = tmp_path_factory.mktemp("kho-tep-moi")
    config = {
        "sqlalchemy.url": pg.url(owner, names["sqlalchemy.url"].password, "ckan_restored"),
        "ckan.datastore.write_url": pg.url(owner, names["sqlalchemy.url"].password,
                                           "datastore_restored"),
        "ckan.datastore.read_url": pg.url(names["ckan.datastore.read_url"].username,
                                          names["ckan.datastore.read_url"].password,
                                          "datastore_restored"),
        "solr_url": core.url, "ckan.storage_path": str(storage),
    }
    ini = storage.parent / "restored.ini"
    ini.write_text("[app:main]\nuse = config:{}\n{}\n".format(
        Path(tk.config["__file__"]).resolve(), "\n".join(f"{k} = {v}" for k, v in config.items())))
    yield {"pg": pg, "core": core, "config": config, "ini": str(ini)}
    core.drop()
    pg.destroy()


def _restore(target: dict[str, Any], directory: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([CKAN, "-c", target["ini"], "longan", "restore", str(directory), *extra],
                          capture_output=True, text=True, timeout=300)


def _inventory(config: dict[str, Any]) -> dict[str, Any]:
    return bk._restored_inventory(config)


def test_backup_holds_what_the_portal_holds_and_no_secret(portal):
    manifest, directory = portal["manifest"], portal["dir"]
    counts = manifest["counts"]
    assert manifest["datasets_per_state"][wf.PUBLISHED] == 2
    assert manifest["datasets_per_state"][wf.DRAFT] == 1
    assert manifest["datasets_per_state"][wf.WITHDRAWN] == 1
    assert counts["harvest_jobs"] == 1 and counts["harvest_objects"] >= 1
    assert counts["usage_total"] == 4 and counts["datastore_tables"] >= 5
    assert counts["files"] == 5 and len(manifest["files"]) == 5
    assert {p.name for p in directory.iterdir()} == {
        "ckan.dump", "datastore.dump", "files", "harvest_sources.json", "manifest.json"}
    sources = json.loads((directory / "harvest_sources.json").read_text())
    assert sources[0]["config"]["auth"]["key_env"] == "LONGAN_HARVEST_LGSP_API_KEY"
    for path in directory.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    for name, digest in manifest["files"].items():
        assert inventory.sha256(directory / "files" / name) == digest


def test_backup_refuses_a_directory_that_is_not_empty(portal, cli):
    from ckan.cli.cli import ckan

    result = cli.invoke(ckan, ["longan", "backup", str(portal["dir"])])
    assert result.exit_code == 2
    assert "không trống" in result.output


def test_backup_refuses_to_write_a_secret(portal, tmp_path, monkeypatch):
    """A secret value that appears in what a backup writes (here a dataset's name, which the
    manifest lists) makes the backup fail and removes the file."""
    monkeypatch.setenv("LONGAN_HARVEST_KHONG_DAT", portal["datasets"][wf.DRAFT]["name"])
    with pytest.raises(bk.BackupError, match="bí mật"):
        bk.backup(tk.config, str(tmp_path / "b"), echo=lambda _m: None)
    assert not (tmp_path / "b" / "manifest.json").exists()


def test_restore_onto_an_empty_installation_matches_everything(portal, target):
    done = _restore(target, portal["dir"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "khớp" in done.stdout
    restored = _inventory(target["config"])
    manifest = portal["manifest"]
    assert inventory.differences(manifest, restored) == []
    assert restored["dataset_states"] == manifest["dataset_states"]
    for state, dataset in portal["datasets"].items():
        assert restored["dataset_states"][dataset["name"]] == dataset["workflow_state"], state
    # every DataStore row, compared row by row with the portal's
    source = sa.create_engine(tk.config["ckan.datastore.write_url"], poolclass=sa.pool.NullPool)
    copy = sa.create_engine(target["config"]["ckan.datastore.read_url"],
                            poolclass=sa.pool.NullPool)  # the read-only user reads them too
    for table in manifest["datastore"]["tables"]:
        query = sa.text(f'SELECT * FROM "{table}" ORDER BY _id')
        with source.connect() as a, copy.connect() as b:
            assert a.execute(query).all() == b.execute(query).all(), table
    # the fresh core holds every dataset, the published one is found by its title
    assert target["core"].count() == manifest["counts"]["packages_not_deleted"]
    published = portal["datasets"][wf.PUBLISHED]
    assert target["core"].count(f'name:"{published["name"]}" AND capacity:public') == 1
    draft = portal["datasets"][wf.DRAFT]
    assert target["core"].count(f'name:"{draft["name"]}" AND capacity:private') == 1


def test_restore_refuses_a_target_that_is_not_empty(portal, target):
    config = {**target["config"]}
    with pytest.raises(bk.BackupError, match="không trống"):
        bk.restore(config, str(portal["dir"]), reindex=lambda: 0, echo=lambda _m: None)


def test_restore_reports_a_mismatch(portal, target, tmp_path):
    """A manifest that disagrees with the data (a dataset's state changed): --force restores,
    lists the difference and returns it (the command exits 1)."""
    import shutil

    copy = tmp_path / "hong"
    shutil.copytree(portal["dir"], copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    name = portal["datasets"][wf.DRAFT]["name"]
    manifest["dataset_states"][name] = wf.PUBLISHED
    (copy / "manifest.json").write_text(json.dumps(manifest))
    diffs = bk.restore(target["config"], str(copy), reindex=lambda: manifest["counts"][
        "packages_not_deleted"], force=True, echo=lambda _m: None)
    assert diffs == [f"trạng thái bộ dữ liệu {name}: sao lưu 'published', khôi phục 'draft'"]
