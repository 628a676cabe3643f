"""Fault matrix: each service fails under real work, on an instance the test starts and stops itself
(never the shared PostgreSQL, Redis or Solr), and the state afterwards is asserted.

- Solr (a private Solr started on a free port): down while a steward saves, a reviewer approves or
  withdraws, a harvest imports; then it comes back EMPTY; the doctor sees the drift and
  ``reindex-missing`` heals it.
- Redis (a private ``redis-server``, append-only file on): stopped in the middle of a harvest run by
  real consumer processes and while the background-job worker waits.
- PostgreSQL (a private cluster holding a copy of the portal's database): restarted under anonymous
  traffic to a real gunicorn with two workers.
- Disk full (a 512 kB tmpfs as the file store) while a resource is uploaded.

The outcomes are written to ``test-artifacts/fault-matrix.md`` and printed.
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
import requests

from ckanext.longan_opendata import workflow as wf

from ..workflow.conftest import PASSWORD, act, build_world
from .private_services import PrivatePostgres, PrivateRedis, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
CKAN = str(Path(sys.executable).with_name("ckan"))
MATRIX: list[tuple[str, str, str]] = []
TITLE_HARVESTED = "Dân số (sự cố Solr)"
LOGGING = """
[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = INFO
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %(asctime)s %(levelname)s [%(name)s] %(message)s
"""


def note(fault: str, operation: str, outcome: str) -> None:
    MATRIX.append((fault, operation, outcome))


def write_ini(path: Path, **overrides: str) -> str:
    base = Path(tk.config["__file__"]).resolve()
    lines = "\n".join(f"{k} = {v}" for k, v in overrides.items())
    path.write_text(f"[app:main]\nuse = config:{base}\n{lines}\n{LOGGING}")
    return str(path)


@pytest.fixture(scope="module", autouse=True)
def matrix_report():
    yield
    out = ROOT / "test-artifacts" / "fault-matrix.md"
    out.parent.mkdir(exist_ok=True)
    text = "| fault | operation | outcome |\n|---|---|---|\n" + "".join(
        f"| {f} | {o} | {r} |\n" for f, o, r in MATRIX)
    out.write_text(text)
    print("\n" + text)


@pytest.fixture(scope="module")
def world(build_once):
    return build_once("workflow", build_world)


class Procs:
    """Child processes of the module, each with its log; all stopped at the end."""

    def __init__(self, where: Path) -> None:
        self.where, self.procs = where, {}

    def start(self, name: str, cmd: list[str], **env: str) -> subprocess.Popen:
        log = open(self.where / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                                            start_new_session=True)
        return self.procs[name]

    def log(self, name: str) -> str:
        return (self.where / f"{name}.log").read_text(errors="replace")[-3000:]

    def alive(self, *names: str) -> None:
        for name in names:
            assert self.procs[name].poll() is None, f"{name} died: {self.log(name)}"

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(15)


@pytest.fixture(scope="module")
def services(world, tmp_path_factory):
    """Private Redis and PostgreSQL, started at once with the processes that use them (harvest
    consumers and job worker on the Redis, gunicorn on the PostgreSQL) so that their start-up
    overlaps."""
    where = tmp_path_factory.mktemp("pannes")
    procs = Procs(where)
    rds = PrivateRedis(persist_dir=str(where / "redis")).start()
    pg = PrivatePostgres().init()
    try:
        from sqlalchemy.engine import make_url
        url = make_url(tk.config["sqlalchemy.url"])
        pg.sql(f"CREATE ROLE {url.username} LOGIN PASSWORD '{url.password}'")
        pg.sql(f"CREATE DATABASE portal OWNER {url.username}")
        pg.copy_from(tk.config["sqlalchemy.url"], "portal", url.username)
        redis_ini = write_ini(where / "redis.ini", **{
            "ckan.harvest.mq.port": str(rds.port), "ckan.harvest.mq.redis_db": "0",
            "ckan.redis.url": rds.url(1)})
        web_port = free_port()
        web_ini = write_ini(where / "web.ini", **{
            "sqlalchemy.url": pg.url(url.username, url.password, "portal"),
            "ckan.site_url": f"http://127.0.0.1:{web_port}"})
        secret = {"LONGAN_HARVEST_SHARED_DB_PW": _reader_password()}
        procs.start("gather", [CKAN, "-c", redis_ini, "harvester", "gather-consumer"], **secret)
        procs.start("fetch", [CKAN, "-c", redis_ini, "harvester", "fetch-consumer"], **secret)
        procs.start("worker", [CKAN, "-c", redis_ini, "jobs", "worker"])
        procs.start("web", [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2",
                            "--bind", f"127.0.0.1:{web_port}", "--timeout", "60",
                            "--control-socket", str(where / "gunicorn.ctl"),
                            "ckanext.longan_opendata.wsgi:application"], CKAN_INI=web_ini)
        yield {"redis": rds, "pg": pg, "procs": procs, "redis_ini": redis_ini,
               "web": f"http://127.0.0.1:{web_port}", "dir": where}
    finally:
        procs.stop_all()
        rds.stop()
        pg.destroy()


def _reader_password() -> str:
    from ckanext.longan_opendata.demo import shared_db

    from ..harvesters.conftest import SECRETS
    return shared_db.ensure_roles(SECRETS)[shared_db.READER_PW_KEY]


# ------------------------------------------------------------------------------------------ Solr
@pytest.fixture(scope="module")
def solr_fault(world, tmp_path_factory):
    """A private Solr, DOWN at first (its port closed); started later by the first Solr test in a
    background thread, stopped at the end."""

    from .private_services import PrivateSolr

    solr = PrivateSolr(ROOT, str(tmp_path_factory.mktemp("solr") / "home"))
    state: dict[str, Any] = {"solr": solr, "thread": None}
    yield state
    if state["thread"] is not None:
        state["thread"].join(120)
    solr.stop()


def _form_post(client: Any, url: str, xpath: str, **changes: str) -> Any:
    """Submit the form of a page as a browser would (every field, CSRF token included)."""
    import re

    import lxml.html
    from werkzeug.datastructures import MultiDict

    page = client.get(url)
    form = lxml.html.fromstring(page.get_data(as_text=True)).xpath(xpath)[0]
    data = MultiDict(form.form_values())
    for key in [k for k in data if "-REPEATING-" in k]:  # scheming's JS template row
        data.poplist(key)
    groups: dict[str, list[str]] = {}  # repeating subfields: a browser leaves empty rows out
    for key in list(data):
        match = re.match(r"^(.+-\d+)-[^-]+$", key)
        if match:
            groups.setdefault(match.group(1), []).append(key)
    for keys in groups.values():
        if not any(data.get(k) for k in keys):
            for k in keys:
                data.poplist(k)
    for key, value in changes.items():
        data.setlist(key, [value])
    return client.post(form.action or url, data=data)


def _errors(html: str) -> str:
    import re
    return " | ".join(re.findall(r'class="error-explanation[^"]*"[^>]*>(.*?)</div>', html, re.S)
                      + re.findall(r'class="error-block"[^>]*>(.*?)<', html, re.S))[:1500]


def _state(pkg_id: str) -> str:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg_id})["workflow_state"]


def _harvest_org() -> dict[str, Any]:
    """The organisation the test config binds the harvest secrets to."""
    from ckan.tests import factories

    try:
        return tk.get_action("organization_show")({"ignore_auth": True}, {"id": "cuc-thong-ke"})
    except tk.ObjectNotFound:
        return factories.Organization(name="cuc-thong-ke", title="Cục Thống kê")


@pytest.fixture(scope="module")
def lgsp_source(world):
    """The demo LGSP service and a source of one endpoint; ``run()`` harvests it in-process."""
    from ckan.tests import factories

    from ckanext.longan_opendata.demo.lgsp import LgspDemo
    from ckanext.longan_opendata.harvesters.api import LonganApiHarvester

    from ..harvesters.conftest import create_source, run_harvest

    mp = pytest.MonkeyPatch()
    mp.setenv("LONGAN_HARVEST_LGSP_API_KEY", "khoa-kiem-thu-su-co")
    sysadmin = {"name": world.users["sysadmin"]}
    with LgspDemo(api_key="khoa-kiem-thu-su-co", client_secret="khac") as demo:
        config = {"base_url": demo.url, "timeout": 5, "retries": 1, "backoff": 0.05,
                  "auth": {"type": "api_key", "header": "X-API-Key",
                           "key_env": "LONGAN_HARVEST_LGSP_API_KEY"},
                  "endpoints": [{"path": "/api/v1/dan-so", "records_path": "data.items",
                                 "title": TITLE_HARVESTED,
                                 "pagination": {"type": "page", "page_param": "page",
                                                "size_param": "size", "size": 100}}]}
        source = create_source(sysadmin, _harvest_org(), "longan_api", demo.url, config,
                               name=f"lgsp-su-co-{factories.User()['name'][-6:]}")
        yield {"source": source, "run": lambda: run_harvest(source, LonganApiHarvester())}
    mp.undo()


def test_solr_down_while_steward_saves_reviewer_decides_harvest_imports(
        world, solr_fault, monkeypatch, lgsp_source):
    """CKAN writes a dataset to PostgreSQL and Solr in one transaction: with Solr down the action
    FAILS and nothing changes (a 503 page in Vietnamese for the browser); the harvest object is
    marked as an error and is imported by the next run."""
    from tests.web import logged_in_client

    draft, pending, published = (world.fresh(s) for s in (wf.DRAFT, wf.PENDING, wf.PUBLISHED))
    monkeypatch.setitem(tk.config, "solr_url", solr_fault["solr"].url)  # port closed: down

    editor = logged_in_client(world.users["editor"], PASSWORD)
    saved = _form_post(editor, f"/dataset/edit/{draft['name']}", "//form[@id='dataset-edit']",
                       title="Tên mới khi Solr tắt", save="")
    body = saved.get_data(as_text=True)
    assert saved.status_code == 503 and "chưa được lưu" in body, _errors(body)
    assert tk.get_action("package_show")({"ignore_auth": True}, {"id": draft["id"]})[
        "title"] == draft["title"]
    note("Solr down", "steward saves a dataset (web form)",
         "503 page in Vietnamese, nothing saved (DB and index unchanged)")

    admin = logged_in_client(world.users["admin"], PASSWORD)
    approved = _form_post(admin, f"/dataset/{pending['name']}/workflow/approve",
                          "//form[contains(@action, '/workflow/approve')]")
    assert approved.status_code == 503 and "chưa được lưu" in approved.get_data(as_text=True)
    assert _state(pending["id"]) == wf.PENDING
    note("Solr down", "reviewer approves (web form)",
         "503 page in Vietnamese, stays pending_review (never published-but-unfindable)")

    withdrawn = admin.post("/api/3/action/longan_workflow_withdraw",
                           headers={"Authorization": world.tokens["admin"]},
                           json={"id": published["id"], "reason": "Sai số liệu"})
    error = withdrawn.get_json()["error"]
    assert withdrawn.status_code == 503 and withdrawn.headers["Retry-After"], error
    assert error["__type"] == "Service Unavailable" and "chưa được lưu" in error["message"]
    in_english = admin.post("/en/api/3/action/longan_workflow_withdraw",
                            headers={"Authorization": world.tokens["admin"]},
                            json={"id": published["id"], "reason": "Wrong figures"})
    assert in_english.status_code == 503
    assert "was not saved" in in_english.get_json()["error"]["message"]
    from ckan import model
    model.Session.remove()
    assert _state(published["id"]) == wf.PUBLISHED
    note("Solr down", "reviewer withdraws (API)",
         "503 JSON in the request's language (vi; en under /en/) with Retry-After, stays "
         "published and findable (never private-but-shown)")

    from ckan import model
    from ckanext.harvest import model as harvest_model

    with pytest.raises(Exception) as closing:  # noqa: B017 - pysolr's or requests' error
        lgsp_source["run"]()
    model.Session.remove()
    [obj] = (model.Session.query(harvest_model.HarvestObject)
             .filter_by(harvest_source_id=lgsp_source["source"]["id"]).all())
    errors = [e.message for e in obj.errors]
    assert obj.state == "ERROR" and obj.package_id is None, (obj.state, errors)
    job_status = harvest_model.HarvestJob.get(obj.harvest_job_id).status
    assert model.Session.query(model.Package).filter_by(title=TITLE_HARVESTED).count() == 0
    note("Solr down", "harvest imports (LGSP API source, in-process stages)",
         f"object ERROR ({errors[0][:60] if errors else 'no message'}…), no dataset written; "
         f"job {job_status} with the error; re-indexing the source raises "
         f"({type(closing.value).__name__}); the next run imports it")
    solr_fault.update(draft=draft, pending=pending, published=published)

    import threading
    solr_fault["thread"] = threading.Thread(target=solr_fault["solr"].start, daemon=True)
    solr_fault["thread"].start()  # comes back (empty) while the other faults are tested


# ----------------------------------------------------------------------------------------- Redis
from ..harvesters.conftest import owner_conn, shared_database  # noqa: E402,F401 - fixtures

TABLES = 12


def _blocked(client: Any, db: int) -> int:
    return sum(1 for c in client.client_list() if c.get("cmd") == "blpop" and int(c["db"]) == db)


def _usage_count(object_id: str) -> int:
    import sqlalchemy as sa
    from ckan import model

    model.Session.remove()
    return model.Session.execute(sa.text(
        "SELECT coalesce(sum(count), 0) FROM longan_usage WHERE object_id = :o"),
        {"o": object_id}).scalar_one()


def _enqueue_count_job(object_id: str) -> None:
    from ckanext.longan_opendata.portal import usage
    tk.enqueue_job(usage.record, [usage.VIEW, object_id, object_id], title="faults")


def test_redis_down_during_a_harvest_and_a_background_job(
        world, services, shared_database, owner_conn, monkeypatch):  # noqa: F811
    import redis
    from ckan import model
    from ckan.lib import redis as ckan_redis
    from ckanext.harvest import model as harvest_model

    from ..harvesters.conftest import create_source

    rds, procs = services["redis"], services["procs"]
    monkeypatch.setitem(tk.config, "ckan.harvest.mq.port", rds.port)
    monkeypatch.setitem(tk.config, "ckan.harvest.mq.redis_db", 0)
    monkeypatch.setitem(tk.config, "ckan.redis.url", rds.url(1))
    monkeypatch.setattr(ckan_redis, "_connection_pool", None)
    from ckan.lib import jobs
    monkeypatch.setattr(jobs, "_queues", {})
    monkeypatch.setenv("LONGAN_HARVEST_SHARED_DB_PW", _reader_password())
    client, jobs_db = redis.Redis(port=rds.port), redis.Redis(port=rds.port, db=1)
    wait_for(lambda: _blocked(client, 0) >= 2 and len(jobs_db.keys("rq:worker:*")) >= 1, 120,
             "consumers and worker: " + procs.log("fetch") + procs.log("worker"))

    job_key = f"faults-job-{time.monotonic_ns()}"
    _enqueue_count_job(job_key)
    wait_for(lambda: _usage_count(job_key) == 1, 30, "first background job")

    with owner_conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS su_co CASCADE; CREATE SCHEMA su_co; "
                    "GRANT USAGE ON SCHEMA su_co TO longan_shared_reader")
        for i in range(1, TABLES + 1):
            cur.execute(f"CREATE TABLE su_co.bang_{i:02d} AS SELECT g AS stt, 'Xã ' || g AS ten "
                        f"FROM generate_series(1, {100 + i}) g")
        cur.execute("GRANT SELECT ON ALL TABLES IN SCHEMA su_co TO longan_shared_reader")
    sysadmin = {"name": world.users["sysadmin"]}
    source = create_source(sysadmin, _harvest_org(), "longan_sql", shared_database["reader_url"],
                           {"url": shared_database["reader_url"],
                            "password_env": "LONGAN_HARVEST_SHARED_DB_PW",
                            "tables": [{"schema": "su_co", "table": f"bang_{i:02d}"}
                                       for i in range(1, TABLES + 1)]},
                           name=f"nguon-su-co-redis-{job_key[-6:]}")
    job = tk.get_action("harvest_job_create")({"user": sysadmin["name"]},
                                              {"source_id": source["id"], "run": True})

    def objects(state: str | None = None) -> list[Any]:
        model.Session.remove()
        query = model.Session.query(harvest_model.HarvestObject).filter_by(
            harvest_job_id=job["id"])
        return query.filter_by(state=state).all() if state else query.all()

    wait_for(lambda: len(objects("COMPLETE")) >= 2, 60, "first imports: " + procs.log("fetch"))
    rds.stop()  # in the middle of the harvest
    done_at_stop = len(objects("COMPLETE"))
    with pytest.raises(redis.ConnectionError):
        _enqueue_count_job(job_key)  # the caller is told; nothing silently dropped
    time.sleep(1.5)  # Redis stays away a moment: the consumers' retries must wait for it
    procs.alive("gather", "fetch", "worker")
    rds.start()

    def finished() -> bool:
        time.sleep(0.5)  # harvest-due runs from cron; not a busy loop
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
        model.Session.remove()
        return harvest_model.HarvestJob.get(job["id"]).status == "Finished"
    wait_for(finished, 90, "job after Redis came back: " + procs.log("fetch"))
    _enqueue_count_job(job_key)
    wait_for(lambda: _usage_count(job_key) == 2, 60, "job after Redis: " + procs.log("worker"))
    procs.alive("gather", "fetch", "worker")

    objs = objects()
    assert len(objs) == TABLES and {o.state for o in objs} == {"COMPLETE"}, [
        (o.guid, o.state, [e.message[:300] for e in o.errors]) for o in objs if o.errors]
    assert len({o.package_id for o in objs}) == TABLES
    datasets = (model.Session.query(model.Package).filter(
        model.Package.id.in_([o.package_id for o in objs]), model.Package.state == "active")
        .count())
    assert datasets == TABLES
    note("Redis down", f"harvest of {TABLES} tables by real consumers (stopped after "
         f"{done_at_stop} imports)", f"consumers waited and reconnected by themselves; "
         f"{TABLES}/{TABLES} objects imported once, no duplicate dataset")
    note("Redis down", "background job enqueued during the outage",
         "enqueue raises ConnectionError to the caller (not silently lost)")
    note("Redis down", "background-job worker (rq) waiting during the outage",
         "reconnected by itself; jobs before and after ran exactly once")


# ------------------------------------------------------------------------------------ PostgreSQL
def _worker_pids(master: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True,
                         text=True).stdout
    return {int(p) for p in out.split()}


def test_postgres_restarted_under_anonymous_traffic(world, services):
    web, pg, procs = services["web"], services["pg"], services["procs"]
    published = world.datasets[wf.PUBLISHED]
    pages = [f"/dataset/{published['name']}", f"/api/3/action/package_show?id={published['id']}",
             "/dataset/", "/"]

    def up() -> bool:
        procs.alive("web")
        try:
            return requests.get(web + pages[0], timeout=10).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # workers still loading CKAN
            return False
    wait_for(up, 180, "gunicorn: " + procs.log("web"))
    for page in pages:  # each worker warm (templates compiled) before the clock matters
        requests.get(web + page, timeout=60)
    workers = _worker_pids(procs.procs["web"].pid)
    assert len(workers) == 2

    def sweep(rounds: int) -> list[tuple[str, int, str]]:
        return [(p, r.status_code, r.text) for _ in range(rounds) for p in pages
                for r in [requests.get(web + p, timeout=30)]]

    before = sweep(3)
    assert {s for _p, s, _t in before} == {200}
    pg.stop("fast")
    during = sweep(3)
    pg.start()
    after, tries = [], 0
    while tries < 40:
        tries += 1
        after = sweep(1)
        if {s for _p, s, _t in after} == {200}:
            break
    statuses = {s for _p, s, _t in during}
    assert 500 not in statuses, [t[:300] for _p, s, t in during if s == 500]
    for path, status, text in during:
        if path in pages[:2]:
            assert status == 503, (path, status)
            shown = json.loads(text)["error"]["message"] if path.startswith("/api/") else text
            assert "Cơ sở dữ liệu không phản hồi" in shown, text[:300]
    assert {s for _p, s, _t in after} == {200}, [(p, s) for p, s, _t in after]
    assert _worker_pids(procs.procs["web"].pid) == workers  # no worker restarted
    note("PostgreSQL restarted", f"anonymous traffic, {len(during)} requests during the outage",
         "503 pages in Vietnamese (" + ", ".join(f"{p.split('?')[0]}: "
                                                 f"{sorted({s for q, s, _t in during if q == p})}"
                                                 for p in pages) + "), no 500")
    note("PostgreSQL restarted", "the same 2 gunicorn workers afterwards",
         f"all 200 again after {tries} sweep(s), no restart")


# ------------------------------------------------------------------------------------- disk full
def test_disk_full_while_uploading_a_resource(world, app, monkeypatch):
    from ckan import model

    pkg = world.fresh(wf.DRAFT)  # its own file goes to the usual store
    mount = Path(tempfile.mkdtemp(prefix="longan-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        monkeypatch.setitem(tk.config, "ckan.storage_path", str(mount))
        resources = model.Session.query(model.Resource).count()
        token = world.tokens["editor"]
        answer = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                          data={"package_id": pkg["id"], "name": "Tệp lớn",
                                "upload": (io.BytesIO(b"nam,gia_tri\n" + b"2024,1\n" * 150_000),
                                           "lon.csv")})
        assert answer.status_code == 409, answer.get_data(as_text=True)[:500]
        message = answer.json["error"]["upload"][0]
        assert "đầy" in message, message
        model.Session.remove()
        assert model.Session.query(model.Resource).count() == resources
        shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg["id"]})
        assert len(shown["resources"]) == len(pkg["resources"])
        left = [p for p in mount.rglob("*") if p.is_file()]
        assert left == [], left  # no half-written file
        small = app.post("/api/3/action/resource_create", headers={"Authorization": token},
                         data={"package_id": pkg["id"], "name": "Tệp nhỏ",
                               "upload": (io.BytesIO(b"nam\n2024\n"), "nho.csv")})
        assert small.status_code == 200
        note("disk full (512 kB tmpfs)", "upload of a 1 MB resource file (API)",
             f"409, upload: «{message}»; no resource row, no partial file; a small file after "
             "it is stored")
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
        mount.rmdir()


# -------------------------------------------------------------------------------- Solr is back
def test_solr_back_empty_doctor_sees_it_and_reindex_missing_heals(world, solr_fault, monkeypatch,
                                                                   lgsp_source):
    from ckan import model

    from ckanext.longan_opendata.ops import doctor, reindex

    assert solr_fault["thread"] is not None, "runs after the Solr-down test"
    solr_fault["thread"].join(180)
    monkeypatch.setitem(tk.config, "solr_url", solr_fault["solr"].url)
    [finding] = doctor.check_search_index(tk.config)
    assert not finding.ok and "reindex-missing" in finding.fix
    healed = reindex.heal()
    assert healed["missing"] > 0 and not reindex.drift()
    [finding] = doctor.check_search_index(tk.config)
    assert finding.ok

    def found(pkg: dict[str, Any], user: str | None = None) -> bool:
        hits = act("package_search", user, q=f'name:"{pkg["name"]}"', include_private=True)
        return hits["count"] == 1
    assert found(solr_fault["published"])
    assert not found(solr_fault["draft"]) and not found(solr_fault["pending"])
    assert found(solr_fault["draft"], world.users["editor"])

    act("longan_workflow_approve", world.users["admin"], id=solr_fault["pending"]["id"])
    assert found(solr_fault["pending"])
    [result] = lgsp_source["run"]().values()
    assert result["state"] == "COMPLETE"
    harvested = (model.Session.query(model.Package)
                 .filter_by(title=TITLE_HARVESTED, state="active").count())
    assert harvested == 1

    # a change that reached the database but not Solr (a dataset made private meanwhile)
    model.Session.execute(model.package_table.update().where(
        model.package_table.c.id == solr_fault["published"]["id"]).values(private=True))
    model.Session.commit()
    assert solr_fault["published"]["id"] in reindex.drift().stale
    assert reindex.heal()["stale"] == 1
    assert not found(solr_fault["published"])
    note("Solr back (empty)", "ckan longan doctor",
         f"search-index finding: missing {healed['missing']} → fix `longan reindex-missing`")
    note("Solr back (empty)", "ckan longan reindex-missing",
         "re-indexed every dataset; published found, drafts/pending not (anonymous)")
    note("Solr back", "approve / harvest again", "published and found; harvested once")
    note("Solr stale", "dataset made private in the DB only",
         "reindex-missing re-indexes it; anonymous search no longer shows it")
