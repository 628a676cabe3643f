"""The ``ckan longan …`` command group: each package contributes its commands.

Their output is in the site's language (``ckan.locale_default``) or ``ckan longan --lang en …``
(:func:`ckanext.longan_opendata.lang.say`). The command names stay flat (``ckan longan
harvest-due``, ``publish-due``, ``doctor``…) because cron lines and the README name them.
"""
from __future__ import annotations

import click

from ckanext.longan_opendata.dcat import cli as dcat_cli
from ckanext.longan_opendata.demo import cli as demo_cli
from ckanext.longan_opendata.follow import cli as follow_cli
from ckanext.longan_opendata.harvesters import cli as harvest_cli
from ckanext.longan_opendata.lang import CLI_LANG_KEY
from ckanext.longan_opendata.linkcheck import cli as linkcheck_cli
from ckanext.longan_opendata.ops import cli as ops_cli
from ckanext.longan_opendata.quality import cli as quality_cli
from ckanext.longan_opendata.workflow import cli as workflow_cli

__all__ = ["longan"]


@click.group(short_help="Long An open data portal commands")
@click.option("--lang", default=None, metavar="LANG",
              help="Language of the output, e.g. vi or en (default: ckan.locale_default).")
@click.pass_context
def longan(ctx: click.Context, lang: str | None):
    """Commands of the Long An open data portal."""
    ctx.meta[CLI_LANG_KEY] = lang


for _module in (ops_cli, demo_cli, harvest_cli, dcat_cli, workflow_cli, linkcheck_cli,
                quality_cli, follow_cli):
    for _command in _module.COMMANDS:
        longan.add_command(_command)
