"""``ckan longan`` commands of the demo: the demo shared database, the demo LGSP service and the
demo harvest sources, and ``load-demo`` (the demo catalogue of :mod:`.catalogue`)."""
from __future__ import annotations

import click
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.demo import shared_db
from ckanext.longan_opendata.lang import say

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
        raise click.ClickException(say(
            "cannot create the PostgreSQL roles: %(error)s. Run as root or with sudo.",
            error=exc)) from exc
    click.echo(say("roles: %(owner)s, %(reader)s (passwords: %(path)s)", owner=shared_db.OWNER,
                   reader=shared_db.READER, path=shared_db.secrets_path(secrets_file)))


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
            say("cannot seed the demo database: %(error)s", error=exc).strip() + "\n"
            + say("The first time, create the roles: %(command)s",
                  command="ckan -c ckan.ini longan shared-db-roles")) from exc
    for table, count in counts.items():
        click.echo(f"{table}: {count}")


@click.command("lgsp-demo")
@click.option("--port", default=8765, show_default=True, type=int)
def lgsp_demo(port: int):
    """Serve the LGSP-like demo REST service on 127.0.0.1 (token auth, pagination).

    Credentials from LONGAN_HARVEST_LGSP_API_KEY, LONGAN_LGSP_CLIENT_ID and
    LONGAN_HARVEST_LGSP_CLIENT_SECRET (demo defaults otherwise).
    """
    import os

    from ckanext.longan_opendata.demo import lgsp as service

    service.serve(port, os.environ.get("LONGAN_HARVEST_LGSP_API_KEY", "khoa-demo-lgsp"),
                  os.environ.get("LONGAN_LGSP_CLIENT_ID", "cong-du-lieu-mo"),
                  os.environ.get("LONGAN_HARVEST_LGSP_CLIENT_SECRET", "bi-mat-demo"), click.echo)


DEMO_ORG = ("cuc-thong-ke", "Cục Thống kê tỉnh Long An")
#: the demo agency's contact, the harvested datasets' contact point (issue 11)
DEMO_ORG_CONTACT = {"email": "cuc-thong-ke@longan.gov.vn", "phone": "0272 3826 123"}


