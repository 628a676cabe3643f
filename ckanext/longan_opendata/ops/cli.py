"""``ckan longan doctor``, ``backup``, ``restore``, ``reindex-missing`` and ``bulk-load``."""
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


@click.command("bulk-load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--agency", required=True, help="The organisation (name or id) of every dataset.")
@click.option("--user", "user_name", default=None,
              help="Create the datasets as this user (default: the site user).")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 1000),
              help="Datasets per database commit and Solr update.")
@click.pass_context
def bulk_load(ctx: click.Context, path: str, agency: str, user_name: str | None, batch: int):
    """Create the datasets of PATH (JSON Lines: one dataset per line) as drafts of AGENCY.

    Each line goes through ``package_create`` (the portal's schema); a refused line is reported
    with its number and leaves nothing behind; names already in the catalogue are skipped, so a
    rerun goes on where a stopped run ended. Exits 1 when a line was refused.
    """
    from ckan import model

    from . import bulk_load as loader

    org = model.Group.get(agency)
    if org is None or not org.is_organization:
        click.echo(say("No agency %(agency)s", agency=agency), err=True)
        raise SystemExit(2)
    if user_name is None:
        user_name = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def progress(report: loader.LoadReport) -> None:
        click.echo(say("%(count)s datasets created", count=len(report.created)))

    with open(path, encoding="utf-8") as lines:
        report = loader.load(loader.read_jsonl(lines), user_name, agency=org.id, batch=batch,
                             progress=progress, flask_app=ctx.meta["flask_app"])
    for number, name, error in report.errors:
        click.echo(say("line %(line)s %(name)s: %(error)s", line=number, name=name or "-",
                       error=error), err=True)
    click.echo(say("%(created)s created, %(skipped)s already there, %(refused)s refused",
                   created=len(report.created), skipped=len(report.skipped),
                   refused=len(report.errors)))
    raise SystemExit(1 if report.errors else 0)


COMMANDS = [doctor, backup, restore, reindex_missing, bulk_load]
