"""``ckan longan doctor``."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

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


COMMANDS = [doctor]
