"""Issue 16, items 1 and 2: a harvest source cannot send the portal's secrets to a host of its
choosing, nor make the server fetch from internal addresses (Solr, the LAN); only sysadmins and
declared harvest admins administer sources. The listeners are real sockets on 127.0.0.1."""
from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.harvest.model import HarvestSource

from ckanext.longan_opendata.harvesters.api import LonganApiHarvester
from ckanext.longan_opendata.security import netguard

from .conftest import create_source, run_harvest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
OWNER_SECRET = "mat-khau-chu-so-huu-RO-RI-7731"


class Listener:
    """A TCP listener on 127.0.0.1 that records every byte it receives. ``pg=True`` answers like
    a PostgreSQL server asking for a clear-text password; otherwise like an HTTP JSON service."""

    def __init__(self, pg: bool = False, redirect_to: str | None = None):
        self.pg = pg
        self.redirect_to = redirect_to
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.received = b""
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(3)
                with contextlib.suppress(OSError):
                    self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        data = conn.recv(65536)
        self.received += data
        if self.pg:
            if data[4:8] == struct.pack("!I", 80877103):  # SSLRequest: no SSL
                conn.sendall(b"N")
                self.received += conn.recv(65536)
            conn.sendall(b"R" + struct.pack("!II", 8, 3))  # AuthenticationCleartextPassword
            self.received += conn.recv(65536)
            return
        if self.redirect_to:
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + self.redirect_to.encode()
                         + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        body = b'{"items": []}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    def close(self) -> None:
        self._stop = True
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture()
def fake_pg() -> Iterator[Listener]:
    server = Listener(pg=True)
    yield server
    server.close()


@pytest.fixture()
def owner_password(monkeypatch) -> str:
    """The demo shared database owner's password, in the portal's environment as in the demo."""
    monkeypatch.setenv("LONGAN_SHARED_OWNER_PASSWORD", OWNER_SECRET)
    monkeypatch.setenv("LONGAN_HARVEST_SHARED_DB_PW", OWNER_SECRET)
    return OWNER_SECRET


@pytest.fixture()
def other_org(sysadmin) -> dict[str, Any]:
    return factories.Organization(user=sysadmin, name="so-tai-chinh", title="Sở Tài chính")


def _config_error(raised: Any) -> str:
    return " ".join(raised.value.error_dict["config"])


def _api(url: str, auth: dict[str, Any], path: str = "/api") -> dict[str, Any]:
    return {"base_url": url, "auth": auth, "timeout": 3, "retries": 0,
            "endpoints": [{"path": path, "records_path": "items"}]}


# ----------------------------------------------------------------------------- secret theft
def test_api_key_naming_the_owner_password_is_refused_and_nothing_is_sent(
        sysadmin, org, listener, owner_password):
    config = _api(listener.url, {"type": "api_key", "header": "X-Leak",
                                 "key_env": "LONGAN_SHARED_OWNER_PASSWORD"})
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", listener.url, config, name="ro-ri")
    message = _config_error(raised)
    assert "auth.key_env: tên biến môi trường phải bắt đầu bằng 'LONGAN_HARVEST_'" in message
    assert listener.connections == 0 and owner_password.encode() not in listener.received
    assert model.Session.query(HarvestSource).count() == 0


def test_a_harvest_secret_not_bound_to_the_organisation_is_refused_before_any_request(
        sysadmin, other_org, listener, owner_password):
    config = _api(listener.url, {"type": "api_key", "header": "X-Leak",
                                 "key_env": "LONGAN_HARVEST_SHARED_DB_PW"})
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, other_org, "longan_api", listener.url, config, name="ro-ri")
    message = _config_error(raised)
    assert ("auth.key_env: bí mật 'LONGAN_HARVEST_SHARED_DB_PW' không được phép dùng với máy "
            "chủ '127.0.0.1' và tổ chức này") in message, message
    assert listener.connections == 0 and owner_password.encode() not in listener.received


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.secret_bindings",
                         "LONGAN_HARVEST_SHARED_DB_PW db.longan.gov.vn cuc-thong-ke")
def test_a_harvest_secret_not_bound_to_the_host_is_refused(sysadmin, org, listener,
                                                           owner_password):
    config = _api(listener.url, {"type": "api_key", "header": "X-Leak",
                                 "key_env": "LONGAN_HARVEST_SHARED_DB_PW"})
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", listener.url, config, name="ro-ri")
    assert "không được phép dùng với máy chủ '127.0.0.1'" in _config_error(raised)
    assert listener.connections == 0


@pytest.mark.parametrize("token_url", ["http://127.0.0.1:{port}/token", "//127.0.0.1:{port}/t"])
def test_an_oauth2_token_url_on_another_host_is_refused(sysadmin, org, lgsp, listener,
                                                        token_url):
    config = _api(lgsp.url, {"type": "oauth2", "client_id": "cong-du-lieu-mo",
                             "token_url": token_url.format(port=listener.port),
                             "client_secret_env": "LONGAN_HARVEST_LGSP_CLIENT_SECRET"},
                  path="/api/v1/dan-so")
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", lgsp.url, config, name="ro-ri")
    assert "auth.token_url: phải nằm trên cùng máy chủ với base_url" in _config_error(raised)
    assert listener.connections == 0 and b"bi-mat-kiem-thu" not in listener.received


