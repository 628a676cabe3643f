"""Fixtures shared by the test suite. CKAN's pytest plugin (``--ckan-ini=test.ini``) provides
``clean_index``, ``ckan_config`` and friends; ``with_plugins`` and ``app`` are CKAN's with the
plugins and the application kept between tests while nothing changed them (tests/fast.py); the
services are the real ones started by ``scripts/services.sh``."""
from __future__ import annotations

import pytest

from tests.fast import PROJECT_MIGRATED_PLUGINS, app, migrate, with_plugins  # noqa: F401
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
