"""The harvest job page lists every error, per table and row, in Vietnamese."""
from __future__ import annotations

import html as htmllib
import re

import pytest
from ckanext.harvest import model as harvest_model

from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import create_source, run_harvest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_job_page_lists_each_error_with_its_table_and_row(
        app, shared_database, reader_env, sysadmin, org, owner_conn, scratch_schema):
    with owner_conn.cursor() as cur:  # two tables whose text columns are published typed
        cur.execute("CREATE TABLE kiem_thu.giay_phep (so text, ngay_cap text)")
        cur.execute("INSERT INTO kiem_thu.giay_phep SELECT 'GP-' || g, "
                    "CASE WHEN g = 7 THEN '31/02/2024' ELSE (DATE '2024-01-01' + g)::text END "
                    "FROM generate_series(1, 50) g")
        cur.execute("CREATE TABLE kiem_thu.dien_tich (xa text, km2 text)")
        cur.execute("INSERT INTO kiem_thu.dien_tich VALUES ('Xã An Vĩnh Ngãi', '12.5'), "
                    "('Xã Bình Tâm', 'không rõ')")
    tables = [{"schema": "kiem_thu", "table": "giay_phep", "types": {"ngay_cap": "date"}},
              {"schema": "kiem_thu", "table": "dien_tich", "types": {"km2": "numeric"}},
              {"schema": "thong_ke", "table": "luong_mua_thang"}]
    source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                           {"url": shared_database["reader_url"], "password_env": reader_env,
                            "tables": tables})
    results = run_harvest(source, LonganSqlHarvester())
    assert sorted(r["state"] for r in results.values()) == ["COMPLETE", "ERROR", "ERROR"]
    [job] = harvest_model.HarvestJob.filter(source_id=source["id"]).all()
    assert job.status == "Finished"

    page = app.get(f"/harvest/{source['name']}/job/{job.id}",
                   headers={"Authorization": sysadmin["token"]})
    assert page.status_code == 200
    html = htmllib.unescape(page.get_data(as_text=True))
    assert "Báo cáo lần thu thập" in html and "Lỗi theo bảng hoặc dịch vụ" in html
    assert "2 bảng hoặc dịch vụ có lỗi" in html
    rows = re.findall(r'<tr data-harvest-object="[^"]+">(.*?)</tr>', html, re.S)
    assert len(rows) == 2, rows  # one error each, nothing for the good table
    text = {re.search(r"<code>(.*?)</code>", r).group(1): re.sub(r"\s+", " ", r) for r in rows}
    assert set(text) == {"kiem_thu.giay_phep", "kiem_thu.dien_tich"}
    assert "dòng 7</td>" in text["kiem_thu.giay_phep"]
    assert "31/02/2024" in text["kiem_thu.giay_phep"]
    assert "dòng 2</td>" in text["kiem_thu.dien_tich"]
    assert "Nạp vào cổng dữ liệu" in text["kiem_thu.dien_tich"]
    assert "phiên bản trước được giữ nguyên" in text["kiem_thu.dien_tich"]
