"""Faster versions of three of CKAN's test fixtures, with the same guarantees per test.

CKAN's own fixtures redo, for every test, work whose result is the same each time:

- ``with_plugins`` unloads every plugin after the test and loads them all again before the
  next one (``environment.update_config``: schemas, templates, helpers…);
- ``app`` builds a new Flask application (``make_app`` loads every plugin once more);
- ``clean_db`` (ours) runs the alembic migrations of three plugins, which find nothing to do
  after the first time.

Here the plugins of ``ckan.plugins`` stay loaded from one test to the next as long as nothing
changed them: a test with a ``ckan_config`` mark (an option a plugin may read when it is loaded)
or a ``with_plugins`` mark, or a module that unloaded them, gets CKAN's full reload, and so does
the test after it. The Flask application is kept for the same loaded plugins and the same
``ckan_config`` marks; every test still gets a new test client (its own cookies). The migrations
run again whenever the database lost a plugin's tables or its alembic version. The database is
still emptied (``reset_db``) and the search index cleared before every test that asks for it.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import ckan.plugins as plugins
import pytest
from ckan.common import aslist
from ckan.plugins import core as plugins_core

PROJECT_MIGRATED_PLUGINS = ("activity", "harvest", "longan_opendata")

_state: dict[str, Any] = {"clean_plugins": None, "revisions": None}
_apps: dict[tuple[Any, ...], Any] = {}


def _marks(request: pytest.FixtureRequest, name: str) -> tuple[tuple[Any, ...], ...]:
    """The arguments of each ``name`` mark of the test."""
    return tuple(tuple(m.args) for m in request.node.iter_markers(name))


def load_plugins(request: pytest.FixtureRequest, ckan_config: Any) -> bool:
    """Make the loaded plugins those of ``ckan.plugins``; True when they were reloaded."""
    wanted = aslist(ckan_config["ckan.plugins"])
    marked = bool(_marks(request, "ckan_config"))
    if not marked and _state["clean_plugins"] == wanted and \
            list(plugins_core._PLUGINS) == wanted:
        return False
    plugins.load_all()
    # loaded under a test's own config: the next test loads them again
    _state["clean_plugins"] = None if marked else wanted
    return True


@pytest.fixture()
def with_plugins(ckan_config, provide_plugin, monkeypatch, request) -> Iterator[None]:
    """CKAN's ``with_plugins``; the plugins stay loaded for the next test (see the module)."""
    extra = list(itertools.chain.from_iterable(_marks(request, "with_plugins")))
    if extra:  # plugins added by a mark: CKAN's behaviour, unloaded after the test
        names = []
        for plugin in extra:
            if isinstance(plugin, dict):
                for name, impl in plugin.items():
                    provide_plugin(name, impl)
                    names.append(name)
            else:
                names.append(plugin)
        monkeypatch.setitem(ckan_config, "ckan.plugins",
                            aslist(ckan_config["ckan.plugins"]) + names)
        _state["clean_plugins"] = None
        plugins.load_all()
        yield
        plugins.unload_all()
        return
    load_plugins(request, ckan_config)
    yield


def cached_test_app(key: tuple[Any, ...] = ()) -> Any:
    """A new test client on the Flask application kept for the loaded plugins and ``key``."""
    from ckan.config import middleware
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests.helpers import CKANTestApp, _get_test_app

    _CONFIG_CACHE.clear()
    full_key = (tuple(plugins_core._PLUGINS), key)
    cached = _apps.get(full_key)
    if cached is None:
        cached = _apps[full_key] = _get_test_app()
        _state["clean_plugins"] = None if key else _state["clean_plugins"]
        return cached
    middleware._internal_test_request_context = (  # as make_app leaves it
        cached.flask_app.test_request_context())
    return CKANTestApp(cached.app)


@pytest.fixture()
def app(ckan_config, request) -> Any:
    """CKAN's ``app``: a test client, on an application kept while nothing changed it."""
    marks = _marks(request, "ckan_config")
    return cached_test_app(tuple((k, str(v)) for k, v in marks))


def _revisions() -> dict[str, str] | None:
    """The alembic revision of each of the project's migrated plugins, None if one is missing."""
    from ckan import model
    from sqlalchemy import exc, text

    found = {}
    try:
        with model.meta.engine.connect() as conn:
            for plugin in PROJECT_MIGRATED_PLUGINS:
                found[plugin] = conn.execute(
                    text(f"SELECT version_num FROM {plugin}_alembic_version")).scalar()
    except exc.DBAPIError:
        return None
    return found


def migrate(migrate_db_for: Any) -> None:
    """Apply the project's plugin migrations unless the database is known to have them."""
    known = _state["revisions"]
    if known is not None and _revisions() == known:
        return
    for plugin in PROJECT_MIGRATED_PLUGINS:
        migrate_db_for(plugin)
    _state["revisions"] = _revisions()
