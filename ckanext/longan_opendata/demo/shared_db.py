"""The demo provincial shared database (``longan_shared``) that the ``longan_sql`` harvester reads.

``ckan longan shared-db-roles`` creates, once, as the PostgreSQL superuser:

- ``longan_shared_owner``: may create databases; owns the demo database and its tables;
- ``longan_shared_reader``: the harvester's role, ``SELECT`` only, read-only by default.

Their passwords are generated once into a secrets file (``.run/shared-db.env`` by default, mode 600)
and reused afterwards. ``ckan longan seed-shared-db`` then (re)builds the database as the owner:
realistic, deterministic tables of Long An with Vietnamese column names and values, NULLs, a view,
two schemas, a table without a primary key, a table named with spaces and Vietnamese letters, and a
large table ``dich_vu_cong.ho_so`` whose size ``--rows`` sets (generated in the server with
``generate_series``, so a million rows take seconds). The tables themselves (DDL and rows) are in
:mod:`.shared_db_tables`; this module makes the roles, the database and the connection.

The figures are illustrative: shaped like the province's publications, not official statistics.
"""
from __future__ import annotations

import fcntl
import os
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql
from sqlalchemy.engine import make_url

from .shared_db_tables import (
    LARGE_TABLE_SQL,
    ONLINE_COLUMNS,
    POPULATION_COLUMNS,
    SCHEMA_SQL,
    SCHOOL_COLUMNS,
    TABLES,
    VIEW_SQL,
    VIEWS,
    communes,
    large_table_parameters,
    online_rows,
    population_rows,
    school_rows,
    small_tables,
)

__all__ = [
    "DEFAULT_DB", "DEFAULT_ROWS", "ONLINE_COLUMNS", "OWNER", "OWNER_PW_KEY", "POPULATION_COLUMNS",
    "READER", "READER_PW_ENV", "READER_PW_KEY", "SCHEMAS", "SCHOOL_COLUMNS", "communes",
    "connect", "ensure_roles", "online_rows", "owner_url", "population_rows", "read_secrets",
    "reader_url", "school_rows", "secrets_path", "seed",
]

OWNER = "longan_shared_owner"
READER = "longan_shared_reader"
DEFAULT_DB = "longan_shared"
DEFAULT_ROWS = 10_000
SCHEMAS = ("thong_ke", "dich_vu_cong")
OWNER_PW_KEY = "LONGAN_SHARED_OWNER_PASSWORD"
READER_PW_KEY = "LONGAN_SHARED_DB_PW"
# the environment variable the demo harvest source names for the reader's password: harvest
# secrets live under their own prefix (ckanext.longan_opendata.harvest.secret_env_prefix), so
# that a source cannot name the portal's own secrets such as OWNER_PW_KEY
READER_PW_ENV = "LONGAN_HARVEST_SHARED_DB_PW"

# ---------------------------------------------------------------------------------------- roles
def secrets_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path or os.environ.get("LONGAN_SHARED_SECRETS_FILE") or ".run/shared-db.env")