def test_an_endpoint_path_on_another_host_is_refused(sysadmin, org, lgsp, listener):
    config = _api(lgsp.url, {"type": "api_key", "header": "X-API-Key",
                             "key_env": "LONGAN_HARVEST_LGSP_API_KEY"},
                  path=f"{listener.url}/api/v1/dan-so")
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", lgsp.url, config, name="ro-ri")
    assert "endpoints[0].path: phải nằm trên cùng máy chủ với base_url" in _config_error(raised)
    assert listener.connections == 0


def test_a_fake_postgresql_never_receives_the_password(sysadmin, other_org, fake_pg,
                                                       owner_password):
    url = f"postgresql://longan_shared_owner@127.0.0.1:{fake_pg.port}/longan_shared"
    for env in ("LONGAN_SHARED_OWNER_PASSWORD", "LONGAN_HARVEST_SHARED_DB_PW"):
        config = {"url": url, "password_env": env,
                  "tables": [{"schema": "thong_ke", "table": "truong_hoc"}]}
        with pytest.raises(tk.ValidationError) as raised:
            create_source(sysadmin, other_org, "longan_sql", url, config, name="ro-ri")
        assert _config_error(raised).startswith(
            "Cấu hình nguồn không hợp lệ: password_env: "), _config_error(raised)
    assert fake_pg.connections == 0
    assert owner_password.encode() not in fake_pg.received


def test_the_fake_postgresql_would_receive_a_bound_password(sysadmin, org, fake_pg,
                                                            owner_password):
    """The listener works: with the secret bound (test.ini) the password does reach it - the
    binding, not the fake, is what keeps it out above."""
    url = f"postgresql://longan_shared_reader@127.0.0.1:{fake_pg.port}/longan_shared"
    config = {"url": url, "password_env": "LONGAN_HARVEST_SHARED_DB_PW",
              "tables": [{"schema": "thong_ke", "table": "truong_hoc"}]}
    with pytest.raises(tk.ValidationError):
        create_source(sysadmin, org, "longan_sql", url, config, name="ro-ri")
    assert owner_password.encode() in fake_pg.received


def test_a_config_edited_in_the_database_does_not_leak_at_fetch_time(sysadmin, org, other_org,
                                                                      lgsp):
    source = create_source(sysadmin, org, "longan_api", lgsp.url, _api(
        lgsp.url, {"type": "api_key", "header": "X-API-Key",
                   "key_env": "LONGAN_HARVEST_LGSP_API_KEY"}, "/api/v1/dan-so") | {
        "endpoints": [{"path": "/api/v1/dan-so", "records_path": "data.items"}]}, name="lgsp")
    pkg = model.Package.get(source["id"])
    pkg.owner_org = other_org["id"]  # moved behind the portal's back: not bound to that org
    model.Session.commit()
    lgsp.state.requests.clear()
    results = run_harvest(source, LonganApiHarvester())
    errors = [e.message for r in results.values() for e in r["errors"]]
    assert any("không được phép dùng với máy chủ '127.0.0.1' và tổ chức này" in e
               for e in errors), errors
    assert lgsp.requests_to("/api/v1/dan-so") == []


# --------------------------------------------------------------------- who administers sources
def _org_admin(org: dict[str, Any], name: str) -> dict[str, Any]:
    user = factories.User(name=name)
    tk.get_action("organization_member_create")(
        {"ignore_auth": True}, {"id": org["id"], "username": user["name"], "role": "admin"})
    return user


