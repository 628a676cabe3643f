"""Fixtures of the link check tests: the local file server."""
from __future__ import annotations

import pytest

from tests.linkcheck.files import serve


@pytest.fixture(scope="module")
def files():
    with serve() as server:
        yield server
