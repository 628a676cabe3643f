"""``ckan longan doctor``, ``backup``, ``restore`` and ``reindex-missing``."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.longan_opendata.lang import say

__all__ = ["COMMANDS"]


@click.command()
@click.option("--lang", default=None, help="Language of the report (default: "
              "ckan.locale_default), e.g. vi or en.")
def doctor(lang: str | None):
    """Check PostgreSQL, DataStore, Solr, Redis, plugins and harvest consumers.

    Prints what is wrong, in the site's language, with the command that fixes it,
    and exits with status 1 when anything is wrong. When CKAN itself cannot start
    (database down), run ``python -m ckanext.longan_opendata.ops.doctor -c ckan.ini``.
    """
    from . import doctor as checks

    raise SystemExit(checks.report(checks.run_checks(tk.config), click.echo,
                                   checks.locale_of(tk.config, lang)))


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
def backup(directory: str):
    """Back up both databases, the file store, the harvest source settings (no secrets) and a
    manifest (counts, checksums) into DIRECTORY, which must be new or empty."""
    from .backup import BackupError
    from .backup import backup as run

    try:
        run(tk.config, directory, click.echo)
    except BackupError as err:
        click.echo(str(err), err=True)
        raise SystemExit(2) from None


@click.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace the data of a non-empty installation.")
def restore(directory: str, force: bool):
    """Restore a backup made by ``ckan longan backup`` onto an empty installation, rebuild the
    Solr index and check everything against the manifest (exit 1 on any difference)."""
    from .backup import BackupError
    from .backup import restore as run
    from .reindex import rebuild_all

    try:
        diffs = run(tk.config, directory, rebuild_all, force=force, echo=click.echo)
    except BackupError as err:
        click.echo(str(err), err=True)
        raise SystemExit(2) from None
    for diff in diffs:
        click.echo(say("MISMATCH: %(diff)s", diff=diff), err=True)
    click.echo(say("restore does NOT match the manifest") if diffs
               else say("restore matches the manifest"))
    raise SystemExit(1 if diffs else 0)


@click.command("reindex-missing")
def reindex_missing():
    """Bring Solr in line with the database: index datasets Solr lacks or holds stale (changed
    while Solr was down), drop documents of datasets deleted meanwhile. For cron."""
    from .reindex import heal

    counts = heal()
    click.echo("Solr: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


COMMANDS = [doctor, backup, restore, reindex_missing]