def read_secrets(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """The role passwords from the secrets file (``KEY=value`` lines), or {} when absent."""
    found: dict[str, str] = {}
    file = secrets_path(path)
    if file.exists():
        for line in file.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.startswith("#"):
                found[key.strip()] = value.strip()
    return found


def _as_postgres(command: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    prefix = (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0
              else ["sudo", "-u", "postgres"])
    return subprocess.run(  # noqa: S603 - fixed command, SQL passed on stdin
        prefix + command, input=stdin, capture_output=True, text=True, check=True, timeout=60)


def _role_sql(name: str, password: str, extra: str) -> str:
    pw = password.replace("'", "''")
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
    CREATE ROLE "{name}" LOGIN PASSWORD '{pw}' {extra};
  ELSE
    ALTER ROLE "{name}" LOGIN PASSWORD '{pw}' {extra};
  END IF;
END $$;
"""


def ensure_roles(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Create (or update) the owner and reader roles as the postgres superuser; idempotent.

    Returns the passwords, generated on the first run into the secrets file.
    """
    file = secrets_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(file.with_name(file.name + ".lock"), "a") as lock:
        # one run at a time (the test suite's parallel workers): the first writes the passwords
        # that the others read, and PostgreSQL refuses concurrent changes of one role
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_roles_locked(file)


def _ensure_roles_locked(file: Path) -> dict[str, str]:
    values = read_secrets(file)
    changed = False
    for key in (OWNER_PW_KEY, READER_PW_KEY):
        if not values.get(key):
            values[key] = secrets.token_urlsafe(18)
            changed = True
    if changed:
        old_umask = os.umask(0o077)
        try:
            file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        finally:
            os.umask(old_umask)
    script = (
        _role_sql(OWNER, values[OWNER_PW_KEY], "CREATEDB NOSUPERUSER NOCREATEROLE")
        + _role_sql(READER, values[READER_PW_KEY], "NOSUPERUSER NOCREATEDB NOCREATEROLE")
        + f'ALTER ROLE "{READER}" SET default_transaction_read_only = on;\n'
    )
    _as_postgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres"], script)
    return values


# ------------------------------------------------------------------------------------ connection
def _dsn(url: str, database: str | None = None, password: str | None = None) -> dict[str, Any]:
    parsed = make_url(url)
    return {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or OWNER,
        "password": password if password is not None else parsed.password,
        "dbname": database or parsed.database or DEFAULT_DB,
        "application_name": "longan-seed-shared-db",
    }


def owner_url(database: str = DEFAULT_DB) -> str:
    return f"postgresql://{OWNER}@127.0.0.1:5432/{database}"


def reader_url(database: str = DEFAULT_DB) -> str:
    """SQLAlchemy URL of the read-only role, without password (as a harvest source names it)."""
    return f"postgresql://{READER}@127.0.0.1:5432/{database}"


def _owner_password(url: str, secrets_file: str | None) -> str | None:
    if make_url(url).password:
        return make_url(url).password
    return os.environ.get(OWNER_PW_KEY) or read_secrets(secrets_file).get(OWNER_PW_KEY)


def connect(url: str, secrets_file: str | None = None, database: str | None = None):
    """A psycopg2 connection as the owner."""
    return psycopg2.connect(**_dsn(url, database, _owner_password(url, secrets_file)))


# ------------------------------------------------------------------------------------------ seed
def _create_database(url: str, secrets_file: str | None, echo: Callable[[str], Any]) -> None:
    name = make_url(url).database or DEFAULT_DB
    conn = connect(url, secrets_file, database="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                echo(f"CREATE DATABASE {name}")
                cur.execute(sql.SQL(
                    "CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0 LOCALE 'C.UTF-8'"
                ).format(sql.Identifier(name)))
    finally:
        conn.close()


def _copy_rows(cur, table: sql.Composable, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Load small tables with COPY (text format, \\N for NULL)."""
    import io

    def cell(value: Any) -> str:
        if value is None:
            return "\\N"
        text = str(value)
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO("".join("\t".join(cell(v) for v in row) + "\n" for row in rows))
    cur.copy_expert(sql.SQL("COPY {} ({}) FROM STDIN").format(
        table, sql.SQL(", ").join(map(sql.Identifier, columns))).as_string(cur), buffer)


def _small_tables(cur) -> None:
    for table, columns, rows in small_tables():
        _copy_rows(cur, sql.SQL(table), columns, rows)


def _large_table(cur, rows: int) -> None:
    """``dich_vu_cong.ho_so`` with ``rows`` rows, generated in the server (fast, deterministic)."""
    cur.execute(LARGE_TABLE_SQL, large_table_parameters(rows))




def seed(url: str | None = None, rows: int = DEFAULT_ROWS, secrets_file: str | None = None,
         echo: Callable[[str], Any] = print) -> dict[str, int]:
    """Create or refresh the demo shared database; return the row count of each table."""
    url = url or owner_url()
    _create_database(url, secrets_file, echo)
    conn = connect(url, secrets_file)
    counts: dict[str, int] = {}
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            for schema in SCHEMAS:
                cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))
                cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            cur.execute(SCHEMA_SQL)
            _small_tables(cur)
            _large_table(cur, rows)
            cur.execute(VIEW_SQL)
            for schema in SCHEMAS:
                cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {0} TO {1}; "
                                    "GRANT SELECT ON ALL TABLES IN SCHEMA {0} TO {1}").format(
                    sql.Identifier(schema), sql.Identifier(READER)))
            cur.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(conn.info.dbname), sql.Identifier(READER)))
            for schema, table in TABLES + VIEWS:
                cur.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
                    sql.Identifier(schema), sql.Identifier(table)))
                counts[f"{schema}.{table}"] = cur.fetchone()[0]
        with conn.cursor() as cur:
            conn.autocommit = True
            cur.execute("ANALYZE")
    finally:
        conn.close()
    return counts
