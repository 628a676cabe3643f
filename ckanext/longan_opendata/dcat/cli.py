"""``ckan longan validate-dcat``: validate a running portal's DCAT-AP 3 catalogue."""
from __future__ import annotations

import click

from ckanext.longan_opendata.lang import say

OWN_SHAPES = "dcat-ap-3-longan.shapes.ttl"


@click.command("validate-dcat")
@click.argument("portal_url")
@click.option("--shapes", "shapes_dir", type=click.Path(file_okay=False),
              help="Folder of the official DCAT-AP 3.0.0 SHACL files (shapes.ttl, range.ttl, "
                   "shapes_recommended.ttl).")
@click.option("--own-shapes", type=click.Path(dir_okay=False),
              help=f"A further shape file, e.g. the project's tests/dcat/{OWN_SHAPES}.")
@click.option("--verbose", "-v", is_flag=True, help="List every finding, not only the counts.")
def validate_dcat(portal_url: str, shapes_dir: str | None, own_shapes: str | None,
                  verbose: bool):
    """Fetch PORTAL_URL/catalog.ttl (all pages) and validate it with SHACL.

    Prints the violations and warnings per shape file and property, and exits with status 1
    when there is any violation.
    """
    from . import validate as dcat_validate

    try:
        files = dcat_validate.shape_files(shapes_dir, own_shapes)
    except FileNotFoundError as error:
        raise click.UsageError(say("shape files not found: %(error)s", error=error)) from None
    if not files:
        raise click.UsageError(say("give --shapes or --own-shapes"))
    graph = dcat_validate.fetch_catalogue(portal_url)
    click.echo(say("%(url)s: %(n)s RDF triples", url=portal_url, n=len(graph)))
    report = dcat_validate.validate(graph, files)
    for (severity, shape_file, path), count in sorted(report.summary().items()):
        click.echo(f"  {severity:9} {shape_file:28} {path:22} {count}")
    if verbose:
        for finding in report.findings:
            click.echo(f"{finding.severity}: {finding.focus} {finding.path}: {finding.message}")
    click.echo(say("violations: %(violations)s, warnings: %(warnings)s",
                   violations=len(report.violations), warnings=len(report.warnings)))
    raise SystemExit(1 if report.violations else 0)


__all__ = ["COMMANDS"]

COMMANDS = [validate_dcat]
