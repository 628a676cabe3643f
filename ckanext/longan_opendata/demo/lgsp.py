"""A small LGSP-like REST service (the province's data-sharing platform) for the demo and the tests.

Real HTTP (``http.server``), bound to 127.0.0.1, serving some of the demo shared database's data:

- ``POST /oauth/token`` (``grant_type=client_credentials``, ``client_id``, ``client_secret``):
  an OAuth2 bearer token valid ``token_ttl`` seconds;
- or the header ``X-API-Key: <api key>``;
- ``GET /api/v1/dan-so?page=&size=``: population by commune, page/size pagination,
  records in ``data.items``;
- ``GET /api/v1/truong-hoc?offset=&limit=``: schools, offset/limit, records in ``result.records``;
- ``GET /api/v1/dich-vu-cong?cursor=&limit=``: online public services, cursor pagination,
  records in ``items``, next cursor in ``next_cursor``;
- ``POST /_control`` (JSON, from 127.0.0.1 only): fault switches for the tests and the demo:
  ``{"fail": 2, "status": 500}`` (the next 2 data requests fail), ``{"status": 429, "fail": 1}``,
  ``{"hide": ["/api/v1/truong-hoc"]}`` (404), ``{"extra_column": true}``,
  ``{"drop_column": "dan_so_nu"}``, ``{"malformed_row": 17}``, ``{"reset": true}``.

Run it for the portal with ``ckan longan lgsp-demo``
(or ``python -m ckanext.longan_opendata.demo.lgsp``).
"""
from __future__ import annotations

import argparse
import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from ckanext.longan_opendata.demo import shared_db

DEFAULT_PORT = 8765


