"""Health checks behind ``ckan longan doctor``.

Each check looks at one part of the installation and returns :class:`Finding` objects that say
what is wrong (a :class:`~ckanext.longan_opendata.lang.Message` of the catalogue) and which
command fixes it; :func:`report` prints them in the site's default language
(``ckan.locale_default``) or the one asked for (``--lang en``), reading the catalogue itself so
that it works without CKAN. Checks never raise: an
unreachable service is a finding, not a traceback.

The service checks read a plain config mapping, so they also run without loading CKAN:
``python -m ckanext.longan_opendata.ops.doctor -c ckan.ini`` (``make doctor``) works even when CKAN
itself cannot start because PostgreSQL is down, and hands over to ``ckan longan doctor`` for the
checks that need CKAN (migrations, plugins) once the services answer.
"""
from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import redis
import requests
import rq
import sqlalchemy as sa

from ckanext.longan_opendata.lang import Message, catalogue

SOLR_SCHEMA_NAME = "ckan-2.12"
MIGRATED_PLUGINS = ("activity", "harvest", "longan_opendata")
DEFAULT_REQUIRED_PLUGINS = (
    "longan_opendata scheming_datasets scheming_organizations harvest dcat structured_data "
    "activity datastore datatables_view xloader"
)
# CKAN's own environment variables that override the config file
ENV_OVERRIDES = {
    "sqlalchemy.url": "CKAN_SQLALCHEMY_URL",
    "ckan.datastore.write_url": "CKAN_DATASTORE_WRITE_URL",
    "ckan.datastore.read_url": "CKAN_DATASTORE_READ_URL",
    "ckan.redis.url": "CKAN_REDIS_URL",
    "solr_url": "CKAN_SOLR_URL",
}
Config = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """What one check found: ``part`` checked, ``ok`` or not, the ``message`` and the command that
    fixes it."""

    part: str
    ok: bool
    message: Message
    fix: str = ""

    def text(self, locale: str) -> str:
        """The message in ``locale``."""
        return self.message.text(catalogue(locale))


def _timeout(cfg: Config) -> float:
    return float(cfg.get("ckanext.longan_opendata.doctor.timeout") or 3)


def _plugins(cfg: Config) -> list[str]:
    value = cfg.get("ckan.plugins") or ""
    return value.split() if isinstance(value, str) else list(value)


def _ini(cfg: Config) -> str:
    """The config file in use, for the fix commands the doctor prints."""
    path = cfg.get("__file__") or os.environ.get("CKAN_INI") or "ckan.ini"
    return os.path.relpath(path) if os.path.isabs(path) else path


def _engine(cfg: Config, url: str) -> sa.engine.Engine:
    return sa.create_engine(
        url, poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": max(int(_timeout(cfg)), 1)},
    )


def _safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _reason(err: Exception) -> str:
    return str(getattr(err, "orig", err)).strip().splitlines()[0]


#: how to (re)start the services: a checkout has the project's script; an installed package
#: (production) runs them as system services (see the README's "Production deployment")
SERVICES_HINT = {
    "start": "make services (checkout) / systemctl start postgresql redis-server solr",
    "solr-schema": "use the core with CKAN's schema.xml (checkout: scripts/services.sh stop; "
                   "make services)",
}


def _unreachable(part: str, service: str, url: str, err: Exception) -> Finding:
    """A network service that does not answer at ``url``: the fix is to start the services."""
    why = type(err).__name__
    return Finding(part, False, Message("Cannot reach %(service)s at %(url)s (%(why)s)",
                                        service=service, url=url, why=why),
                   SERVICES_HINT["start"])


