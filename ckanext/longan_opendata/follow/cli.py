"""``ckan longan follow digest --period daily|weekly`` (cron: daily at 07:00, weekly on
Monday)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.longan_opendata.lang import say

__all__ = ["COMMANDS"]


@click.group("follow", short_help="Follow: digest e-mails")
def follow():
    """Follow and feeds."""


@follow.command("digest")
@click.option("--period", type=click.Choice(["daily", "weekly"]), required=True)
@click.pass_context
def digest(ctx: click.Context, period: str):
    """Send the digest e-mails of the given period that are due."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    with ctx.meta["flask_app"].test_request_context():  # the e-mails' links and templates
        counts = tk.get_action("longan_follow_digest_send")(
            {"user": site_user}, {"period": period})
    click.echo(say("digests (%(period)s): %(sent)s sent, %(empty)s with nothing new, "
                   "%(people)s people", period=period, sent=counts["sent"],
                   empty=counts["empty"], people=counts["people"]))


COMMANDS = [follow]