def _source_dict(org: dict[str, Any], url: str) -> dict[str, Any]:
    return {"name": "nguon-moi", "title": "Nguồn mới", "url": url, "source_type": "longan_api",
            "owner_org": org["id"], "frequency": "MANUAL",
            "config": json.dumps(_api(url, {"type": "none"}, "/api/v1/dan-so"))}


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.check_connection", "false")
def test_an_organisation_admin_may_not_create_or_run_a_harvest_source(sysadmin, org, lgsp):
    admin = _org_admin(org, "quan-tri-cuc")
    data = _source_dict(org, lgsp.url)
    for action, payload in (("harvest_source_create", data),
                            ("package_create", {**data, "type": "harvest"})):
        with pytest.raises(tk.NotAuthorized):
            tk.check_access(action, {"user": admin["name"]}, payload)
    source = tk.get_action("harvest_source_create")({"user": sysadmin["name"]}, {
        **data, "config": json.dumps({**json.loads(data["config"]), "endpoints": [
            {"path": "/api/v1/dan-so", "records_path": "data.items"}]})})
    for action, payload in (("harvest_source_update", {"id": source["id"]}),
                            ("harvest_source_patch", {"id": source["id"]}),
                            ("harvest_source_delete", {"id": source["id"]}),
                            ("harvest_source_clear", {"id": source["id"]}),
                            ("package_update", {"id": source["id"]}),
                            ("package_patch", {"id": source["id"]}),
                            ("package_delete", {"id": source["id"]}),
                            ("harvest_job_create", {"source_id": source["id"]})):
        with pytest.raises(tk.NotAuthorized):
            tk.check_access(action, {"user": admin["name"]}, payload)


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.check_connection", "false")
@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.admin_users", "thu-thap-cuc thu-thap-so")
def test_a_declared_harvest_admin_administers_the_sources_of_their_organisation(
        sysadmin, org, other_org, lgsp):
    admin = _org_admin(org, "thu-thap-cuc")
    outsider = _org_admin(other_org, "thu-thap-so")  # declared, but not an admin of ``org``
    data = _source_dict(org, lgsp.url)
    data["config"] = json.dumps({**json.loads(data["config"]), "endpoints": [
        {"path": "/api/v1/dan-so", "records_path": "data.items"}]})
    with pytest.raises(tk.NotAuthorized):
        tk.check_access("harvest_source_create", {"user": outsider["name"]}, data)
    source = tk.get_action("harvest_source_create")({"user": admin["name"]}, data)
    assert tk.check_access("harvest_job_create", {"user": admin["name"]},
                           {"source_id": source["id"]})
    with pytest.raises(tk.NotAuthorized):  # moving it to an organisation they do not administer
        tk.check_access("harvest_source_update", {"user": admin["name"]},
                        {"id": source["id"], "owner_org": other_org["id"]})
    with pytest.raises(tk.NotAuthorized):
        tk.check_access("harvest_job_create", {"user": outsider["name"]},
                        {"source_id": source["id"]})


# -------------------------------------------------------------------------------------- SSRF
def _solr_base() -> str:
    parts = urlsplit(tk.config["solr_url"])
    return f"http://127.0.0.1:{parts.port}"


@pytest.mark.ckan_config("ckanext.longan_opendata.ssrf.allowed_hosts", "")
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_an_api_source_pointing_at_solr_is_refused(sysadmin, org, host):
    base_url = _solr_base().replace("127.0.0.1", host) + "/solr"
    config = _api(base_url, {"type": "none"}, "/ckan_test/select?q=capacity:private")
    config["endpoints"][0]["records_path"] = "response.docs"
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", base_url, config, name="solr")
    message = _config_error(raised)
    assert "base_url: địa chỉ" in message and "thuộc mạng nội bộ hoặc không được phép" in message
    assert model.Session.query(HarvestSource).count() == 0


@pytest.mark.ckan_config("ckanext.longan_opendata.ssrf.allowed_hosts", "")
def test_an_sql_source_on_an_internal_address_is_refused(sysadmin, org, fake_pg,
                                                         owner_password):
    url = f"postgresql://longan_shared_reader@localhost:{fake_pg.port}/longan_shared"
    config = {"url": url, "password_env": "LONGAN_HARVEST_SHARED_DB_PW",
              "tables": [{"schema": "thong_ke", "table": "truong_hoc"}]}
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_sql", url, config, name="noi-bo")
    assert "url: địa chỉ localhost" in _config_error(raised)
    assert fake_pg.connections == 0


def test_the_guard_checks_the_address_connected_to_and_redirects(listener, monkeypatch):
    """At connect time: ``localhost``, and a redirect from an allowed host:port to another port
    of the same machine (Solr's, say), get no connection."""
    redirector = Listener(redirect_to=f"{listener.url}/solr/ckan/select")
    try:
        monkeypatch.setitem(tk.config, netguard.OPTION, f"127.0.0.1:{redirector.port}")
        with pytest.raises(netguard.BlockedAddress):
            netguard.guarded_session().get(f"http://localhost:{listener.port}/", timeout=3)
        with pytest.raises(netguard.BlockedAddress):
            netguard.guarded_session().get(redirector.url + "/", timeout=3)
        assert redirector.connections == 1
        assert listener.connections == 0
    finally:
        redirector.close()


@pytest.mark.ckan_config("ckanext.longan_opendata.ssrf.allowed_hosts", "")
@pytest.mark.ckan_config("ckanext.xloader.api_token", "token-kiem-thu")
def test_xloader_does_not_fetch_a_resource_on_an_internal_address(sysadmin, org):
    dataset = tk.get_action("package_create")({"user": sysadmin["name"]}, {
        "name": "du-lieu-solr", "title": "Dữ liệu", "owner_org": org["id"],
        "contains_personal_data": "no"})
    resource = tk.get_action("resource_create")({"user": sysadmin["name"]}, {
        "package_id": dataset["id"], "format": "CSV", "name": "solr",
        "url": _solr_base() + "/solr/ckan_test/select?q=*:*&wt=csv"})
    submitted = tk.get_action("xloader_submit")({"user": sysadmin["name"]},
                                                {"resource_id": resource["id"]})
    assert submitted is False
    with pytest.raises(tk.ObjectNotFound):
        tk.get_action("datastore_search")({"ignore_auth": True},
                                          {"resource_id": resource["id"]})
    assert netguard.resource_url_allowed(resource["id"]) is False
