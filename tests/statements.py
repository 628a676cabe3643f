"""The SQL statements CKAN's database engine sends while a block runs (tests that count them)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ckan import model
from sqlalchemy import event


@contextlib.contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """The statements sent inside the ``with`` block, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(statement)

    event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(model.meta.engine, "before_cursor_execute", record)
