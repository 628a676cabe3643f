"""``ckan longan quality snapshot`` (the day's scores into the history, and the search index
brought up to date) and ``ckan longan quality report [--send]`` (the agencies' reports)."""
from __future__ import annotations

import datetime as dt
import time

import click

from ckanext.longan_opendata.lang import say

__all__ = ["COMMANDS"]


@click.group(short_help="Quality scores: snapshot, reports")
def quality():
    """Quality scores of the datasets (see /chat-luong)."""


@quality.command()
@click.option("--no-reindex", is_flag=True, help="Do not reindex datasets whose score changed.")
def snapshot(no_reindex: bool):
    """Score every dataset, keep today's scores, reindex the changed ones. Run daily (cron)."""
    from ckan.lib.search import rebuild

    from ckanext.longan_opendata.quality import snapshot as snap

    started = time.perf_counter()
    rows = list(snap.rescore_all(dt.date.today()))
    snap.store(rows)
    changed = [row["package_id"] for row in rows if row["changed"]]
    if not no_reindex:
        for package_id in changed:
            rebuild(package_id)
    click.echo(say("quality snapshot: %(scored)s datasets scored, %(changed)s changed "
                   "(reindexed: %(reindexed)s), %(seconds).1f s", scored=len(rows),
                   changed=len(changed), reindexed=0 if no_reindex else len(changed),
                   seconds=time.perf_counter() - started))


@quality.command()
@click.option("--send", is_flag=True, help="E-mail each report to the agency's stewards.")
@click.option("--agency", default=None, help="Only this agency (name or id).")
def report(send: bool, agency: str | None):
    """Print (or e-mail with --send) each agency's quality report. Run weekly (cron)."""
    from ckanext.longan_opendata.quality import report as reports

    if send:
        failed = 0
        for name, count, stewards in reports.send_all(only=agency):
            click.echo(say("%(agency)s: %(sent)s of %(stewards)s e-mails sent", agency=name,
                           sent=count, stewards=stewards))
            failed += stewards - count
        if failed:
            raise click.ClickException(say("%(failed)s e-mails not sent (see the log)",
                                           failed=failed))
        return
    for org in reports.agencies():
        if agency and agency not in (org.name, org.id):
            continue
        found = reports.build(org)
        click.echo(say("%(agency)s: %(datasets)s datasets, average %(percent)s%%, "
                       "%(broken)s broken links, %(outdated)s outdated", agency=org.name,
                       datasets=found["datasets"], percent=found["average_percent"],
                       broken=len(found["broken_links"]), outdated=len(found["outdated"])))


COMMANDS = [quality]