def check_database(cfg: Config) -> Iterator[Finding]:
    url = cfg["sqlalchemy.url"]
    try:
        with _engine(cfg, url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as err:
        yield Finding(
            "postgresql", False,
            Message("Cannot connect to PostgreSQL (%(url)s): %(reason)s", url=_safe_url(url),
                    reason=_reason(err)),
            SERVICES_HINT["start"],
        )
        return
    yield Finding("postgresql", True, Message("PostgreSQL is reachable"))


def check_migrations(cfg: Config) -> Iterator[Finding]:
    """Needs CKAN loaded (alembic configuration of core and plugins)."""
    from ckan.cli.db import current_revision

    loaded = [name for name in MIGRATED_PLUGINS if name in _plugins(cfg)]
    for plugin in ["", *loaded]:
        label = plugin or "ckan"
        try:
            revision = current_revision(plugin) or ""
        except Exception as err:  # alembic raises many kinds; all mean "not migrated"
            revision = f"error: {err}"
        if revision.endswith("(head)"):
            yield Finding("migrations", True,
                          Message("%(plugin)s database is migrated", plugin=label))
        else:
            fix = f"ckan -c {_ini(cfg)} db upgrade" + (f" -p {plugin}" if plugin else "")
            yield Finding(
                "migrations", False,
                Message("%(plugin)s database is not migrated (revision: %(revision)s)",
                        plugin=label, revision=revision or Message("not initialised")),
                fix,
            )


def check_datastore(cfg: Config) -> Iterator[Finding]:
    if "datastore" not in _plugins(cfg):
        return
    fix = (f"ckan -c {_ini(cfg)} datastore set-permissions | "
           "sudo -u postgres psql --set ON_ERROR_STOP=1")
    read_url = cfg["ckan.datastore.read_url"]
    try:
        with _engine(cfg, cfg["ckan.datastore.write_url"]).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        with _engine(cfg, read_url).connect() as conn:
            conn.execute(sa.text('SELECT count(*) FROM "_table_metadata"'))
        read_user_can_write = _can_create_table(cfg, read_url)
    except sa.exc.SQLAlchemyError as err:
        yield Finding("datastore", False,
                      Message("DataStore is not ready: %(reason)s", reason=_reason(err)), fix)
        return
    if read_user_can_write:
        yield Finding(
            "datastore", False,
            Message("The DataStore read-only user can write (create tables)"),
            fix,
        )
        return
    yield Finding("datastore", True, Message("DataStore and its permissions are correct"))


def _can_create_table(cfg: Config, url: str) -> bool:
    with _engine(cfg, url).connect() as conn:
        trans = conn.begin()
        try:
            conn.execute(sa.text("CREATE TABLE longan_doctor_probe (x int)"))
        except sa.exc.SQLAlchemyError:
            return False
        finally:
            trans.rollback()
    return True


def check_solr(cfg: Config) -> Iterator[Finding]:
    url = cfg["solr_url"].rstrip("/")
    try:
        resp = requests.get(f"{url}/schema/name", params={"wt": "json"}, timeout=_timeout(cfg))
        resp.raise_for_status()
        name = resp.json().get("name")
    except (requests.RequestException, ValueError) as err:
        yield _unreachable("solr", "Solr", url, err)
        return
    if name != SOLR_SCHEMA_NAME:
        yield Finding(
            "solr", False,
            Message("Solr serves schema '%(name)s', expected '%(expected)s'", name=name,
                    expected=SOLR_SCHEMA_NAME),
            SERVICES_HINT["solr-schema"],
        )
        return
    yield Finding("solr", True, Message("Solr is up with schema %(name)s", name=name))


def _redis(cfg: Config) -> redis.Redis:
    return redis.Redis.from_url(
        cfg["ckan.redis.url"],
        socket_timeout=_timeout(cfg), socket_connect_timeout=_timeout(cfg),
    )


def check_redis(cfg: Config) -> Iterator[Finding]:
    try:
        _redis(cfg).ping()
    except redis.RedisError as err:
        yield _unreachable("redis", "Redis", cfg["ckan.redis.url"], err)
        return
    yield Finding("redis", True, Message("Redis is reachable"))


def check_plugins(cfg: Config) -> Iterator[Finding]:
    """Needs CKAN loaded: a plugin named in the config may still fail to load."""
    from ckan.plugins import plugin_loaded

    required = cfg.get("ckanext.longan_opendata.required_plugins") or DEFAULT_REQUIRED_PLUGINS
    required = required.split() if isinstance(required, str) else list(required)
    missing = [name for name in required if not plugin_loaded(name)]
    if missing:
        names = " ".join(missing)
        yield Finding(
            "plugins", False,
            Message("Plugins missing from ckan.plugins: %(names)s", names=names),
            f"ckan config-tool {_ini(cfg)} \"ckan.plugins=" + " ".join(required) + '"',
        )
        return
    yield Finding("plugins", True, Message("All required plugins are enabled"))


def check_harvest_consumers(cfg: Config) -> Iterator[Finding]:
    """Harvest gather/fetch consumers wait on Redis with BLPOP: count such clients.

    Background-job workers (``ckan jobs worker``, RQ) block on Redis too; they register
    themselves, so they are subtracted.
    """
    required = str(cfg.get("ckanext.longan_opendata.doctor.require_harvest_consumers", True))
    if "harvest" not in _plugins(cfg) or required.lower() in ("false", "0", "no", "off"):
        return
    try:
        conn = _redis(cfg)
        clients = conn.client_list()
        job_workers = len(rq.Worker.all(connection=conn))
    except redis.RedisError:
        return  # already reported by check_redis
    blocked = sum(1 for client in clients if client.get("cmd") in ("blpop", "brpop", "blmove"))
    waiting = max(blocked - job_workers, 0)
    if waiting < 2:
        ini = _ini(cfg)
        yield Finding(
            "harvest", False,
            Message("Harvest gather and fetch consumers are not both running (found %(n)s)",
                    n=waiting),
            f"ckan -c {ini} harvester gather-consumer & ckan -c {ini} harvester fetch-consumer &",
        )
        return
    yield Finding("harvest", True, Message("Harvest consumers are running"))


def check_security(cfg: Config) -> Iterator[Finding]:
    """Settings that open the portal to its own users.

    ``ckan.auth.user_create_organizations`` (CKAN's default: on) lets any logged-in user create an
    organisation and become its admin, and so act as an agency: organisations are created by
    sysadmins only on this portal.
    """
    value = str(cfg.get("ckan.auth.user_create_organizations", True)).strip().lower()
    if value not in ("false", "0", "no", "off"):
        yield Finding(
            "security", False,
            Message("ckan.auth.user_create_organizations is on: any logged-in user can create an "
                    "organisation and become its admin; only sysadmins should create "
                    "organisations"),
            f"ckan config-tool {_ini(cfg)} \"ckan.auth.user_create_organizations=false\"",
        )
        return
    yield Finding("security", True, Message("Only sysadmins can create organisations"))


def check_search_index(cfg: Config) -> Iterator[Finding]:
    """Every dataset indexed as the database holds it (changed while Solr was down?)."""
    import pysolr

    from .reindex import drift

    try:
        found = drift()
    except (pysolr.SolrError, sa.exc.SQLAlchemyError, OSError):
        return  # Solr or PostgreSQL down: already reported by their own checks
    if found:
        counts = (len(found.missing), len(found.stale), len(found.orphans))
        yield Finding(
            "search-index", False,
            Message("The search index differs from the database: %(missing)s missing, "
                    "%(stale)s stale, %(orphans)s orphans", missing=counts[0], stale=counts[1],
                    orphans=counts[2]),
            f"ckan -c {_ini(cfg)} longan reindex-missing")
        return
    yield Finding("search-index", True, Message("The search index matches the database"))


Check = Callable[[Config], Iterator[Finding]]
SERVICE_CHECKS: tuple[Check, ...] = (
    check_database, check_datastore, check_solr, check_redis, check_harvest_consumers,
    check_security,
)
CKAN_CHECKS: tuple[Check, ...] = (check_migrations, check_plugins, check_search_index)


def run_checks(cfg: Config, checks: tuple[Check, ...] = SERVICE_CHECKS + CKAN_CHECKS
               ) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(cfg))
    if any(not f.ok and f.part == "postgresql" for f in findings):
        # nothing more to learn from the database-backed checks
        findings = [f for f in findings if f.part not in ("migrations", "datastore")]
    return findings