def demo_sources(shared_url: str, lgsp_url: str) -> list[tuple[str, str, str, dict]]:
    """(name, type, url, config) of the two demo harvest sources."""
    from . import series
    sql_config = {
        "url": shared_url, "password_env": shared_db.READER_PW_ENV,
        "defaults": {"license_id": "vn-open-data-1.0", "frequency": "annual",
                     "source_system": "CSDL dùng chung tỉnh Long An (minh họa)",
                     "spatial_units": ["old-80"], "contains_personal_data": "no"},
        "tables": [
            {"schema": "thong_ke", "table": "dan_so_theo_xa", "theme": ["dan-cu-xa-hoi"],
             "title": "Dân số trung bình phân theo xã (CSDL dùng chung)",
             "title_en": "Average population by commune (shared database)",
             "temporal_column": "nam"},
            {"schema": "thong_ke", "table": "v_dan_so_theo_huyen", "theme": ["dan-cu-xa-hoi"],
             "title": "Dân số trung bình phân theo huyện (CSDL dùng chung)",
             "title_en": "Average population by district (shared database)",
             "temporal_column": "nam"},
            {"schema": "thong_ke", "table": "truong_hoc", "theme": ["giao-duc"],
             "title_en": "Schools", "temporal_column": "ngay_thanh_lap"},
            {"schema": "thong_ke", "table": "co_so_y_te", "theme": ["y-te"],
             "title_en": "Health facilities", "temporal_start": "2024-01-01",
             "temporal_end": "2024-12-31"},
            {"schema": "thong_ke", "table": "doanh_nghiep_dang_ky", "theme": ["kinh-te"],
             "title_en": "Newly registered enterprises", "temporal_column": "ngay_dang_ky"},
            {"schema": "thong_ke", "table": "Sản lượng nông nghiệp", "theme": ["nong-nghiep"],
             "title_en": "Area and output of the main crops", "temporal_column": "nam"},
            {"schema": "thong_ke", "table": "luong_mua_thang", "theme": ["moi-truong"],
             "frequency": "monthly", "title_en": "Monthly rainfall at the stations",
             "temporal_column": "thang"},
            {"schema": "dich_vu_cong", "table": "thong_ke_truc_tuyen", "theme": ["hanh-chinh"],
             "frequency": "monthly", "title_en": "Online public services by month",
             "temporal_column": "thang"},
            series.yearbook_item(),  # one edition per yearly partition
            {"query_name": "ho_so_theo_thang", "theme": ["hanh-chinh"], "frequency": "monthly",
             "title": "Hồ sơ thủ tục hành chính theo tháng và lĩnh vực",
             "title_en": "Administrative procedure files by month and sector",
             "temporal_column": "thang",
             "query": "SELECT date_trunc('month', ngay_nop)::date AS thang, linh_vuc, "
                      "count(*) AS so_ho_so, count(*) FILTER (WHERE truc_tuyen) AS truc_tuyen "
                      "FROM dich_vu_cong.ho_so GROUP BY 1, 2 ORDER BY 1, 2"},
        ],
    }
    api_config = {
        "base_url": lgsp_url,
        "auth": {"type": "oauth2", "token_url": "/oauth/token",
                 "client_id": "cong-du-lieu-mo",
                 "client_secret_env": "LONGAN_HARVEST_LGSP_CLIENT_SECRET"},
        "timeout": 15, "retries": 4, "backoff": 0.5, "rate_limit": 20,
        "defaults": {"license_id": "vn-open-data-1.0", "frequency": "monthly",
                     "source_system": "LGSP tỉnh Long An (minh họa)",
                     "spatial_units": ["old-80"], "contains_personal_data": "no"},
        "endpoints": [
            {"path": "/api/v1/dich-vu-cong", "records_path": "items",
             "title": "Thống kê dịch vụ công trực tuyến (LGSP)", "theme": ["hanh-chinh"],
             "title_en": "Online public services (LGSP)", "temporal_column": "thang",
             "pagination": {"type": "cursor", "cursor_param": "cursor",
                            "next_path": "next_cursor", "size_param": "limit", "size": 200}},
            {"path": "/api/v1/truong-hoc", "records_path": "result.records",
             "title": "Danh sách trường học (LGSP)", "theme": ["giao-duc"],
             "title_en": "Schools (LGSP)", "temporal_column": "ngay_thanh_lap",
             "pagination": {"type": "offset", "offset_param": "offset", "limit_param": "limit",
                            "size": 200}},
        ],
    }
    return [("csdl-dung-chung-long-an", "longan_sql", shared_url, sql_config),
            ("lgsp-long-an", "longan_api", lgsp_url, api_config)]


@click.command("demo-harvest")
@click.option("--user", default="admin", show_default=True, help="Sysadmin owning the sources.")
@click.option("--lgsp-url", default="http://127.0.0.1:8765", show_default=True)
@click.option("--secrets-file", default=None, help="Secrets of seed-shared-db (reader password).")
def demo_harvest(user: str, lgsp_url: str, secrets_file: str | None):
    """Register the demo shared database and LGSP service as harvest sources and harvest them.

    Needs `ckan longan seed-shared-db` first. The LGSP demo service should run (`ckan longan
    lgsp-demo`); when it does not, one is started in this process for the harvest. The
    harvest consumers need the same secrets in their environment (LONGAN_HARVEST_SHARED_DB_PW,
    LONGAN_HARVEST_LGSP_CLIENT_SECRET). Idempotent: existing sources are re-harvested.
    """
    _secrets_into_environment(secrets_file)
    server = _temporary_lgsp(lgsp_url)
    context = {"user": user}
    _ensure_demo_org(context)
    from . import series
    series.ensure_series(user, click.echo, survey=False)  # the series the SQL source fills
    db_name = tk.config.get("ckanext.longan_opendata.shared_db.url").rsplit("/", 1)[-1]
    failed = 0
    try:
        for name, kind, url, config in demo_sources(shared_db.reader_url(db_name), lgsp_url):
            source = _save_source(context, name, kind, url, config)
            failed += _harvest(name, kind, source["id"])
    finally:
        if server:
            server.stop()
    if failed:
        raise SystemExit(1)


