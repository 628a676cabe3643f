"""Fixtures shared by the test suite. CKAN's pytest plugin (``--ckan-ini=test.ini``) provides
``with_plugins``, ``clean_db``, ``clean_index``, ``app`` and friends; the services are the real ones
started by ``scripts/services.sh``."""
from __future__ import annotations

import pytest

PROJECT_MIGRATED_PLUGINS = ("activity", "harvest", "longan_opendata")


@pytest.fixture()
def clean_db(reset_db, migrate_db_for):
    """Empty CKAN database with the tables of the plugins that have their own migrations."""
    reset_db()
    for plugin in PROJECT_MIGRATED_PLUGINS:
        migrate_db_for(plugin)
