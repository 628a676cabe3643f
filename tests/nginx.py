"""Debian's nginx as the caching reverse proxy in front of a served portal (tests and
``bench/bench_cache.py``): a private configuration, cache and logs in a temporary directory, on a
free loopback port, with the deployed rules of ``deploy/nginx/cache-rules.conf``."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import requests

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RULES = Path(__file__).resolve().parents[1] / "deploy" / "nginx" / "cache-rules.conf"

CONF = """
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    proxy_cache_path {dir}/cache levels=1:2 keys_zone=longan:10m max_size=200m inactive=10m
                     use_temp_path=off;
{servers}
}}
"""

SERVER = """
    upstream portal_{port} {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal_{port};
            include {rules};
        }}
    }}
"""


@contextlib.contextmanager
def serve_nginx(upstream_url: str, workdir: Path, port: int,
                more: dict[int, str] | None = None) -> Iterator[str]:
    """nginx on ``127.0.0.1:port`` caching ``upstream_url`` (and, in the same nginx and cache
    zone, ``127.0.0.1:p`` caching ``u`` for each ``p: u`` of ``more``); yields the first base
    URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    for folder in (workdir, workdir.parent):  # nginx started as root runs its workers as nobody
        if folder.stat().st_uid == os.geteuid():
            folder.chmod(folder.stat().st_mode | 0o755)
    conf = workdir / "nginx.conf"
    servers = "".join(SERVER.format(port=p, rules=RULES, upstream=u.removeprefix("http://"))
                      for p, u in {port: upstream_url, **(more or {})}.items())
    conf.write_text(CONF.format(dir=workdir, servers=servers))
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(url + "/api/3/action/status_show", timeout=10)
                break
            except requests.ConnectionError as error:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start: " + (
                        process.stderr.read().decode() if process.stderr else "")) from error
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
