"""Saving a ``longan_sql``/``longan_api`` source tests its connection: a clear Vietnamese error on
the config field naming what failed (wrong password, unknown host, missing table, HTTP 401), never
a 500 and never the secret; through the API and through the web form (POST with CSRF token)."""
from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.harvest.model import HarvestSource

from tests.web import csrf_token, logged_in_client

from .conftest import create_source, update_source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
WRONG = "mat-khau-sai-9f3k"
PASSWORD = "Mat-khau-dang-nhap-1"


def _sql(shared_database, env, tables=None, url=None):
    return {"url": url or shared_database["reader_url"], "password_env": env,
            "tables": tables or [{"schema": "thong_ke", "table": "truong_hoc"}]}


def _config_error(raised) -> str:
    errors = raised.value.error_dict
    assert list(errors) == ["config"], errors
    return " ".join(errors["config"])


def test_sql_source_with_a_working_connection_is_saved(shared_database, reader_env, sysadmin,
                                                        org):
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _sql(shared_database, reader_env))
    assert HarvestSource.get(source["id"]) is not None


@pytest.mark.parametrize(("case", "expected"), [
    ("wrong_password", "password: sai mật khẩu cho người dùng 'longan_shared_reader'"),
    ("unknown_host", "url: không kết nối được cơ sở dữ liệu nguồn: không tìm thấy máy chủ "
                     "'may-chu-khong-co.invalid'"),
    ("missing_table", "tables[1].table: không có bảng hoặc khung nhìn 'thong_ke.bang_khong_co'"),
    ("unset_secret", "password_env: biến môi trường LONGAN_HARVEST_KHONG_DAT chưa được đặt"),
])
def test_sql_source_failing_its_connection_test_is_refused(
        shared_database, reader_env, sysadmin, org, monkeypatch, case, expected):
    config = _sql(shared_database, reader_env)
    if case == "wrong_password":
        monkeypatch.setenv(reader_env, WRONG)
    elif case == "unknown_host":
        config["url"] = "postgresql://longan_shared_reader@may-chu-khong-co.invalid/longan_shared"
    elif case == "missing_table":
        config["tables"].append({"schema": "thong_ke", "table": "bang_khong_co"})
    else:
        config["password_env"] = "LONGAN_HARVEST_KHONG_DAT"
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_sql", config["url"], config)
    message = _config_error(raised)
    assert expected in message, message
    assert WRONG not in message and shared_database["reader_password"] not in message
    assert model.Session.query(HarvestSource).count() == 0


def test_editing_a_source_tests_the_connection_too(shared_database, reader_env, sysadmin, org):
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           _sql(shared_database, reader_env))
    with pytest.raises(tk.ValidationError) as raised:
        update_source_config(sysadmin, source, _sql(shared_database, reader_env, [
            {"schema": "khong_co", "table": "truong_hoc"}]))
    assert "không có bảng hoặc khung nhìn 'khong_co.truong_hoc'" in _config_error(raised)


@pytest.mark.ckan_config("ckanext.longan_opendata.harvest.check_connection", "false")
def test_the_connection_test_can_be_switched_off(shared_database, reader_env, sysadmin, org,
                                                 monkeypatch):
    monkeypatch.setenv(reader_env, WRONG)
    create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                  _sql(shared_database, reader_env))


def _api(demo, key_env="LONGAN_HARVEST_LGSP_API_KEY", path="/api/v1/dan-so", records="data.items"):
    return {"base_url": demo.url, "timeout": 5,
            "auth": {"type": "api_key", "header": "X-API-Key", "key_env": key_env},
            "endpoints": [{"path": path, "records_path": records,
                           "pagination": {"type": "page", "size": 100}}]}


def test_api_source_connection_test(lgsp, sysadmin, org, monkeypatch):
    create_source(sysadmin, org, "longan_api", lgsp.url, _api(lgsp), name="lgsp")
    assert [s for _t, _p, s in lgsp.requests_to("/api/v1/dan-so")] == [200]  # one request

    monkeypatch.setenv("LONGAN_HARVEST_LGSP_API_KEY", "khoa-bi-thu-hoi")
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", lgsp.url + "/a", {**_api(lgsp), "timeout": 6},
                      name="lgsp-sai")
    message = _config_error(raised)
    assert "auth: /api/v1/dan-so: bị từ chối truy cập (HTTP 401)" in message, message
    assert "khoa-bi-thu-hoi" not in message

    monkeypatch.setenv("LONGAN_HARVEST_LGSP_API_KEY", "khoa-kiem-thu")
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", lgsp.url + "/x", _api(lgsp, path="/api/v1/x"),
                      name="lgsp-404")
    assert "endpoints[0].path: /api/v1/x: không tồn tại (HTTP 404)" in _config_error(raised)

    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", lgsp.url + "/y", _api(lgsp, records="items"),
                      name="lgsp-path")
    assert "không tìm thấy danh sách bản ghi tại 'items'" in _config_error(raised)

    closed = {**_api(lgsp), "base_url": "http://127.0.0.1:9"}
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_api", "http://127.0.0.1:9", closed, name="lgsp-dong")
    assert "base_url: không kết nối được http://127.0.0.1:9/api/v1/dan-so" in _config_error(
        raised)


# ------------------------------------------------------------------------------------ web form
def _browser(user: dict) -> object:
    return logged_in_client(user["name"], PASSWORD)


def test_web_form_shows_the_connection_error_in_vietnamese(shared_database, reader_env,
                                                            monkeypatch):
    admin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(user=admin, name="so-y-te")
    client = _browser(admin)
    form = client.get("/harvest/new").get_data(as_text=True)
    assert "longan_sql" in form
    config = _sql(shared_database, reader_env, [{"schema": "thong_ke", "table": "khong_co"}])
    data = {"name": "nguon-web", "title": "Nguồn web", "url": shared_database["reader_url"],
            "source_type": "longan_sql", "owner_org": org["id"], "frequency": "MANUAL",
            "config": json.dumps(config), "save": "Save", "_csrf_token": csrf_token(form)}
    page = client.post("/harvest/new", data=data)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "không có bảng hoặc khung nhìn &#39;thong_ke.khong_co&#39;" in html or \
        "không có bảng hoặc khung nhìn 'thong_ke.khong_co'" in html, html[:3000]
    assert shared_database["reader_password"] not in html
    assert model.Session.query(HarvestSource).count() == 0

    monkeypatch.setenv(reader_env, WRONG)
    data["config"] = json.dumps(_sql(shared_database, reader_env))
    html = client.post("/harvest/new", data=data).get_data(as_text=True)
    assert "sai mật khẩu cho người dùng" in html and WRONG not in html

    monkeypatch.setenv(reader_env, shared_database["reader_password"])
    done = client.post("/harvest/new", data=data, follow_redirects=False)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert model.Session.query(HarvestSource).count() == 1
