"""Which addresses the portal's servers may connect to on behalf of a user (SSRF).

A harvest source or a resource URL fetched by the server must not reach the portal's own services
(Solr, PostgreSQL, Redis on 127.0.0.1) nor the province's internal network: loopback, link-local,
private (RFC 1918, ULA), CGNAT, "this network", multicast, reserved and documentation addresses are
refused, also when embedded in an IPv6 address (IPv4-mapped, NAT64, 6to4, Teredo), unless listed in
``ckanext.longan_opendata.ssrf.allowed_hosts`` (host names, addresses or CIDRs, each optionally
with ``:port``: the province's own hosts; ``127.0.0.1:8765`` allows that port only, so a service
on the portal's own machine can be allowed without opening Solr or Redis next to it).

The check is made on the address actually connected to: :func:`resolve` resolves a host name once
and returns only the allowed addresses, which the caller then connects to (``hostaddr`` for libpq;
:func:`guarded_session` for HTTP, whose connections resolve and check in ``_new_conn``, so that a
redirect or a DNS answer that changed since the config was saved is checked too).
"""
from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection as urllib3_connection

from ckanext.longan_opendata.lang import Message

__all__ = ["BlockedAddress", "allowed", "guarded_session", "resolve", "resource_url_allowed"]

log = logging.getLogger(__name__)

OPTION = "ckanext.longan_opendata.ssrf.allowed_hosts"
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


class BlockedAddress(Exception):
    """A host that is, or resolves to, an address the server must not connect to."""

    def __init__(self, host: str, address: str | None):
        self.host = host
        self.address = address
        shown = f"{host} ({address})" if address and address != host else host
        self.message = Message("the address %(address)s is internal or not allowed (see "
                               "%(option)s)", address=shown, option=OPTION)
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip("[]"), strict=False)
    except ValueError:
        return None


def _allow_list() -> tuple[list[tuple[str, int | None]], list[tuple[Network, int | None]]]:
    """``allowed_hosts``: (name, port) and (network, port) entries; port None = any port."""
    raw = tk.config.get(OPTION) or ""
    names: list[tuple[str, int | None]] = []
    networks: list[tuple[Network, int | None]] = []
    for item in (raw.split() if isinstance(raw, str) else list(raw)):
        net = _network(item)
        if net is not None:
            networks.append((net, None))
            continue
        host, sep, port = item.rpartition(":")
        if not (sep and port.isdigit()):
            host, port = item, ""
        net = _network(host)
        if net is not None:
            networks.append((net, int(port) if port else None))
        else:
            names.append((host.lower().rstrip("."), int(port) if port else None))
    return names, networks


def _embedded(ip: IP) -> IP | None:
    """The IPv4 address inside an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(ip: IP) -> bool:
    """Whether an address is a global unicast one (nothing internal, reserved or multicast)."""
    inner = _embedded(ip)
    if inner is not None:
        return is_public(inner) and not (isinstance(ip, ipaddress.IPv6Address)
                                         and ip in _NAT64_LOCAL)
    return (ip.is_global and not ip.is_multicast and not ip.is_reserved
            and not ip.is_loopback and not ip.is_link_local and not ip.is_private
            and not ip.is_unspecified and ip not in _CGNAT)


def allowed(host: str, address: str, port: int | None = None) -> bool:
    """Whether ``address`` (what ``host`` resolved to) may be connected to on ``port``."""
    names, networks = _allow_list()
    name = host.lower().rstrip(".").strip("[]")
    if any(name == n and p in (None, port) for n, p in names):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    inner = _embedded(ip)
    if any((ip in net or (inner is not None and inner in net)) and p in (None, port)
           for net, p in networks):
        return True
    return is_public(ip)


def resolve(host: str | None, port: int | None = None, socktype: int = socket.SOCK_STREAM
            ) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` of ``host`` keeping only the allowed addresses; :class:`BlockedAddress`
    when none is (the first refused one named); ``socket.gaierror`` when the name is unknown."""
    if not host or not isinstance(host, str) or host.startswith("/") or "," in host:
        raise BlockedAddress(str(host or ""), None)  # a Unix socket path or several hosts
    name = host.strip("[]")
    infos = socket.getaddrinfo(name, port, type=socktype)
    good = [info for info in infos if allowed(name, info[4][0], port)]
    if not good:
        raise BlockedAddress(name, infos[0][4][0] if infos else None)
    return good


def check_url_host(host: str | None, port: int | None = None) -> None:
    """Validation-time check of a host: :class:`BlockedAddress` when it is, or resolves only to,
    refused addresses. A name that does not resolve (yet) passes: connections check again."""
    try:
        resolve(host, port)
    except socket.gaierror:
        return


# --------------------------------------------------------------------------------------- HTTP
class _GuardedMixin:
    """``_new_conn`` that resolves the host itself and connects only to an allowed address."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            infos = resolve(self.host, self.port)
        except socket.gaierror as exc:
            raise NewConnectionError(self, f"Failed to resolve '{self.host}' ({exc})") from exc
        error: OSError | None = None
        for info in infos:
            try:
                return urllib3_connection.create_connection(
                    (info[4][0], self.port), self.timeout, source_address=self.source_address,
                    socket_options=self.socket_options)
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


class GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections go only to allowed addresses."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool,
                                                   "https": _GuardedHTTPSPool}
        self.poolmanager.key_fn_by_scheme = dict(self.poolmanager.key_fn_by_scheme)


def guarded_session() -> requests.Session:
    """A requests session that connects only to allowed addresses (redirects included) and
    ignores the environment's proxies (a proxy would connect on our behalf, unchecked)."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# ------------------------------------------------------------------------------------ xloader
def resource_url_allowed(resource_id: str) -> bool:
    """Whether xloader may fetch a resource's URL (``IXloader.can_upload``): an uploaded file is
    fetched from the portal itself (``ckanext.xloader.site_url``); any other URL must be http(s)
    or ftp and its host resolve to allowed addresses only.

    The check runs when the job is submitted: xloader 2.5 has no hook where it connects, so a DNS
    answer that changes before the job runs, or a redirect, is not checked here."""
    from ckan import model

    resource = model.Resource.get(resource_id)
    if resource is None:
        return False
    if resource.url_type == "upload":
        return True
    try:
        parts = urlsplit(resource.url or "")
        port = parts.port or {"http": 80, "https": 443, "ftp": 21}.get(parts.scheme)
    except ValueError:
        return False
    if port is None or not parts.hostname:
        return False
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError:
        log.info("xloader: %s: unknown host %s, not fetched", resource_id, parts.hostname)
        return False
    refused = [i[4][0] for i in infos if not allowed(parts.hostname, i[4][0], port)]
    if refused:  # every address must be allowed: the job resolves the name again
        log.warning("xloader: %s: %s", resource_id, BlockedAddress(parts.hostname, refused[0]))
        return False
    return True
