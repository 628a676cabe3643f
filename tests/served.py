"""A real portal over HTTP for the tests that need one (browser checks, DCAT harvesting):
gunicorn serving the test configuration on a free 127.0.0.1 port."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

LOGGING = """
[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_portal(base_ini: str | Path, workdir: Path, workers: int = 1,
                 extra_config: str = "") -> Iterator[str]:
    """Serve ``base_ini`` (plus ``extra_config`` lines) with gunicorn; yield the base URL."""
    port = free_port()
    ini = workdir / "served.ini"
    ini.write_text(f"[app:main]\nuse = config:{Path(base_ini).resolve()}\n"
                   f"ckan.site_url = http://127.0.0.1:{port}\n{extra_config}" + LOGGING,
                   encoding="utf-8")
    log_path = workdir / "gunicorn.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--timeout", "120", "ckanext.longan_opendata.wsgi:application"],
            env={**os.environ, "CKAN_INI": str(ini)}, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if requests.get(url + "/api/3/action/status_show", timeout=30).ok:
                        break
                except requests.RequestException:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("gunicorn did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a slow graceful stop on a busy machine
                server.kill()
                server.wait()
