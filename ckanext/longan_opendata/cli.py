"""The ``ckan longan …`` command group: each package contributes its commands.

The command names stay flat (``ckan longan harvest-due``, ``publish-due``, ``doctor``…) because
cron lines and the README name them.
"""
from __future__ import annotations

import click

from ckanext.longan_opendata.dcat import cli as dcat_cli
from ckanext.longan_opendata.demo import cli as demo_cli
from ckanext.longan_opendata.follow import cli as follow_cli
from ckanext.longan_opendata.harvesters import cli as harvest_cli
from ckanext.longan_opendata.ops import cli as ops_cli
from ckanext.longan_opendata.workflow import cli as workflow_cli

__all__ = ["longan"]


@click.group(short_help="Long An open data portal commands")
def longan():
    """Commands of the Long An open data portal."""


for _module in (ops_cli, demo_cli, harvest_cli, dcat_cli, workflow_cli, follow_cli):
    for _command in _module.COMMANDS:
        longan.add_command(_command)
