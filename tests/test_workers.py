"""The parallel test workers (``make test``: pytest-xdist, tests/conftest.py) never share data:
each worker's config, written by ``scripts/setup-ckan.sh test``, names its own databases, Solr
core, Redis databases, site id and storage folder; whole folders of modules go to one worker."""
from __future__ import annotations

from pathlib import Path

import pytest
from ckan.cli import CKANConfigLoader

from tests.conftest import group_of

ROOT = Path(__file__).resolve().parents[1]
#: what each worker must have for itself
PRIVATE = ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url", "solr_url",
           "ckan.redis.url", "ckan.harvest.mq.redis_db", "ckan.site_id", "ckan.storage_path")


def test_each_worker_config_has_its_own_databases_core_redis_and_site():
    workers = sorted(ROOT.glob("test-gw*.ini"))
    if not workers:
        pytest.skip("no worker config: scripts/setup-ckan.sh test writes test-gw1.ini")
    configs = [CKANConfigLoader(str(ini)).get_config()
               for ini in [ROOT / "test.ini", *workers]]
    for key in PRIVATE:
        values = [config.get(key) for config in configs]
        assert all(values) and len(set(values)) == len(values), (key, values)
    # the rest is test.ini's, inherited
    assert {c["ckan.plugins"] for c in configs} == {configs[0]["ckan.plugins"]}


def test_a_folder_goes_whole_to_one_worker_and_the_workflow_world_together():
    assert group_of("tests/harvesters/test_a.py::test_x") == "tests/harvesters"
    assert group_of("tests/harvesters/test_b.py::test_y[1]") == "tests/harvesters"
    assert group_of("tests/test_lang.py::test_z") == "tests"
    world = {group_of(f"{prefix}test_m.py::t") for prefix in
             ("tests/datarequests/", "tests/feedback/", "tests/workflow/")}
    assert world == {"workflow-world"}
    # the fault tests build that world again on their own: they go with the other ops modules
    assert group_of("tests/ops/test_faults.py::test_f") == "tests/ops"
