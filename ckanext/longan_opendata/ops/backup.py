"""``ckan longan backup DIR`` and ``ckan longan restore DIR``.

A backup directory holds:

- ``ckan.dump`` and ``datastore.dump``: both databases, ``pg_dump -Fc`` (custom format);
- ``files/``: the file store (``ckan.storage_path``) without the web assets cache;
- ``harvest_sources.json``: each harvest source's settings, for people to read. Sources only
  *name* their secrets (``*_env`` variables, ``*_file`` keys bound by
  ``ckanext.longan_opendata.harvest.secret_bindings``); a key that would hold a secret value is
  replaced by ``"***"`` and the backup is refused if any secret value known to this process
  (the harvest secret variables and files, the database passwords) appears in a written text file;
- ``manifest.json``: the :mod:`.inventory` of the installation (counts per table and kind, each
  dataset's workflow state, each DataStore table's rows and checksum, each file's sha256) and the
  sha256 of the dumps.

A restore goes onto an EMPTY installation (fresh databases, fresh Solr core; ``--force`` replaces
what is there): ``pg_restore`` of both dumps, the files, a Solr rebuild, then a new inventory that
must equal the manifest, else the command exits non-zero and lists the differences.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ckanext.longan_opendata.lang import say

from . import inventory

__all__ = ["BackupError", "backup", "restore", "MANIFEST"]

MANIFEST = "manifest.json"
DUMPS = {"ckan.dump": "sqlalchemy.url", "datastore.dump": "ckan.datastore.write_url"}
FORMAT = 1
_SECRET_KEYS = re.compile(r"^(password|passwd|secret|client_secret|api_key|apikey|token|"
                          r"access_token|private_key)$", re.IGNORECASE)
Echo = Callable[[str], Any]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is in the command's language
    (:func:`~ckanext.longan_opendata.lang.say`)."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(say("%(name)s is missing: install postgresql-client.", name=name))
    return found


def _pg_env(url: str) -> dict[str, str]:
    """libpq variables for a database URL (the password never goes on the command line)."""
    parts = sa.engine.make_url(url)
    env = dict(os.environ)
    for var, value in (("PGHOST", parts.host), ("PGPORT", parts.port), ("PGUSER", parts.username),
                       ("PGPASSWORD", parts.password), ("PGDATABASE", parts.database)):
        if value is not None:
            env[var] = str(value)
    return env


def _run(cmd: list[str], url: str) -> None:
    done = subprocess.run(  # noqa: S603 - a PostgreSQL tool, the password in the environment
        cmd, env=_pg_env(url), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(say("%(tool)s failed: %(error)s", tool=Path(cmd[0]).name,
                              error=done.stderr.strip()[-800:]))


def _urls(config: Mapping[str, Any]) -> dict[str, str]:
    return {dump: config[key] for dump, key in DUMPS.items() if config.get(key)}


def known_secrets(config: Mapping[str, Any]) -> set[str]:
    """Secret values this process can read: harvest secret variables and files, DB passwords."""
    prefix = config.get("ckanext.longan_opendata.harvest.secret_env_prefix") or "LONGAN_"
    found = {value for name, value in os.environ.items() if name.startswith(prefix)}
    secrets_dir = config.get("ckanext.longan_opendata.harvest.secrets_dir")
    if secrets_dir and Path(secrets_dir).is_dir():
        for path in Path(secrets_dir).iterdir():
            if path.is_file():
                for line in path.read_text(errors="replace").splitlines():
                    found.add(line.partition("=")[2].strip())
    for key in ("sqlalchemy.url", "ckan.datastore.write_url", "ckan.datastore.read_url"):
        if config.get(key):
            found.add(sa.engine.make_url(config[key]).password or "")
    return {value for value in found if len(value) >= 4}


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if _SECRET_KEYS.match(str(k)) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def harvest_sources(ckan_url: str) -> list[dict[str, Any]]:
    """Every harvest source with its organisation and its settings, secret-looking keys masked."""
    engine = sa.create_engine(ckan_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("harvest_source"):
            return []
        rows = conn.execute(sa.text(
            "SELECT s.id, p.name, s.title, s.url, s.type, s.frequency, s.active, s.config, "
            "g.name AS organization FROM harvest_source s LEFT JOIN package p ON p.id = s.id "
            "LEFT JOIN \"group\" g ON g.id = p.owner_org ORDER BY p.name")).mappings().all()
    out = []
    for row in rows:
        source = dict(row)
        try:
            source["config"] = _scrub(json.loads(source["config"] or "{}"))
        except ValueError:
            source["config"] = say("*** (not JSON, not kept)")
        out.append(source)
    return out


def _check_no_secret(directory: Path, secrets: set[str]) -> None:
    for name in (MANIFEST, "harvest_sources.json"):
        text = (directory / name).read_text()
        if name == MANIFEST:  # the site id is public (in every Solr document), even when a
            # weak test password happens to equal it
            text = json.dumps({k: v for k, v in json.loads(text).items() if k != "site_id"})
        # whole values only: a weak password "ckan" is not found inside "ckan_site"
        if any(re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text) for secret in secrets):
            (directory / name).unlink()
            raise BackupError(say("%(name)s contained a secret value: removed, backup refused.",
                                  name=name))


def _prepare_dir(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(say("%(directory)s is not empty: choose a new directory.",
                              directory=directory))
    directory.mkdir(parents=True, exist_ok=True)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))


@contextmanager
def _snapshot(url: str) -> Iterator[tuple[sa.engine.Connection, str]]:
    """A repeatable-read transaction and its exported snapshot: ``pg_dump --snapshot`` dumps
    exactly what the inventory counts in the same transaction."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool,
                              isolation_level="REPEATABLE READ")
    with engine.connect() as conn:
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        yield conn, snapshot
        conn.rollback()