def _secrets_into_environment(secrets_file: str | None) -> None:
    """The harvesters read their passwords from the environment, as the consumers do."""
    import os

    secrets = shared_db.read_secrets(secrets_file)
    for key, value in secrets.items():
        os.environ.setdefault(key, value)
    if shared_db.READER_PW_KEY in secrets:
        os.environ.setdefault(shared_db.READER_PW_ENV, secrets[shared_db.READER_PW_KEY])
    os.environ.setdefault("LONGAN_HARVEST_LGSP_CLIENT_SECRET", "bi-mat-demo")


def _temporary_lgsp(lgsp_url: str):
    """An LGSP demo service started in this process when none answers at ``lgsp_url``."""
    import os

    import requests

    try:
        requests.get(lgsp_url.rstrip("/") + "/health", timeout=3).raise_for_status()
    except requests.RequestException:
        from urllib.parse import urlparse

        from ckanext.longan_opendata.demo.lgsp import LgspDemo

        port = urlparse(lgsp_url).port or 8765
        server = LgspDemo(port=port,
                          client_secret=os.environ["LONGAN_HARVEST_LGSP_CLIENT_SECRET"]).start()
        click.echo(say("temporary LGSP demo on %(url)s", url=server.url))
        return server
    return None


def _ensure_demo_org(context: dict) -> None:
    try:
        org = tk.get_action("organization_show")(dict(context), {"id": DEMO_ORG[0]})
    except tk.ObjectNotFound:
        tk.get_action("organization_create")(dict(context), {
            "name": DEMO_ORG[0], "title": DEMO_ORG[1], **DEMO_ORG_CONTACT})
        return
    if not org.get("email") and not org.get("phone"):  # made by load-demo: give its contact
        tk.get_action("organization_patch")(dict(context), {"id": org["id"], **DEMO_ORG_CONTACT})


def _save_source(context: dict, name: str, kind: str, url: str, config: dict) -> dict:
    """Create or update the harvest source; the demo's sources are trusted, so the sysadmin
    approves their auto_publish."""
    import json

    data = {"name": name, "title": name.replace("-", " ").capitalize(), "url": url,
            "source_type": kind, "owner_org": DEMO_ORG[0], "frequency": "DAILY",
            "config": json.dumps(config, ensure_ascii=False)}
    try:
        source = tk.get_action("harvest_source_show")(dict(context), {"id": name})
        source = tk.get_action("harvest_source_update")(
            dict(context), {**data, "id": source["id"]})
    except tk.ObjectNotFound:
        source = tk.get_action("harvest_source_create")(dict(context), data)
    tk.get_action("longan_harvest_source_approve_auto_publish")(
        dict(context), {"id": source["id"]})
    return source


def _harvest(name: str, kind: str, source_id: str) -> int:
    """Run a job of the source now, in this process (no queue); return the number of errors."""
    from ckanext.harvest import model as harvest_model
    from ckanext.harvest import queue

    harvester = next(h for h in _harvesters() if h.info()["name"] == kind)
    job = harvest_model.HarvestJob(source=harvest_model.HarvestSource.get(source_id))
    job.status = "Running"
    job.save()
    failed = 0
    counts: dict[str, int] = {}
    for obj_id in queue.gather_stage(harvester, job) or []:
        obj = harvest_model.HarvestObject.get(obj_id)
        queue.fetch_and_import_stages(harvester, obj)
        counts[obj.report_status or obj.state] = counts.get(
            obj.report_status or obj.state, 0) + 1
        for error in obj.errors:
            failed += 1
            click.echo("  " + say("error: %(message)s", message=error.message), err=True)
    for error in job.gather_errors:
        failed += 1
        click.echo("  " + say("error: %(message)s", message=error.message), err=True)
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source_id})
    click.echo(f"{name}: {counts or say('unchanged')}")
    return failed


def _harvesters() -> list:
    from ckan import plugins
    from ckanext.harvest.interfaces import IHarvester

    return list(plugins.PluginImplementations(IHarvester))


@click.command("load-demo")
@click.option("--user", default="admin", show_default=True,
              help="Sysadmin who creates the demo agencies and datasets.")
def load_demo(user: str):
    """Create demo agencies and datasets (with DataStore tables). Idempotent."""
    from . import catalogue, series

    created = catalogue.load(user, click.echo)
    created += series.ensure_series(user, click.echo)
    click.echo(say("demo content: %(n)s items created", n=created))


COMMANDS = [load_demo, shared_db_roles, seed_shared_db, lgsp_demo, demo_harvest]
