"""``ckan longan harvest-due``: the cron entry of harvesting (scheduled runs, stuck jobs)."""
from __future__ import annotations

import click

from ckanext.longan_opendata.lang import say

__all__ = ["COMMANDS"]


@click.command("harvest-due")
@click.option("--timeout", "minutes", default=None, type=click.IntRange(1),
              help="Minutes after which a New/Running job is stuck (default "
                   "ckanext.longan_opendata.harvest.stuck_timeout_minutes).")
def harvest_due(minutes: int | None):
    """Start the harvest sources that are due; close stuck jobs. Run it from cron.

    A source is due when its frequency (DAILY, WEEKLY, …) says so (ckanext-harvest's next_run);
    a source with a New or Running job never gets a second one. A job stuck longer than the
    timeout is closed as failed, with the reason on its job page, and its source runs again.
    """
    from . import ops as harvest_ops

    report = harvest_ops.run_due(minutes)
    for job_id in report.closed:
        click.echo(say("closed stuck job %(id)s", id=job_id))
    for job_id in report.started:
        click.echo(say("started job %(id)s", id=job_id))
    for source_id in report.skipped:
        click.echo(say("skipped, a job is in progress: source %(id)s", id=source_id))
    click.echo(say("%(closed)s closed, %(started)s started, %(skipped)s skipped",
                   **harvest_ops.summary(report)))


COMMANDS = [harvest_due]
