"""Source config validation of ``longan_sql``: clear errors naming the key, in the reader's
language (Vietnamese and English from the catalogue); no secrets."""
from __future__ import annotations

import json
import re

import pytest
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.harvesters.config import ConfigError
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester
from ckanext.longan_opendata.lang import in_language

from .conftest import create_source

URL = "postgresql://longan_shared_reader@127.0.0.1:5432/longan_shared"
GOOD = {"url": URL, "password_env": "LONGAN_HARVEST_SHARED_DB_PW",
        "tables": [{"schema": "thong_ke", "table": "truong_hoc"}]}


def _check(config: dict, locale: str = "vi") -> str:
    with pytest.raises(ConfigError) as raised:
        LonganSqlHarvester().validate_config(json.dumps(config))
    return in_language(raised.value, locale)


def test_a_good_config_passes():
    assert json.loads(LonganSqlHarvester().check_config(json.dumps(GOOD))) == GOOD


@pytest.mark.parametrize(("change", "key", "vietnamese"), [
    ({"url": None}, "url", "thiếu URL"),
    ({"url": "postgresql://u:secret@h/db"}, "url", "không được chứa mật khẩu"),
    ({"password_env": None}, "password_env", "thiếu 'password_env' hoặc 'password_file'"),
    ({"password_env": "CKAN_SQLALCHEMY_URL"}, "password_env",
     "phải bắt đầu bằng 'LONGAN_HARVEST_'"),
    ({"password": "x"}, "password", "không được ghi bí mật"),
    ({"tables": []}, "tables", "danh sách bảng không rỗng"),
    ({"tables": [{"schema": "thong_ke"}]}, "tables[0]", "cần 'table' hoặc 'query_name'"),
    ({"tables": [{"query_name": "q", "query": "DELETE FROM thong_ke.truong_hoc"}]},
     "tables[0].query", "chỉ được là một câu lệnh SELECT"),
    ({"tables": [{"query_name": "q", "query": "SELECT 1; DROP TABLE thong_ke.truong_hoc"}]},
     "tables[0].query", "chỉ được là một câu lệnh SELECT"),
    ({"tables": [{"table": "a", "theme": ["bong-da"]}]}, "tables[0].theme", "mã lĩnh vực"),
    ({"tables": [{"table": "a", "mau_sac": "do"}]}, "tables[0].mau_sac", "không phải trường"),
    ({"tables": [{"table": "a", "types": {"x": "blob"}}]}, "tables[0].types.x", "kiểu không"),
    ({"defaults": {"frequency": "hourly"}}, "defaults.frequency", "tần suất không hợp lệ"),
    ({"defaults": {"license_id": "MIT"}}, "defaults.license_id", "giấy phép không hợp lệ"),
    ({"defaults": {"spatial_units": ["old-8"]}}, "defaults.spatial_units", "đơn vị hành chính"),
    ({"defaults": {"temporal_start": "1/1/2020"}}, "defaults.temporal_start", "YYYY-MM-DD"),
    ({"auto_publish": "yes"}, "auto_publish", "true hoặc false"),
    ({"password_env": None, "password_file": "../../etc/passwd", "password_key": "x"},
     "password_file", "tệp phải nằm trong thư mục bí mật"),
])
def test_bad_configs_get_a_clear_error_naming_the_key(change, key, vietnamese):
    config = {**GOOD, **change}
    config = {k: v for k, v in config.items() if v is not None}
    message = _check(config)
    assert message.startswith(key + ":"), message
    assert vietnamese in message
    english = _check(config, "en")  # the same error, the English msgid, one language at a time
    assert english.startswith(key + ":") and english != message
    assert not re.search("[ăâđêôơư]", english), english


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_api_refuses_a_bad_config_with_a_validation_error(sysadmin, org):
    with pytest.raises(tk.ValidationError) as raised:
        create_source(sysadmin, org, "longan_sql", URL, {**GOOD, "tables": "thong_ke.truong_hoc"})
    assert "tables: phải là danh sách" in json.dumps(raised.value.error_dict, ensure_ascii=False)


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(("prefix", "expected"), [
    ("", "Cấu hình nguồn không hợp lệ: tables: phải là danh sách bảng không rỗng"),
    ("/en", "The source configuration is not valid: tables: must be a non-empty list of tables"),
], ids=["vi", "en"])
def test_the_api_answers_in_the_readers_language(app, sysadmin, org, prefix, expected):
    """Through HTTP: the error (and ckanext-harvest's prefix, replaced) in the language of the
    address, Vietnamese by default, English under /en/; one language at a time."""
    body = {"name": "nguon-sai", "title": "Nguồn sai", "url": URL, "source_type": "longan_sql",
            "owner_org": org["id"], "frequency": "MANUAL",
            "config": json.dumps({**GOOD, "tables": "thong_ke.truong_hoc"})}
    response = app.post(f"{prefix}/api/3/action/harvest_source_create", json=body,
                        headers={"Authorization": sysadmin["token"]}, status=409)
    assert response.json["error"]["config"] == [expected]
