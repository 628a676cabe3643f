"""``ckan longan`` commands of the harvesters: the demo shared database, the demo LGSP service,
scheduled harvests and the demo harvest sources."""
from __future__ import annotations

import click
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata import shared_db

__all__ = ["COMMANDS"]


@click.command("shared-db-roles")
@click.option("--secrets-file", default=None,
              help="KEY=value file of the role passwords (default .run/shared-db.env).")
def shared_db_roles(secrets_file: str | None):
    """Create the roles of the demo shared database, once, as the postgres superuser.

    longan_shared_owner (may create databases) and longan_shared_reader (SELECT only, read-only
    by default). Their passwords are generated into the secrets file, mode 600, and reused.
    """
    try:
        shared_db.ensure_roles(secrets_file)
    except Exception as exc:
        raise click.ClickException(
            f"Không tạo được vai trò PostgreSQL / cannot create the PostgreSQL roles: {exc}. "
            "Chạy với quyền root hoặc sudo / run as root or with sudo.") from exc
    click.echo(f"vai trò / roles: {shared_db.OWNER}, {shared_db.READER} "
               f"(mật khẩu / passwords: {shared_db.secrets_path(secrets_file)})")


@click.command("seed-shared-db")
@click.option("--rows", default=shared_db.DEFAULT_ROWS, show_default=True, type=click.IntRange(0),
              help="Rows of the large table dich_vu_cong.ho_so (benchmarks).")
@click.option("--db-url", default=None,
              help="Owner URL of the database (default ckanext.longan_opendata.shared_db.url).")
@click.option("--secrets-file", default=None,
              help="KEY=value file with LONGAN_SHARED_OWNER_PASSWORD (default .run/shared-db.env).")
def seed_shared_db(rows: int, db_url: str | None, secrets_file: str | None):
    """Create or refresh the demo shared database of Long An (deterministic)."""
    url = db_url or tk.config.get("ckanext.longan_opendata.shared_db.url")
    try:
        counts = shared_db.seed(url, rows=rows, secrets_file=secrets_file, echo=click.echo)
    except Exception as exc:
        raise click.ClickException(
            f"Không tạo được CSDL mẫu / cannot seed the demo database: {exc}".strip()
            + "\nLần đầu, tạo vai trò / the first time, create the roles: "
              "ckan -c ckan.ini longan shared-db-roles") from exc
    for table, count in counts.items():
        click.echo(f"{table}: {count}")


@click.command("lgsp-demo")
@click.option("--port", default=8765, show_default=True, type=int)
def lgsp_demo(port: int):
    """Serve the LGSP-like demo REST service on 127.0.0.1 (token auth, pagination).

    Credentials from LONGAN_LGSP_API_KEY, LONGAN_LGSP_CLIENT_ID and LONGAN_LGSP_CLIENT_SECRET
    (demo defaults otherwise).
    """
    import os

    from ckanext.longan_opendata import lgsp_demo as service

    service.serve(port, os.environ.get("LONGAN_LGSP_API_KEY", "khoa-demo-lgsp"),
                  os.environ.get("LONGAN_LGSP_CLIENT_ID", "cong-du-lieu-mo"),
                  os.environ.get("LONGAN_LGSP_CLIENT_SECRET", "bi-mat-demo"), click.echo)


COMMANDS = [shared_db_roles, seed_shared_db, lgsp_demo]
