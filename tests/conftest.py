"""Fixtures shared by the test suite. CKAN's pytest plugin (``--ckan-ini=test.ini``) provides
``clean_index``, ``ckan_config`` and friends; ``with_plugins`` and ``app`` are CKAN's with the
plugins and the application kept between tests while nothing changed them (tests/fast.py); the
services are the real ones started by ``scripts/services.sh``."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fast import PROJECT_MIGRATED_PLUGINS, app, ensure_plugins, migrate, with_plugins  # noqa: F401
from tests.smtp import inbox  # noqa: F401 (a fixture of the whole suite)


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """Empty CKAN database with the tables of the plugins that have their own migrations."""
    reset_db()
    migrate(migrate_db_for)


@pytest.fixture()
def clean_datastore(clean_db, clean_index):
    """Empty DataStore database (as CKAN's own datastore tests do)."""
    import ckanext.datastore.tests.helpers as datastore_helpers

    engine = datastore_helpers.db.get_write_engine()
    datastore_helpers.rebuild_all_dbs(
        datastore_helpers.orm.scoped_session(datastore_helpers.orm.sessionmaker(bind=engine)))


_worlds: dict[str, Any] = {}


@pytest.fixture(scope="session")
def empty_site(reset_db, migrate_db_for, reset_index) -> Callable[[], None]:
    """``empty_site()`` loads the plugins, empties the database (with every migration applied)
    and the search index: the start of a module's own world (``clean_db`` is the per-test one)."""
    def empty() -> None:
        ensure_plugins()
        reset_db()
        migrate(migrate_db_for)
        reset_index()

    return empty


@pytest.fixture(scope="session")
def build_once(empty_site) -> Callable[[str, Callable[[], Any]], Any]:
    """``build_once(key, build)``: the test world ``key``, made by ``build()`` on an emptied
    database and search index once per session, and made again when another test module has
    emptied the database since (its agency, ``world.org``, is gone). The plugins are loaded."""
    from ckan import model

    def get(key: str, build: Callable[[], Any]) -> Any:
        ensure_plugins()
        built = _worlds.get(key)
        if built is None or model.Group.get(built.org["id"]) is None:
            empty_site()
            built = _worlds[key] = build()
        return built

    return get


#: the modules that share the publish workflow's world (``build_once("workflow", …)``), in the
#: order they run: one after the other, so that the world is built once rather than again after
#: each module in between that empties the site
WORKFLOW_WORLD_MODULES = ("tests/datarequests/", "tests/feedback/", "tests/workflow/",
                          "tests/ops/test_faults.py")
#: the longest groups of modules, run first so that the parallel workers finish together
LONGEST_GROUPS = ("workflow-world", "tests/ops", "tests/harvesters", "tests/portal")


def group_of(nodeid: str) -> str:
    """The group of modules a test belongs to, which one parallel worker runs in the order
    collected (their module and session worlds built once): the modules of the workflow's world
    but the fault tests (which build it again on their own), else the test's folder."""
    if any(nodeid.startswith(prefix) for prefix in WORKFLOW_WORLD_MODULES[:-1]):
        return "workflow-world"
    folder, _, _ = nodeid.partition("::")[0].rpartition("/")
    return folder


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest groups first; the modules of the workflow's world together, the fault tests
    right after them (one process then builds that world once)."""
    def rank(item: pytest.Item) -> tuple[int, int]:
        group = group_of(item.nodeid)
        first = LONGEST_GROUPS.index(group) if group in LONGEST_GROUPS else len(LONGEST_GROUPS)
        member = next((i for i, prefix in enumerate(WORKFLOW_WORLD_MODULES)
                       if item.nodeid.startswith(prefix)), len(WORKFLOW_WORLD_MODULES))
        return first, member

    items.sort(key=rank)  # stable: collection order within a group


def pytest_configure(config: pytest.Config) -> None:
    """A parallel worker other than the first (``make test`` runs pytest-xdist's gw0 and gw1)
    runs on its own databases, Solr core and Redis databases: ``test-gw1.ini`` next to
    ``test.ini``, written by ``scripts/setup-ckan.sh test``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if worker == "gw0" or not config.option.ckan_ini:
        return
    base = Path(config.option.ckan_ini)
    ini = base.with_name(f"{base.stem}-{worker}.ini")
    if not ini.exists():
        raise pytest.UsageError(f"{ini} is missing: scripts/setup-ckan.sh test writes "
                                f"test-gw1.ini ... (TEST_WORKERS=N for N workers); a sandbox's "
                                f"config (scripts/sandbox.sh) runs in one process, without -n")
    config.option.ckan_ini = str(ini)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N`` hands out whole groups (:func:`group_of`), longest first."""
    if config.getvalue("dist") not in ("load", "loadscope"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    config.option.loadscopereorder = False
    return GroupScheduling(config, log)
