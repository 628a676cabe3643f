"""``ckan longan doctor`` against the real services, and against a Solr that is not there."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.ops import doctor

ROOT = Path(__file__).resolve().parents[1]
CKAN = str(Path(sys.executable).with_name("ckan"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


@pytest.fixture()
def ini(pytestconfig) -> str:
    """The config the suite runs with (test.ini, or a sandbox's test-NAME.ini)."""
    return str(Path(pytestconfig.getoption("ckan_ini")).resolve())


def _run_doctor(*command: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, **env},
    )


def _failed_parts(findings: list[doctor.Finding]) -> set[str]:
    return {f.part for f in findings if not f.ok}


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.ckan_config("ckanext.longan_opendata.doctor.require_harvest_consumers", "false")
def test_doctor_passes_on_the_running_services():
    findings = doctor.run_checks(tk.config)
    assert _failed_parts(findings) == set(), [f.text("en") for f in findings if not f.ok]
    assert {"postgresql", "migrations", "datastore", "solr", "redis", "plugins"} <= {
        f.part for f in findings
    }


def test_doctor_reports_a_stopped_solr_clearly_and_exits_non_zero(ini):
    port = _closed_port()
    result = _run_doctor(CKAN, "-c", ini, "longan", "doctor", CKAN_SOLR_URL=f"http://127.0.0.1:{port}/solr/ckan")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    # in the site's language (vi), one language only
    assert f"Không kết nối được Solr tại http://127.0.0.1:{port}/solr/ckan" in result.stdout
    assert "Cannot reach" not in result.stdout and "[LỖI] solr" in result.stdout
    assert "make services" in result.stdout


def test_standalone_doctor_reports_an_unreachable_database_and_redis(ini):
    """CKAN cannot start without its database, so this is the doctor's CKAN-free entry point."""
    port = _closed_port()
    result = _run_doctor(
        sys.executable, "-m", "ckanext.longan_opendata.ops.doctor", "-c", ini, "--lang", "en",
        CKAN_SQLALCHEMY_URL=f"postgresql://longan_test:longan_test@127.0.0.1:{port}/longan_ckan_test",
        CKAN_REDIS_URL=f"redis://127.0.0.1:{port}/1",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "Cannot connect to PostgreSQL" in result.stdout
    assert "longan_test:***@" in result.stdout  # the password is never printed
    assert "Cannot reach Redis" in result.stdout
    assert "Solr is up with schema ckan-2.12" in result.stdout  # the rest is still checked


def test_standalone_doctor_hands_over_to_ckan_when_services_answer(ini):
    result = _run_doctor(sys.executable, "-m", "ckanext.longan_opendata.ops.doctor", "-c", ini,
                         "--lang", "en")
    # the CKAN-side checks ran (they print the plugin and migration findings), in English
    assert "All required plugins are enabled" in result.stdout
    assert "ckan database is migrated" in result.stdout


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.ckan_config(
    "ckanext.longan_opendata.required_plugins", "longan_opendata no_such_plugin")
def test_doctor_names_a_missing_plugin_and_the_fix():
    (finding,) = [f for f in doctor.run_checks(tk.config) if f.part == "plugins"]
    assert not finding.ok
    assert "no_such_plugin" in finding.text("vi") and "no_such_plugin" in finding.text("en")
    assert finding.text("vi").startswith("Thiếu plugin") and finding.text("en").startswith(
        "Plugins missing")
    assert "ckan.plugins=longan_opendata no_such_plugin" in finding.fix


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_doctor_sees_real_harvest_consumers(ini):
    def harvest_finding() -> doctor.Finding:
        (finding,) = [f for f in doctor.run_checks(tk.config) if f.part == "harvest"]
        return finding

    conn = redis.Redis.from_url(tk.config["ckan.redis.url"])
    blocked_before = sum(c.get("cmd") == "blpop" for c in conn.client_list())
    if blocked_before:
        pytest.skip("other Redis clients already block on queues on this server")
    assert not harvest_finding().ok

    consumers = [
        subprocess.Popen([CKAN, "-c", ini, "harvester", kind], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for kind in ("gather-consumer", "fetch-consumer")
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not harvest_finding().ok:
            time.sleep(1)
        assert harvest_finding().ok
    finally:
        for proc in consumers:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.mark.parametrize(("value", "ok"), [("true", False), (None, False), ("false", True)])
def test_doctor_warns_when_any_user_may_create_organisations(value, ok):
    """Issue 16: with CKAN's default (on) any logged-in user becomes an organisation admin."""
    cfg = {"__file__": "ckan.ini"}
    if value is not None:
        cfg["ckan.auth.user_create_organizations"] = value
    (finding,) = doctor.check_security(cfg)
    assert finding.ok is ok
    if not ok:
        assert "chỉ quản trị hệ thống được tạo tổ chức" in finding.text("vi")
        assert "only sysadmins should create organisations" in finding.text("en")
        assert finding.fix == (
            'ckan config-tool ckan.ini "ckan.auth.user_create_organizations=false"')


@pytest.mark.usefixtures("with_plugins")
def test_the_test_config_lets_only_sysadmins_create_organisations():
    (finding,) = [f for f in doctor.run_checks(tk.config, doctor.SERVICE_CHECKS)
                  if f.part == "security"]
    assert finding.ok, finding.text("en")
