"""Private service instances that a test starts and stops itself (never the shared PostgreSQL,
Redis or Solr of the machine): a PostgreSQL cluster (``initdb`` + ``pg_ctl``), a ``redis-server``
and a Solr core, each on a free port of 127.0.0.1, with their data in a temporary directory.

Under root, PostgreSQL runs as the ``postgres`` user (``initdb`` refuses root).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Any, timeout: float, what: str) -> None:
    """Poll ``check()`` until it is true (the event is a service answering; no fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout} s")


def _pg_bin(tool: str) -> str:
    found = shutil.which(tool, path=os.pathsep.join(sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                          reverse=True))) or shutil.which(tool)
    if not found:
        raise RuntimeError(f"{tool} missing (Debian package postgresql)")
    return found


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port; ``sql()`` runs as its superuser."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="longan-pg-"))
        self.data = self.dir / "data"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.superuser = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as, *cmd], check=check, capture_output=True, text=True)

    def init(self) -> PrivatePostgres:
        if self._as:
            shutil.chown(self.dir, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", self.superuser,
                  "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                       "max_connections = 60\nshared_buffers = 16MB\n")
        return self.start()

    def start(self) -> PrivatePostgres:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"),
                  "-w", "-t", "30", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)

    def sql(self, statement: str, db: str = "postgres") -> str:
        done = subprocess.run(
            [_pg_bin("psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", self.superuser, "-d", db, "-c", statement],
            check=True, capture_output=True, text=True)
        return done.stdout

    def url(self, user: str, password: str, db: str) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def copy_from(self, source_url: str, db: str, owner: str) -> None:
        """Copy a database of another server into ``db`` (objects owned by ``owner``)."""
        from sqlalchemy.engine import make_url

        src = make_url(source_url)
        env = {**os.environ, "PGPASSWORD": src.password or ""}
        dump = subprocess.Popen(
            [_pg_bin("pg_dump"), "-Fc", "-h", src.host or "127.0.0.1", "-p", str(src.port or 5432),
             "-U", src.username or "", src.database or ""], stdout=subprocess.PIPE, env=env)
        subprocess.run([_pg_bin("pg_restore"), "--no-owner", "--no-privileges", f"--role={owner}",
                        "-h", "127.0.0.1", "-p", str(self.port), "-U", self.superuser,
                        "-d", db], stdin=dump.stdout, check=True, capture_output=True)
        assert dump.wait() == 0

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A ``redis-server`` on a free port."""

    def __init__(self, persist_dir: str | None = None) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.persist_dir = persist_dir

    def start(self) -> PrivateRedis:
        """Start (again): with ``persist_dir``, an append-only file fsynced at every write keeps
        the queues across a restart, as a production Redis configured for it does."""
        persist = ["--appendonly", "no"]
        if self.persist_dir:
            os.makedirs(self.persist_dir, exist_ok=True)
            persist = ["--appendonly", "yes", "--appendfsync", "always",
                       "--dir", self.persist_dir]
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", *persist],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False
        wait_for(up, 10, "redis-server")
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class SolrCore:
    """A fresh core on a running Solr (CoreAdmin API), its configuration copied from an existing
    core of the same Solr; removed with its data by :meth:`drop`."""

    def __init__(self, solr_url: str, name: str) -> None:
        self.base = solr_url.rsplit("/solr/", 1)[0] + "/solr"
        self.name = name
        self.url = f"{self.base}/{name}"

    def create(self, like: str) -> SolrCore:
        status = requests.get(f"{self.base}/admin/cores",
                              params={"action": "STATUS", "core": like, "wt": "json"},
                              timeout=10).json()
        template = Path(status["status"][like]["instanceDir"])
        instance = template.parent / self.name
        shutil.rmtree(instance, ignore_errors=True)
        shutil.copytree(template / "conf", instance / "conf")
        answer = requests.get(f"{self.base}/admin/cores", timeout=60, params={
            "action": "CREATE", "name": self.name, "instanceDir": str(instance), "wt": "json"})
        answer.raise_for_status()
        return self

    def count(self, query: str = "*:*") -> int:
        answer = requests.get(f"{self.url}/select", timeout=10,
                              params={"q": query, "rows": 0, "wt": "json"})
        return answer.json()["response"]["numFound"]

    def drop(self) -> None:
        requests.get(f"{self.base}/admin/cores", timeout=60, params={
            "action": "UNLOAD", "core": self.name, "deleteInstanceDir": "true", "wt": "json"})


class PrivateSolr:
    """A Solr of its own (``scripts/services.sh start-solr PORT HOME``: cores ``ckan`` and
    ``ckan_test``), data in ``home``."""

    def __init__(self, root: Path, home: str) -> None:
        self.script = str(root / "scripts" / "services.sh")
        self.port = free_port()
        self.home = home
        self.url = f"http://127.0.0.1:{self.port}/solr/ckan_test"

    def start(self) -> PrivateSolr:
        import sys
        subprocess.run([self.script, "start-solr", str(self.port), self.home], check=True,
                       capture_output=True, env={**os.environ, "PYTHON": sys.executable})
        return self

    def stop(self) -> None:
        subprocess.run([self.script, "stop-solr", str(self.port)], capture_output=True)

        def closed() -> bool:
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) != 0
        wait_for(closed, 30, "Solr stop")
        shutil.rmtree(self.home, ignore_errors=True)
