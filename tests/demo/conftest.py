"""The demo's tests use the harvest tests' demo shared database and demo LGSP service."""
from tests.harvesters.conftest import (  # noqa: F401 - fixtures and constants shared with harvesting
    SECRETS,
    lgsp,
    shared_database,
    shared_db_name,
    sysadmin,
)
