"""``ckan longan harvest-due``: the cron entry of harvesting (scheduled runs, stuck jobs)."""
from __future__ import annotations

import click

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
        click.echo(f"đóng lần thu thập bị treo / closed stuck job {job_id}")
    for job_id in report.started:
        click.echo(f"bắt đầu / started job {job_id}")
    for source_id in report.skipped:
        click.echo(f"bỏ qua, đang chạy / skipped, a job is in progress: source {source_id}")
    click.echo("{closed} đóng / closed, {started} bắt đầu / started, {skipped} bỏ qua / "
               "skipped".format(**harvest_ops.summary(report)))


COMMANDS = [harvest_due]
