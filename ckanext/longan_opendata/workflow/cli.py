"""``ckan longan publish-due``: publish the approved datasets whose publish date has come."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.longan_opendata.lang import say

__all__ = ["COMMANDS"]


@click.command("publish-due")
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD",
              help="Treat this day as today (default: today, UTC).")
def publish_due(day: str | None):
    """Publish approved datasets whose publish date is today or past. Run it daily from cron:

        5 0 * * *  ckan -c /etc/ckan/ckan.ini longan publish-due
    """
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    try:
        result = tk.get_action("longan_workflow_publish_due")(
            {"user": site_user["name"]}, {"date": day} if day else {})
    except tk.ValidationError as error:
        raise click.ClickException(str(error.error_dict)) from None
    for name in result["published"]:
        click.echo(say("published: %(name)s", name=name))
    click.echo(say("%(n)s datasets published (their publish date has come)",
                   n=len(result["published"])))


COMMANDS = [publish_due]
