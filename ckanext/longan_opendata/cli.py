"""``ckan longan …`` commands."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.longan_opendata import dcat_cli, demo, harvest_cli
from ckanext.longan_opendata import doctor as doctor_checks
from ckanext.longan_opendata.workflow_cli import publish_due

__all__ = ["longan"]


@click.group(short_help="Long An open data portal commands")
def longan():
    """Commands of the Long An open data portal."""


@longan.command()
def doctor():
    """Check PostgreSQL, DataStore, Solr, Redis, plugins and harvest consumers.

    Prints what is wrong in Vietnamese and English with the command that fixes it,
    and exits with status 1 when anything is wrong. When CKAN itself cannot start
    (database down), run ``python -m ckanext.longan_opendata.doctor -c ckan.ini``.
    """
    raise SystemExit(doctor_checks.report(doctor_checks.run_checks(tk.config), click.echo))


@longan.command("load-demo")
@click.option("--user", default="admin", show_default=True,
              help="Sysadmin who creates the demo agencies and datasets.")
def load_demo(user: str):
    """Create demo agencies and datasets (with DataStore tables). Idempotent."""
    created = demo.load(user, click.echo)
    click.echo(f"Dữ liệu mẫu: đã tạo {created} mục / demo content: {created} created")


for _command in harvest_cli.COMMANDS:
    longan.add_command(_command)
longan.add_command(dcat_cli.validate_dcat)
longan.add_command(publish_due)