def report(findings: list[Finding], echo: Callable[[str], Any] = print,
           locale: str = "en") -> int:
    """Print the findings in ``locale``; return the exit status."""
    gettext = catalogue(locale)
    marks = {True: Message("OK").text(gettext), False: Message("FAIL").text(gettext)}
    width = max(len(mark) for mark in marks.values())
    for finding in findings:
        echo(f"[{marks[finding.ok]:<{width}}] {finding.part:<10} "
             f"{finding.message.text(gettext)}")
        if finding.fix:
            echo(f"{'':<{width + 3}}{'':<10} → {finding.fix}")
    faults = sum(not f.ok for f in findings)
    if faults:
        echo(Message("%(n)s problem(s) to fix", n=faults).text(gettext))
        return 1
    echo(Message("Everything is working").text(gettext))
    return 0


def locale_of(cfg: Config, asked: str | None = None) -> str:
    """The language of the report: ``asked`` (``--lang``), else ``ckan.locale_default``."""
    return asked or str(cfg.get("ckan.locale_default") or "en")


def read_ini(path: str) -> dict[str, str]:
    """The ``[app:main]`` options of a CKAN config file, with CKAN's environment overrides."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    with open(path, encoding="utf-8") as fh:
        parser.read_file(fh)
    own = dict(parser["app:main"]) if parser.has_section("app:main") else {}
    cfg: dict[str, str] = {}
    parent = own.get("use", "")
    if parent.startswith("config:"):  # CKAN's config inheritance: `use = config:base.ini`
        cfg.update(read_ini(os.path.join(os.path.dirname(os.path.abspath(path)), parent[7:])))
    cfg.update(own)
    cfg["__file__"] = os.path.abspath(path)
    for key, var in ENV_OVERRIDES.items():
        if os.environ.get(var):
            cfg[key] = os.environ[var]
    return cfg


def main(argv: list[str] | None = None) -> int:
    """Service checks without CKAN; then ``ckan longan doctor`` for the rest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=os.environ.get("CKAN_INI", "ckan.ini"))
    parser.add_argument("--lang", default=None,
                        help="language of the report (default: ckan.locale_default)")
    args = parser.parse_args(argv)
    cfg = read_ini(args.config)
    findings = run_checks(cfg, SERVICE_CHECKS)
    if any(not f.ok for f in findings if f.part in ("postgresql", "solr", "redis")):
        return report(findings, locale=locale_of(cfg, args.lang))
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    lang = ["--lang", args.lang] if args.lang else []
    return subprocess.call([ckan, "-c", args.config, "longan", "doctor", *lang])  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
