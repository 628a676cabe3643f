"""HTTP for the ``longan_api`` harvester: one :class:`Client` per source, with its auth (an API key
header or an OAuth2 client-credentials token, the secret read through :mod:`.secrets` for the
source's host and organisation), timeouts, retries with exponential back-off on 429 (honouring
``Retry-After``), 5xx and connection errors, a rate limit per source, and pagination.

Every connection goes through :mod:`ckanext.longan_opendata.security.netguard`; URLs and redirects
stay on ``base_url``'s host (the auth header would go along).
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from ckanext.longan_opendata.lang import Message
from ckanext.longan_opendata.security import netguard

from .config import ConfigError, err
from .secrets import read_secret

MAX_PAGES = 100_000
_last_request: dict[str, float] = {}
_rate_lock = threading.Lock()


class ApiError(Exception):
    """An HTTP problem that ends the fetch of one endpoint; ``str()`` translates it (see
    :mod:`ckanext.longan_opendata.lang`). ``unreachable``: no answer at all."""

    def __init__(self, message: Message | str, status: int | None = None,
                 unreachable: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.unreachable = unreachable

    def __str__(self) -> str:
        return str(self.message)


def dig(document: Any, path: str | None) -> Any:
    """``dig({"data": {"items": [1]}}, "data.items") == [1]``."""
    if not path:
        return document
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return None
        document = document[part]
    return document



def same_origin(base_url: str, url: str) -> bool:
    """Whether ``url`` has the scheme, host and port of ``base_url``."""
    a, b = urlsplit(base_url), urlsplit(url)
    try:
        return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:
        return False



def page_query(item: dict[str, Any], position: int, size: int,
               cursor: Any = None) -> dict[str, Any]:
    """The query string of one page of an endpoint: its ``params`` and its pagination's
    (``position`` is the page number or the offset)."""
    pagination = item.get("pagination") or {"type": "none"}
    kind = pagination.get("type", "none")
    query = dict(item.get("params") or {})
    if kind == "page":
        query[pagination.get("page_param", "page")] = position
        query[pagination.get("size_param", "size")] = size
    elif kind == "offset":
        query[pagination.get("offset_param", "offset")] = position
        query[pagination.get("limit_param", "limit")] = size
    elif kind == "cursor":
        query[pagination.get("size_param", "limit")] = size
        if cursor is not None:
            query[pagination.get("cursor_param", "cursor")] = cursor
    return query


class Client:
    """HTTP for one source: auth, timeouts, retries with back-off, rate limit."""

    def __init__(self, source_id: str, cfg: dict[str, Any], owner: frozenset[str] | None):
        self.source_id = source_id
        self.cfg = cfg
        self.owner = owner  # the source's organisation, for the secret bindings
        self.base_url = cfg["base_url"].rstrip("/") + "/"
        self.host = urlsplit(self.base_url).hostname
        self.timeout = float(cfg.get("timeout", 15))
        self.retries = int(cfg.get("retries", 4))
        self.backoff = float(cfg.get("backoff", 0.5))
        self.rate = float(cfg.get("rate_limit", 0) or 0)
        self.session = netguard.guarded_session()
        self.session.headers["User-Agent"] = "ckanext-longan_opendata harvester"
        self.auth = cfg.get("auth") or {"type": "none"}
        self._token: str | None = None
        self._token_expires = 0.0

    # auth
    def _fetch_token(self) -> None:
        url = self._url(self.auth["token_url"], "auth.token_url")
        secret = read_secret(self.auth, "client_secret", host=self.host, owner=self.owner,
                             where="auth.")
        response = self._send("POST", url, data={
            "grant_type": "client_credentials", "client_id": self.auth["client_id"],
            "client_secret": secret, **({"scope": self.auth["scope"]}
                                        if self.auth.get("scope") else {})}, auth=False)
        if response.status_code != 200:
            raise ApiError(Message("OAuth2 authentication failed (HTTP %(status)s)",
                                   status=response.status_code), response.status_code)
        body = response.json()
        self._token = body["access_token"]
        self._token_expires = time.monotonic() + float(body.get("expires_in", 300)) - 5

    def _auth_headers(self) -> dict[str, str]:
        kind = self.auth.get("type", "none")
        if kind == "api_key":
            return {self.auth.get("header", "X-API-Key"): read_secret(
                self.auth, "key", host=self.host, owner=self.owner, where="auth.")}
        if kind == "oauth2":
            if not self._token or time.monotonic() >= self._token_expires:
                self._fetch_token()
            return {"Authorization": f"Bearer {self._token}"}
        return {}

    def _url(self, path: str, where: str) -> str:
        """``path`` joined to ``base_url``; ConfigError when it leaves base_url's host."""
        url = urljoin(self.base_url, path)
        if not same_origin(self.base_url, url):
            raise err(where, "must stay on the host of base_url")
        return url

    def _wait_rate(self) -> None:
        if self.rate <= 0:
            return
        with _rate_lock:
            now = time.monotonic()
            next_slot = _last_request.get(self.source_id, 0.0) + 1.0 / self.rate
            if next_slot > now:
                time.sleep(next_slot - now)
            _last_request[self.source_id] = time.monotonic()

    def _send(self, method: str, url: str, auth: bool = True, **kw: Any) -> requests.Response:
        """One request with retries on 429/5xx/connection errors and back-off; redirects followed
        only on base_url's host (the auth header would go along)."""
        refreshed = False
        attempt = 0
        redirects = 0
        while True:
            self._wait_rate()
            headers = self._auth_headers() if auth else {}
            try:
                response = self.session.request(method, url, headers=headers,
                                                timeout=self.timeout, allow_redirects=False, **kw)
            except netguard.BlockedAddress as exc:
                raise ConfigError(exc, "base_url") from exc
            except requests.RequestException as exc:
                if attempt >= self.retries:
                    raise ApiError(Message("cannot reach %(url)s after %(n)s attempts (%(error)s)",
                                           url=url, n=attempt + 1, error=exc),
                                   unreachable=True) from exc
                self._sleep(attempt, None)
                attempt += 1
                continue
            if response.status_code == 401 and auth and self.auth.get("type") == "oauth2" \
                    and not refreshed:
                self._token = None  # expired or revoked: get a new one, once
                refreshed = True
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt >= self.retries:
                    raise ApiError(Message("%(url)s answered HTTP %(status)s after %(n)s attempts",
                                           url=url, status=response.status_code,
                                           n=attempt + 1), response.status_code)
                self._sleep(attempt, response.headers.get("Retry-After"))
                attempt += 1
                continue
            if response.is_redirect:
                target = urljoin(url, response.headers.get("location", ""))
                if redirects >= 5 or not same_origin(self.base_url, target):
                    raise ApiError(Message("%(url)s redirects to %(target)s: not followed (another "
                                           "host or too many)", url=url, target=target),
                                   response.status_code)
                url, redirects = target, redirects + 1
                kw.pop("params", None)
                if response.status_code == 303:
                    method = "GET"
                    kw.pop("data", None)
                continue
            return response

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2 ** attempt)
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), 60.0))
        time.sleep(delay)

    def get_json(self, path: str, params: dict[str, Any], where: str = "endpoints.path") -> Any:
        url = self._url(path.lstrip("/"), where)
        response = self._send("GET", url, params=params)
        if response.status_code == 404:
            raise ApiError(Message("%(path)s: not found (HTTP 404)", path=path), 404)
        if response.status_code in (401, 403):
            raise ApiError(Message("%(path)s: access denied (HTTP %(status)s), check the key or "
                                   "secret", path=path, status=response.status_code),
                           response.status_code)
        if response.status_code >= 400:
            raise ApiError(Message("%(path)s: HTTP error %(status)s", path=path,
                                   status=response.status_code), response.status_code)
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(Message("%(path)s: the response is not JSON", path=path)) from exc

    def records(self, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every record of an endpoint, page after page."""
        pagination = item.get("pagination") or {"type": "none"}
        kind = pagination.get("type", "none")
        size = int(pagination.get("size", 100))
        page = int(pagination.get("start", 1 if kind == "page" else 0))
        cursor = None
        for _ in range(MAX_PAGES):
            document = self.get_json(item["path"], page_query(item, page, size, cursor))
            rows = dig(document, item.get("records_path"))
            if not isinstance(rows, list):
                raise ApiError(Message("%(path)s: no list of records at '%(records)s'",
                                       path=item["path"], records=item.get("records_path")))
            for row in rows:
                if not isinstance(row, dict):
                    raise ApiError(Message("%(path)s: a record is not a JSON object",
                                           path=item["path"]))
                yield row
            if kind == "none":
                return
            if kind == "cursor":
                cursor = dig(document, pagination.get("next_path", "next_cursor"))
                if not cursor or not rows:
                    return
            else:
                if len(rows) < size:
                    return
                page += 1 if kind == "page" else size
        raise ApiError(Message("%(path)s: more than %(n)s pages", path=item["path"], n=MAX_PAGES))
