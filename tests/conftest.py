"""Fixtures shared by the test suite. CKAN's pytest plugin (``--ckan-ini=test.ini``) provides
``clean_index``, ``ckan_config`` and friends; ``with_plugins`` and ``app`` are CKAN's with the
plugins and the application kept between tests while nothing changed them (tests/fast.py); the
services are the real ones started by ``scripts/services.sh``."""
from __future__ import annotations

from collections.abc import Callable
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the modules of the workflow's world together, where the first of them would run."""
    def member(item: pytest.Item) -> int | None:
        return next((i for i, prefix in enumerate(WORKFLOW_WORLD_MODULES)
                     if item.nodeid.startswith(prefix)), None)

    first = next((n for n, item in enumerate(items) if member(item) is not None), None)
    if first is None:
        return
    grouped = sorted((item for item in items if member(item) is not None), key=member)
    others = [item for item in items if member(item) is None]
    items[:] = others[:first] + grouped + others[first:]
