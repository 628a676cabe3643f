"""Faster versions of three of CKAN's test fixtures, with the same guarantees per test.

CKAN's own fixtures redo, for every test, work whose result is the same each time:

- ``with_plugins`` unloads every plugin after the test and loads them all again before the
  next one (``environment.update_config``: schemas, templates, helpers…);
- ``app`` builds a new Flask application (``make_app`` loads every plugin once more);
- ``clean_db`` (ours) runs the alembic migrations of three plugins, which find nothing to do
  after the first time.

Here the plugins of ``ckan.plugins`` stay loaded from one test to the next as long as nothing
changed them: a test whose ``ckan_config`` marks (options a plugin may read when it is loaded)
differ from those the plugins were loaded under, or with a ``with_plugins`` mark, or after
something else unloaded them, gets CKAN's full reload. The Flask application is kept for the
same loaded plugins and the same ``ckan_config`` marks; every test (and every module's ``web``
fixture) still gets a new test client (its own cookies). Loading the plugins costs about a
second in the suite (CKAN's ``add_template_directory`` and ``add_resource`` walk the caller's
stack with ``inspect.stack()`` for each plugin), so the suite loads them only when needed.
The migrations run again whenever the database lost a plugin's tables or its alembic version.
The database is still emptied (``reset_db``) and the search index cleared before every test
that asks for it.
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

#: the plugins loaded with no option of a plugin added by a mark (``clean_plugins``), and the
#: ``ckan_config`` marks they were loaded under (``marks``)
_state: dict[str, Any] = {"clean_plugins": None, "marks": (), "revisions": None}
_apps: dict[tuple[Any, ...], Any] = {}


def _marks(request: pytest.FixtureRequest, name: str) -> tuple[tuple[Any, ...], ...]:
    """The arguments of each ``name`` mark of the test."""
    return tuple(tuple(m.args) for m in request.node.iter_markers(name))


def _config_marks(request: pytest.FixtureRequest | None) -> tuple[tuple[str, str], ...]:
    """The options a test's ``ckan_config`` marks set, as the key of what is loaded for it."""
    if request is None:
        return ()
    return tuple((str(k), str(v)) for k, v in _marks(request, "ckan_config"))


def ensure_plugins(request: pytest.FixtureRequest | None = None) -> bool:
    """Make the loaded plugins those of ``ckan.plugins``, loaded under the ``ckan_config`` marks
    of ``request``'s test (none for a module's fixture); True when they were (re)loaded."""
    from ckan.common import config

    wanted = aslist(config["ckan.plugins"])
    marks = _config_marks(request)
    if _state["clean_plugins"] == wanted and _state["marks"] == marks and \
            list(plugins_core._PLUGINS) == wanted:
        return False
    plugins.load_all()
    _state["clean_plugins"], _state["marks"] = wanted, marks
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
    ensure_plugins(request)  # the ckan_config fixture has applied the test's marks
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
        cached = _apps[full_key] = _get_test_app()  # make_app loaded the plugins again
        _state["marks"] = key
        return cached
    middleware._internal_test_request_context = (  # as make_app leaves it
        cached.flask_app.test_request_context())
    return CKANTestApp(cached.app)


@pytest.fixture()
def app(ckan_config, request) -> Any:
    """CKAN's ``app``: a test client, on an application kept while nothing changed it."""
    return cached_test_app(_config_marks(request))


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
