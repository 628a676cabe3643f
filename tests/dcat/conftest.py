"""A realistic catalogue for the DCAT tests: two agencies and six datasets built from
``tests/metadata/conftest.complete_dataset`` variants (old and new units, English titles, an API,
checksums, several themes and contact points)."""
from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers

from tests.metadata.conftest import complete_dataset

SHAPES = __file__.rsplit("/", 1)[0] + "/dcat-ap-3-longan.shapes.ttl"


def catalogue_datasets(stats_org: str, health_org: str) -> list[dict[str, Any]]:
    return [
        complete_dataset(owner_org=stats_org, tag_string="dân số,thống kê", version="2024.1",
                         notes_en="Yearly average population of the districts.",
                         resources=[{"url": "http://example.com/dan-so.csv", "format": "CSV",
                                     "name": "Dân số 2020–2024",
                                     "description": "Số liệu theo huyện",
                                     "size": 20480,
                                     "hash": "sha256:" + "a1" * 32}]),
        complete_dataset(owner_org=stats_org, title="Diện tích và sản lượng thanh long",
                         title_en="Dragon fruit area and output",
                         notes="Diện tích trồng và sản lượng thanh long theo xã.",
                         theme=["nong-nghiep", "kinh-te"], frequency="quarterly",
                         spatial_units=["old-80", "new-80", "new-27694"],
                         tag_string="thanh long,nông nghiệp",
                         conforms_to="https://specs.frictionlessdata.io/table-schema/",
                         resources=[{"url": "http://example.com/thanh-long.xlsx", "format": "XLSX",
                                     "name": "Sản lượng"},
                                    {"url": "http://example.com/thanh-long.json", "format": "JSON",
                                     "name": "Sản lượng (JSON)",
                                     "hash": "d41d8cd98f00b204e9800998ecf8427e"}]),
        complete_dataset(owner_org=health_org, title="Cơ sở khám chữa bệnh",
                         notes="Danh sách bệnh viện, trạm y tế xã.", theme=["y-te"],
                         frequency="irregular", license_id="CC-BY-4.0", tag_string="y tế",
                         spatial_units=["old-794"], temporal_end="2025-06-30",
                         contact_points=[{"name": "Văn phòng Sở Y tế",
                                          "email": "syt@longan.gov.vn"},
                                         {"name": "Phòng Nghiệp vụ", "phone": "0272 3821 456"}],
                         resources=[{"url": "http://example.com/co-so.geojson",
                                     "format": "GeoJSON", "name": "Bản đồ cơ sở"}]),
        complete_dataset(owner_org=health_org, title="Hồ sơ dịch vụ công trực tuyến",
                         title_en="Online public service dossiers",
                         notes="Số hồ sơ trực tuyến toàn trình theo tháng.",
                         notes_en="Monthly number of fully online dossiers.",
                         theme=["hanh-chinh"], frequency="monthly", license_id="CC0-1.0",
                         tag_string="dịch vụ công", spatial_units=["new-80"],
                         conforms_to="Quyết định 766/QĐ-TTg",
                         resources=[{"url": "https://api.example.com/dvc/ho-so", "format": "JSON",
                                     "access_type": "api", "name": "API hồ sơ",
                                     "description": "Dịch vụ REST trả JSON"},
                                    {"url": "http://example.com/ho-so.csv", "format": "CSV",
                                     "name": "Hồ sơ theo tháng"}]),
        complete_dataset(owner_org=stats_org, title="Trường học phổ thông",
                         notes="Danh sách trường học.", theme=["giao-duc"], frequency="annual",
                         license_id="ODbL-1.0", tag_string="trường học", language="vi",
                         spatial_units=["old-27685", "old-27691"],
                         resources=[{"url": "http://example.com/truong.pdf", "format": "PDF",
                                     "name": "Danh sách (PDF)"},
                                    {"url": "http://example.com/truong.csv", "format": "CSV",
                                     "name": "Danh sách (CSV)"}]),
        complete_dataset(owner_org=health_org, title="Chất lượng nước mặt",
                         title_en="Surface water quality", theme=["moi-truong"],
                         notes="Kết quả quan trắc nước mặt sông Vàm Cỏ.", frequency="daily",
                         tag_string="môi trường,nước", spatial_units=["new-80"],
                         temporal_start="2023-01-01", temporal_end="2025-12-31",
                         resources=[{"url": "http://example.com/nuoc.xml", "format": "XML",
                                     "name": "Quan trắc"}]),
    ]


@pytest.fixture()
def catalogue(with_plugins, clean_db, clean_index) -> dict[str, Any]:
    """Creates the catalogue; returns the organisations and the datasets (package_show dicts)."""
    admin = factories.Sysadmin()
    stats = factories.Organization(
        name="cuc-thong-ke", title="Cục Thống kê tỉnh Long An", agency_code="000.00.34.H41",
        email="thongke@longan.gov.vn", url="https://thongke.longan.gov.vn")
    health = factories.Organization(name="so-y-te", title="Sở Y tế tỉnh Long An")
    context = {"user": admin["name"], "longan_workflow_state": "published"}  # issue 5
    datasets = [helpers.call_action("package_create", context=dict(context), **d)
                for d in catalogue_datasets(stats["id"], health["id"])]
    return {"admin": admin, "orgs": [stats, health], "datasets": datasets}