def _copy_files(storage: str | None, target: Path) -> None:
    for rel in inventory.files(storage) if storage else ():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(storage) / rel, target / rel)


def backup(config: Mapping[str, Any], directory: str, echo: Echo = print) -> dict[str, Any]:
    """Back the installation up into ``directory`` (new or empty); returns the manifest.

    :raises BackupError: directory not empty, a tool missing, a dump failed, a secret leaked
    """
    target = Path(directory)
    pg_dump = _tool("pg_dump")
    _prepare_dir(target)
    urls = _urls(config)
    with ExitStack() as stack:
        conns = {}
        for dump, url in urls.items():
            conns[dump], snapshot = stack.enter_context(_snapshot(url))
            echo(f"pg_dump -> {dump}")
            _run([pg_dump, "-Fc", "--no-password", f"--snapshot={snapshot}",
                  "-f", str(target / dump)], url)
        echo(say("files -> files/"))
        _copy_files(config.get("ckan.storage_path"), target / "files")
        found = inventory.take(conns["ckan.dump"], conns.get("datastore.dump"),
                               str(target / "files"))
    _write_json(target / "harvest_sources.json", harvest_sources(config["sqlalchemy.url"]))
    manifest = {"format": FORMAT, "site_id": config.get("ckan.site_id"),
                "dumps": {dump: inventory.sha256(target / dump) for dump in urls}, **found}
    _write_json(target / MANIFEST, manifest)
    _check_no_secret(target, known_secrets(config))
    echo(say("done: %(counts)s", counts=json.dumps(manifest["counts"], ensure_ascii=False)))
    return manifest


def _has_tables(url: str) -> bool:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        return bool(conn.execute(sa.text(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
            .scalar_one())


def _load_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(say("cannot read %(path)s: not a backup.", path=source / MANIFEST)
                          ) from None
    for dump, digest in manifest["dumps"].items():
        if not (source / dump).is_file() or inventory.sha256(source / dump) != digest:
            raise BackupError(say("%(dump)s is missing or corrupt (sha256 differs).",
                                  dump=dump))
    return manifest


def _check_empty(urls: Mapping[str, str], storage: str | None) -> None:
    for url in urls.values():
        if _has_tables(url):
            name = sa.engine.make_url(url).database
            raise BackupError(say(
                "database %(name)s is not empty: restore onto a new installation or use --force.",
                name=name))
    if storage and any(inventory.files(storage)):
        raise BackupError(say("file store %(storage)s is not empty: use a new one or --force.",
                              storage=storage))


def _grant_readonly(config: Mapping[str, Any]) -> None:
    """The DataStore's read-only user reads the restored tables (``pg_restore
    --no-privileges`` left only the owner's rights)."""
    write, read = config.get("ckan.datastore.write_url"), config.get("ckan.datastore.read_url")
    if not (write and read):
        return
    reader = sa.engine.make_url(read).username
    engine = sa.create_engine(write, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text(f'GRANT USAGE ON SCHEMA public TO "{reader}"'))
        conn.execute(sa.text(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{reader}"'))
        conn.execute(sa.text("ALTER DEFAULT PRIVILEGES IN SCHEMA public "
                             f'GRANT SELECT ON TABLES TO "{reader}"'))


def _restored_inventory(config: Mapping[str, Any]) -> dict[str, Any]:
    engines = [sa.create_engine(config[key], poolclass=sa.pool.NullPool)
               for key in ("sqlalchemy.url", "ckan.datastore.write_url") if config.get(key)]
    with ExitStack() as stack:
        conns = [stack.enter_context(engine.connect()) for engine in engines]
        return inventory.take(conns[0], conns[1] if len(conns) > 1 else None,
                              config.get("ckan.storage_path"))


def restore(config: Mapping[str, Any], directory: str, reindex: Callable[[], int],
            force: bool = False, echo: Echo = print) -> list[str]:
    """Restore the backup in ``directory`` onto this (empty) installation, rebuild the search
    index with ``reindex`` (returns how many datasets Solr holds) and compare with the manifest.

    :returns: the differences (empty when the restore matches the manifest)
    :raises BackupError: not a backup, a corrupt dump, a tool missing, a target not empty
    """
    source = Path(directory)
    manifest = _load_manifest(source)
    pg_restore = _tool("pg_restore")
    urls = _urls(config)
    if not force:
        _check_empty(urls, config.get("ckan.storage_path"))
    for dump, url in urls.items():
        echo(f"pg_restore <- {dump}")
        _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--no-password",
              *(["--clean", "--if-exists"] if force else []),
              "-d", str(sa.engine.make_url(url).database), str(source / dump)], url)
    _grant_readonly(config)
    echo(say("files <- files/"))
    storage = config.get("ckan.storage_path")
    if storage:
        _copy_files(str(source / "files"), Path(storage))
    echo(say("Solr: rebuilding the index"))
    indexed = reindex()
    found = _restored_inventory(config)
    diffs = inventory.differences(manifest, found)
    expected = found["counts"]["packages_not_deleted"]
    if indexed != expected:
        diffs.append(say("Solr index: %(indexed)s datasets, database: %(expected)s",
                         indexed=indexed, expected=expected))
    return diffs
