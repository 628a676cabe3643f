"""A small HTTP server on 127.0.0.1 serving the files the link checker is tested on.

Routes (``FILES``): a CSV, a CSV that is really an HTML page, valid and invalid JSON, an XLSX,
a 404, a slow answer (held until the server stops), a redirect loop, a redirect to a good file
and one to an internal address, a server that refuses HEAD, and a large CSV served by ranges.
Every request is logged (method, path) in ``server.requests``.
"""
from __future__ import annotations

import contextlib
import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Huyện", "Dân số"])
    book.active.append(["Bến Lức", 190000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CSV = "huyen,dan_so\nTân An,145000\nBến Lức,190000\n".encode()
BIG_CSV = b"ma,gia_tri\n" + b"".join(b"%d,%d\n" % (i, i * 7) for i in range(400_000))
FILES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/ok.csv": (200, {"Content-Type": "text/csv; charset=utf-8"}, CSV),
    "/fake.csv": (200, {"Content-Type": "text/csv"},
                  b"<!DOCTYPE html><html><body><h1>Trang chu</h1></body></html>"),
    "/good.json": (200, {"Content-Type": "application/json"}, b'{"data": [1, 2, 3]}'),
    "/bad.json": (200, {"Content-Type": "application/json"}, b'{"data": [1, 2,,'),
    "/book.xlsx": (200, {"Content-Type": "application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet"}, xlsx_bytes()),
    "/fake.xlsx": (200, {}, CSV),
    "/big.csv": (200, {"Content-Type": "text/csv"}, BIG_CSV),
    "/missing.csv": (404, {}, b"not found"),
    "/loop-a": (302, {"Location": "/loop-b"}, b""),
    "/loop-b": (302, {"Location": "/loop-a"}, b""),
    "/moved.csv": (301, {"Location": "/ok.csv"}, b""),
    "/to-internal.csv": (302, {"Location": "http://10.1.2.3/secret.csv"}, b""),
}
_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _answer(self, send_body: bool) -> None:
        self.server.requests.append((self.command, self.path))
        path = self.path.split("?")[0]
        if path == "/slow.csv":  # answers only when the server stops
            self.server.release.wait(30)
            return
        if path == "/nohead.csv" and self.command == "HEAD":
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, headers, body = FILES.get(path.replace("/nohead", "/ok"), (404, {}, b""))
        found = _RANGE.match(self.headers.get("Range") or "")
        if status == 200 and found and self.command == "GET":
            start, end = int(found.group(1)), found.group(2)
            stop = min(len(body), int(end) + 1 if end else len(body))
            status, headers = 206, {**headers,
                                    "Content-Range": f"bytes {start}-{stop - 1}/{len(body)}"}
            body = body[start:stop]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[tuple[str, str]]
    release: threading.Event


@contextlib.contextmanager
def serve(host: str = "127.0.0.1") -> Iterator[_Server]:
    """Serve ``FILES`` on a free port of ``host``; ``server.url`` is its base URL."""
    server = _Server((host, 0), _Handler)
    server.requests = []
    server.release = threading.Event()
    server.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
