"""What an installation holds, counted the same way before a backup and after a restore.

:func:`take` reads the CKAN database, the DataStore database and the file store through plain
connections (no CKAN session, so it also runs right after ``pg_restore``) and returns a JSON-able
mapping: rows per table of both databases, datasets per workflow state and each dataset's state,
resources, harvest sources/jobs/objects, usage rows, each DataStore table's rows and checksum, and
each file's sha256. :func:`differences` lists, in Vietnamese, where two inventories disagree.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ckanext.longan_opendata.lang import say

__all__ = ["take", "differences", "files", "sha256", "FILES_SKIPPED"]

#: folders of the file store that CKAN rebuilds itself (the web assets cache)
FILES_SKIPPED = frozenset({"webassets"})

_COUNTS = {
    "datasets": "SELECT count(*) FROM package WHERE type = 'dataset' AND state = 'active'",
    "resources": "SELECT count(*) FROM resource r JOIN package p ON p.id = r.package_id "
                 "WHERE r.state = 'active' AND p.state = 'active'",
    "organizations": "SELECT count(*) FROM \"group\" WHERE is_organization AND state = 'active'",
    "users": "SELECT count(*) FROM \"user\" WHERE state = 'active'",
    "packages_not_deleted": "SELECT count(*) FROM package WHERE state <> 'deleted'",
}
_OPTIONAL_COUNTS = {  # tables of plugins that may not be migrated
    "harvest_sources": "SELECT count(*) FROM harvest_source",
    "harvest_jobs": "SELECT count(*) FROM harvest_job",
    "harvest_objects": "SELECT count(*) FROM harvest_object",
    "usage_rows": "SELECT count(*) FROM longan_usage",
    "usage_total": "SELECT coalesce(sum(count), 0) FROM longan_usage",
}


def _table_rows(conn: sa.engine.Connection) -> dict[str, int]:
    names = conn.execute(sa.text(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")).scalars()
    quote = conn.dialect.identifier_preparer.quote
    # quoted names read from the catalogue
    counts = {name: f"SELECT count(*) FROM {quote(name)}" for name in list(names)}  # noqa: S608
    return {name: conn.execute(sa.text(sql)).scalar_one() for name, sql in counts.items()}


def _ckan(conn: sa.engine.Connection) -> dict[str, Any]:
    tables = _table_rows(conn)
    counts = {key: conn.execute(sa.text(sql)).scalar_one() for key, sql in _COUNTS.items()}
    for key, sql in _OPTIONAL_COUNTS.items():
        if sql.split("FROM ")[1].split()[0] in tables:
            counts[key] = int(conn.execute(sa.text(sql)).scalar_one())
    states = dict(conn.execute(sa.text(
        "SELECT name, coalesce(extras ->> 'workflow_state', '') FROM package "
        "WHERE type = 'dataset' AND state = 'active' ORDER BY name")).all())
    per_state: dict[str, int] = {}
    for state in states.values():
        per_state[state] = per_state.get(state, 0) + 1
    return {"tables": tables, "counts": counts, "datasets_per_state": per_state,
            "dataset_states": states}


def _datastore(conn: sa.engine.Connection | None) -> dict[str, Any]:
    """Each DataStore table (a resource id) with its rows and an md5 of its rows in ``_id``
    order."""
    out: dict[str, Any] = {}
    tables = _table_rows(conn) if conn is not None else {}
    for name in tables:
        if name.startswith("_"):
            continue
        table = conn.dialect.identifier_preparer.quote(name)
        sql = f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t._id), '')) FROM {table} t"  # noqa: S608, E501 - quoted name
        digest = conn.execute(sa.text(sql)).scalar_one()
        out[name] = {"rows": tables[name], "md5": digest}
    return {"tables": out, "rows": sum(t["rows"] for t in out.values())}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files(root: str | os.PathLike[str]) -> Iterator[Path]:
    """The files of the file store (relative paths), without the caches CKAN rebuilds."""
    base = Path(root)
    if not base.is_dir():
        return
    for folder, dirs, names in os.walk(base):
        here = Path(folder).relative_to(base)
        if here == Path("."):
            dirs[:] = [d for d in dirs if d not in FILES_SKIPPED]
        for name in names:
            yield here / name


def take(ckan: sa.engine.Connection, datastore: sa.engine.Connection | None,
         storage_path: str | None) -> dict[str, Any]:
    """The inventory of an installation (see the module docstring), read through the given
    connections (a backup reads inside the transaction whose snapshot ``pg_dump`` dumps)."""
    found = _ckan(ckan)
    found["datastore"] = _datastore(datastore)
    found["files"] = {str(rel): sha256(Path(storage_path) / rel)
                      for rel in sorted(files(storage_path))} if storage_path else {}
    found["counts"]["datastore_tables"] = len(found["datastore"]["tables"])
    found["counts"]["datastore_rows"] = found["datastore"]["rows"]
    found["counts"]["files"] = len(found["files"])
    return found


def _diff_maps(what: str, expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    return [say("%(what)s %(key)s: backed up %(expected)r, restored %(got)r", what=what, key=key,
                expected=expected.get(key), got=got.get(key))
            for key in sorted(set(expected) | set(got)) if expected.get(key) != got.get(key)]


def differences(expected: Mapping[str, Any], got: Mapping[str, Any]) -> list[str]:
    """Where the restored inventory ``got`` differs from the backed up ``expected`` (empty when
    everything matches)."""
    return (_diff_maps(say("count"), expected["counts"], got["counts"])
            + _diff_maps(say("CKAN database table"), expected["tables"], got["tables"])
            + _diff_maps(say("dataset state"), expected["dataset_states"],
                         got["dataset_states"])
            + _diff_maps(say("DataStore table"), expected["datastore"]["tables"],
                         got["datastore"]["tables"])
            + _diff_maps(say("file"), expected["files"], got["files"]))