def _dicts(columns: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def datasets() -> dict[str, list[dict[str, Any]]]:
    """The records the service serves, by path."""
    return {
        "/api/v1/dan-so": _dicts(shared_db.POPULATION_COLUMNS, shared_db.population_rows()),
        "/api/v1/truong-hoc": _dicts(shared_db.SCHOOL_COLUMNS, shared_db.school_rows()),
        "/api/v1/dich-vu-cong": _dicts(shared_db.ONLINE_COLUMNS, shared_db.online_rows()),
    }


class State:
    """What the service knows: credentials, tokens, fault switches, request log."""

    def __init__(self, api_key: str, client_id: str, client_secret: str, token_ttl: float):
        self.api_key = api_key
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = token_ttl
        self.tokens: dict[str, float] = {}
        self.data = datasets()
        self.lock = threading.RLock()
        self.requests: list[tuple[float, str, int]] = []
        self.tokens_issued = 0
        self.reset()

    def reset(self) -> None:
        self.fail = 0
        self.fail_status = 500
        self.hidden: set[str] = set()
        self.extra_column = False
        self.drop_column: str | None = None
        self.malformed_row: int | None = None

    def control(self, body: dict[str, Any]) -> None:
        with self.lock:
            if body.get("reset"):
                self.reset()
            if "fail" in body:
                self.fail = int(body["fail"])
                self.fail_status = int(body.get("status", 500))
            if "hide" in body:
                self.hidden = set(body["hide"])
            if "extra_column" in body:
                self.extra_column = bool(body["extra_column"])
            if "drop_column" in body:
                self.drop_column = body["drop_column"]
            if "malformed_row" in body:
                self.malformed_row = body["malformed_row"]

    def records(self, path: str) -> list[dict[str, Any]]:
        rows = self.data[path]
        if not (self.extra_column or self.drop_column or self.malformed_row):
            return rows
        out = []
        for i, row in enumerate(rows, start=1):
            row = dict(row)
            if self.extra_column:
                row["ghi_chu"] = f"bản ghi {i}"
            if self.drop_column:
                row.pop(self.drop_column, None)
            if self.malformed_row == i:
                for key in ("nam", "so_hoc_sinh", "so_ho_so_tiep_nhan"):
                    if key in row:
                        row[key] = "hai nghìn"
            out.append(row)
        return out

    def take_fault(self) -> int | None:
        """The status of the next data request's injected failure (counted down), or None."""
        with self.lock:
            if self.fail > 0:
                self.fail -= 1
                return self.fail_status
        return None

    def token_response(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """``POST /oauth/token``: a bearer token for the client credentials in ``form``."""
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
            self.tokens_issued += 1
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}

    def authorised(self, headers: Any) -> bool:
        """An API key, or a bearer token not yet expired."""
        if headers.get("X-API-Key") == self.api_key:
            return True
        auth = headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            expires = self.tokens.get(auth[7:])
            return bool(expires and expires > time.monotonic())
        return False


def _token_form(body: bytes, authorization: str) -> dict[str, str]:
    """The token request's form fields; client credentials may come as HTTP Basic auth instead."""
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    if authorization.startswith("Basic "):
        cid, _, csecret = base64.b64decode(authorization[6:]).decode().partition(":")
        form.setdefault("client_id", cid)
        form.setdefault("client_secret", csecret)
    return form


# Each data path pages its records its own way, as the real LGSP services do.
def _population_page(records: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """``page``/``size``, records in ``data.items``."""
    page, size = int(query.get("page", 1)), min(int(query.get("size", 50)), 500)
    chunk = records[(page - 1) * size: page * size]
    return {"data": {"items": chunk, "page": page, "size": size, "total": len(records)}}


def _schools_page(records: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """``offset``/``limit``, records in ``result.records``."""
    offset = int(query.get("offset", 0))
    limit = min(int(query.get("limit", 50)), 500)
    return {"result": {"records": records[offset:offset + limit], "total": len(records)}}


def _services_page(records: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """``cursor``/``limit``, records in ``items``, the next cursor in ``next_cursor``."""
    position = int(query.get("cursor") or 0)
    limit = min(int(query.get("limit", 50)), 500)
    chunk = records[position:position + limit]
    following = position + limit
    return {"items": chunk,
            "next_cursor": str(following) if following < len(records) else None}


PAGES: dict[str, Callable[[list[dict[str, Any]], dict[str, str]], dict[str, Any]]] = {
    "/api/v1/dan-so": _population_page,
    "/api/v1/truong-hoc": _schools_page,
    "/api/v1/dich-vu-cong": _services_page,
}


def _handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "LGSP-demo/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
            with state.lock:
                state.requests.append((time.monotonic(), self.path, status))

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            path = urlparse(self.path).path
            if path == "/oauth/token":
                form = _token_form(self._body(), self.headers.get("Authorization", ""))
                return self._send(*state.token_response(form))
            if path == "/_control" and self.client_address[0] == "127.0.0.1":
                state.control(json.loads(self._body() or b"{}"))
                return self._send(200, {"ok": True})
            return self._send(404, {"error": "not found"})

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/health":
                return self._send(200, {"ok": True})
            if not state.authorised(self.headers):
                return self._send(401, {"error": "unauthorized",
                                        "message": "Thiếu hoặc sai thông tin xác thực"})
            if url.path not in state.data or url.path in state.hidden:
                return self._send(404, {"error": "not found"})
            status = state.take_fault()
            if status is not None:
                headers = {"Retry-After": "0"} if status == 429 else None
                return self._send(status, {"error": "tạm thời không phục vụ được"}, headers)
            try:
                body = PAGES[url.path](state.records(url.path), query)
            except ValueError:
                return self._send(400, {"error": "bad paging parameters"})
            return self._send(200, body)

    return Handler


class LgspDemo:
    """The service on a thread: ``with LgspDemo() as demo: demo.url``."""

    def __init__(self, port: int = 0, api_key: str = "khoa-demo-lgsp",
                 client_id: str = "cong-du-lieu-mo", client_secret: str = "bi-mat-demo",  # noqa: S107
                 token_ttl: float = 300.0, host: str = "127.0.0.1"):
        self.state = State(api_key, client_id, client_secret, token_ttl)
        self.server = ThreadingHTTPServer((host, port), _handler(self.state))
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> LgspDemo:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        name="lgsp-demo")
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LgspDemo:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def requests_to(self, path: str) -> list[tuple[float, str, int]]:
        return [r for r in self.state.requests if r[1].startswith(path)]


def serve(port: int, api_key: str, client_id: str, client_secret: str,
          echo: Callable[[str], Any] = print) -> None:
    demo = LgspDemo(port=port, api_key=api_key, client_id=client_id, client_secret=client_secret)
    echo(f"LGSP demo: {demo.url} (Ctrl-C)")
    try:
        demo.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        demo.server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="LGSP-like demo REST service")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--api-key", default="khoa-demo-lgsp")
    parser.add_argument("--client-id", default="cong-du-lieu-mo")
    parser.add_argument("--client-secret", default="bi-mat-demo")
    args = parser.parse_args()
    serve(args.port, args.api_key, args.client_id, args.client_secret)


if __name__ == "__main__":
    main()
