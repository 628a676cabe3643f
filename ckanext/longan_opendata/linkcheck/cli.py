"""``ckan longan linkcheck due|run``: enqueue the checks that are due, or check one dataset now."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.longan_opendata.lang import say

__all__ = ["COMMANDS"]


@click.group("linkcheck")
def linkcheck():
    """Link and format checks of resources."""


@linkcheck.command("due")
@click.option("--older-than", "older_than", type=click.FloatRange(min=0), default=24.0,
              show_default=True, metavar="HOURS",
              help="Check the resources never checked or checked longer ago than this.")
def due(older_than: float):
    """Enqueue background jobs (CKAN's queue, run by `ckan jobs worker`) that check the due
    resources. Run it from cron, e.g. hourly:

        17 * * * *  ckan -c /etc/ckan/ckan.ini longan linkcheck due --older-than 24
    """
    from . import jobs

    size = int(tk.config.get("ckanext.longan_opendata.linkcheck.batch_size"))
    count = jobs.enqueue_due(older_than, size)
    click.echo(say("%(count)s link check jobs enqueued", count=count))


@linkcheck.command("run")
@click.option("--dataset", "dataset", required=True, metavar="ID",
              help="The dataset (id or name) whose resources are checked now.")
def run(dataset: str):
    """Check a dataset's resources now, in this process, and print the results."""
    from . import jobs

    try:
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset})
    except tk.ObjectNotFound:
        raise click.ClickException(say("no dataset %(dataset)s", dataset=dataset)) from None
    resources = jobs.load_resources([res["id"] for res in pkg["resources"]])
    failed = 0
    for resource, result in jobs.check_and_save(resources):
        failed += result["status"] != "ok"
        click.echo(f"{result['status']:<11} {resource['id']} {resource['url']}"
                   + (f"  ({result['error']})" if result["error"] else ""))
    click.echo(say("%(checked)s resources checked, %(failed)s with problems",
                   checked=len(resources), failed=failed))


COMMANDS = [linkcheck]
