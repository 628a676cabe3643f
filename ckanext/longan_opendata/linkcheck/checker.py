"""One URL checked: HEAD, then a ranged GET where HEAD is refused or the bytes are needed.

Redirects are followed by hand (at most ``max_redirects``, loops detected), each hop connected
through the SSRF guard (:func:`~ckanext.longan_opendata.security.netguard.guarded_session`:
the address actually connected to must be public or in ``ssrf.allowed_hosts``). Every request
takes a slot of its host (:class:`HostThrottle`: at most ``per_host`` at once, starts at least
``interval`` seconds apart) and the body is read, within the slot, up to ``max_bytes`` and
before a deadline of ``timeout`` seconds.
"""
from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import ckan.plugins.toolkit as tk
import requests

from ckanext.longan_opendata.security import netguard

from . import formats

__all__ = ["HostThrottle", "LinkError", "Settings", "check_url", "judged"]

PREFIX = "ckanext.longan_opendata.linkcheck."
_REFUSED_HEAD = {403, 405, 501}
_CONTENT_RANGE = re.compile(r"bytes\s+\d+-\d+/(\d+)")


@dataclass(frozen=True)
class Settings:
    """The checker's limits (``ckanext.longan_opendata.linkcheck.*``)."""

    timeout: float = 10.0
    per_host: int = 2
    interval: float = 0.5
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    workers: int = 8
    user_agent: str = "LonganOpenData-LinkCheck/1.0"

    @classmethod
    def from_config(cls) -> Settings:
        get = tk.config.get
        return cls(timeout=float(get(PREFIX + "timeout")), per_host=int(get(PREFIX + "per_host")),
                   interval=float(get(PREFIX + "interval")),
                   max_bytes=int(get(PREFIX + "max_bytes")),
                   max_redirects=int(get(PREFIX + "max_redirects")),
                   workers=int(get(PREFIX + "workers")), user_agent=get(PREFIX + "user_agent"))


class LinkError(Exception):
    """A check that failed: no answer, a refused address, a loop, too slow."""

    def __init__(self, message: str, http_status: int | None = None, url: str | None = None):
        super().__init__(message)
        self.http_status = http_status
        self.url = url


class HostThrottle:
    """Per host: at most ``per_host`` requests at once, their starts ``interval`` s apart."""

    def __init__(self, per_host: int, interval: float):
        self.per_host = max(1, per_host)
        self.interval = max(0.0, interval)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextlib.contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            slots = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + self.interval
            if start > now:
                time.sleep(start - now)  # the polite interval itself, not a wait for an event
            yield


@dataclass
class _Answer:
    status: int
    headers: Any
    url: str
    body: bytes | None = None
    complete: bool = False


def _read(response: requests.Response, limit: int, deadline: float) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body; whether that is all of it."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], False
        if time.monotonic() > deadline:
            raise LinkError("timed out while reading", response.status_code, response.url)
    return b"".join(chunks), True


def _exchange(session: requests.Session, throttle: HostThrottle, settings: Settings,
              method: str, url: str, limit: int) -> _Answer:
    headers = {"User-Agent": settings.user_agent}
    if method == "GET":
        headers["Range"] = f"bytes=0-{limit - 1}"
    with throttle.slot(urlsplit(url).hostname or ""):
        deadline = time.monotonic() + settings.timeout
        try:
            with session.request(method, url, headers=headers, allow_redirects=False,
                                 stream=True, timeout=settings.timeout) as response:
                answer = _Answer(response.status_code, response.headers, url)
                if method == "GET" and response.status_code < 300:
                    answer.body, answer.complete = _read(response, limit, deadline)
                    total = _total(answer.headers)
                    answer.complete = answer.complete and (total is None
                                                           or len(answer.body) >= total)
                return answer
        except netguard.BlockedAddress as exc:
            raise LinkError(f"address not allowed: {exc.address or exc.host}", url=url) from exc
        except requests.Timeout as exc:
            raise LinkError(f"timed out after {settings.timeout:g} s", url=url) from exc
        except requests.RequestException as exc:
            raise LinkError(f"no answer: {type(exc).__name__}", url=url) from exc


def _follow(session: requests.Session, throttle: HostThrottle, settings: Settings,
            method: str, url: str, limit: int = 1) -> _Answer:
    seen: set[str] = set()
    for _ in range(settings.max_redirects + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise LinkError("not an http(s) URL", url=url)
        answer = _exchange(session, throttle, settings, method, url, limit)
        location = answer.headers.get("Location")
        if not (300 <= answer.status < 400 and location):
            return answer
        seen.add(url)
        url = urljoin(url, location)
        if url in seen:
            raise LinkError("redirect loop", answer.status, url)
    raise LinkError(f"more than {settings.max_redirects} redirects", answer.status, url)


def _total(headers: Any) -> int | None:
    found = _CONTENT_RANGE.match(headers.get("Content-Range") or "")
    return int(found.group(1)) if found else None


def _size(answer: _Answer) -> int | None:
    total = _total(answer.headers)
    if total is not None:
        return total
    if answer.complete and answer.body is not None:
        return len(answer.body)
    length = answer.headers.get("Content-Length")
    return int(length) if length and length.isdigit() and answer.status != 206 else None


def check_url(url: str, declared_format: str | None, session: requests.Session,
              throttle: HostThrottle, settings: Settings) -> dict[str, Any]:
    """Check one URL and, for a format :mod:`.formats` knows, its bytes.

    :returns: the keys of a result (``url``, ``status``, ``http_status``, ``final_url``,
        ``content_type``, ``size``, ``format_ok``, ``error``)
    """
    result: dict[str, Any] = {"url": url, "status": "broken", "http_status": None,
                              "final_url": None, "content_type": None, "size": None,
                              "format_ok": None, "error": None}
    wants_bytes = formats.normalise(declared_format) in formats.CHECKED
    try:
        answer = _follow(session, throttle, settings, "HEAD", url)
        if answer.status in _REFUSED_HEAD or (wants_bytes and answer.status < 300):
            limit = settings.max_bytes if wants_bytes else 1
            answer = _follow(session, throttle, settings, "GET", answer.url, limit)
    except LinkError as exc:
        result.update(error=str(exc), http_status=exc.http_status, final_url=exc.url)
        return result
    result.update(http_status=answer.status, final_url=answer.url, size=_size(answer),
                  content_type=(answer.headers.get("Content-Type") or "").split(";")[0].strip()
                  or None)
    if answer.status == 416:  # a range of an empty file
        answer.status, answer.body, answer.complete = 200, b"", True
    if answer.status >= 400:
        result["error"] = f"HTTP {answer.status}"
        return result
    return judged(result, declared_format, answer.body, answer.complete)


def judged(result: dict[str, Any], declared_format: str | None, body: bytes | None,
            complete: bool) -> dict[str, Any]:
    """``status`` from the bytes: ``mislabelled`` when they are not the declared format."""
    if body is not None:
        result["format_ok"], why = formats.verify(declared_format, body, complete)
        if result["format_ok"] is False:
            result.update(status="mislabelled", error=why)
            return result
    result["status"] = "ok"
    return result
