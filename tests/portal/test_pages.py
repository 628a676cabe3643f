"""The public pages rendered by the real CKAN app: Vietnamese by default, English on /en/."""
from __future__ import annotations

import html

import pytest
from ckan.tests import helpers

from ckanext.longan_opendata.metadata import licenses
from tests.portal.conftest import make_dataset, make_table

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0),
]


@pytest.fixture()
def catalogue(agencies):
    user, office, health = agencies
    pkg = make_dataset(user, office, "dan-so-trung-binh", title="Dân số trung bình",
                       license_id="CC-BY-4.0")
    table = make_table(user, pkg)
    helpers.call_action("resource_create", context={"user": user["name"]},
                        package_id=pkg["id"], url="http://127.0.0.1:9/bao-cao.pdf",
                        format="PDF", name="Báo cáo")
    make_dataset(user, health, "co-so-y-te", title="Cơ sở y tế")
    return pkg, table


def _text(response) -> str:
    return html.unescape(response.body)


def test_home_page_in_vietnamese_with_figures_and_lists(app, catalogue):
    page = _text(app.get("/"))
    assert '<html lang="vi"' in page
    assert "Cổng dữ liệu mở tỉnh Long An" in page
    assert 'name="q"' in page
    assert 'data-figure="datasets"' in page
    assert "Dân số trung bình" in page and "Cơ sở y tế" in page  # newest
    assert "Cục Thống kê" in page and "Sở Y tế" in page  # agencies
    assert "Bộ dữ liệu được xem nhiều nhất" in page
    # the English switch
    page = _text(app.get("/en/"))
    assert '<html lang="en"' in page
    assert "Long An Province Open Data Portal" in page
    assert 'href="/"' in page or 'hreflang="vi"' in page


def test_search_and_agency_pages(app, catalogue):
    page = _text(app.get("/dataset/", query_string={"q": "dan so"}))
    assert "metadata_created desc" in page  # "newest" sort option
    assert "title_string asc" in page
    assert "Dân số trung bình" in page
    assert "Cơ sở y tế" not in page
    # an agency's page lists its datasets only
    page = _text(app.get("/organization/cuc-thong-ke"))
    assert "Cục Thống kê" in page and "Dân số trung bình" in page
    assert "Cơ sở y tế" not in page


def test_dataset_page(app, catalogue):
    pkg, table = catalogue
    page = _text(app.get(f"/dataset/{pkg['name']}"))
    assert "fmt-csv" in page and "fmt-pdf" in page  # format badges
    assert f"/tai-ve/{table['id']}" in page  # counted download buttons
    assert f"/resource/{table['id']}/view/" in page  # DataStore table preview
    assert "datastore_search" in page and "curl -sS -G" in page and "urllib.request" in page
    for fmt in ("ttl", "rdf", "jsonld"):
        assert f"/dataset/{pkg['name']}.{fmt}" in page
    assert licenses.portal_licenses()["CC-BY-4.0"]["summary_vi"] in page  # plain Vietnamese
    assert "Cục Thống kê (20" in page and "Cổng dữ liệu mở tỉnh Long An. http" in page  # citation
    # the resource page: counted download and API box
    page = _text(app.get(f"/dataset/{pkg['name']}/resource/{table['id']}"))
    assert f"/tai-ve/{table['id']}" in page
    assert f"resource_id={table['id']}" in page


def test_statistics_page_and_api_guide(app, catalogue):
    pkg, table = catalogue
    page = _text(app.get("/thong-ke"))
    assert 'id="longan-chart-data"' in page
    assert 'data-chart="agency"' in page and 'data-chart="month"' in page
    assert "Cục Thống kê" in page  # agency names, not codes, in the chart data
    assert "_chart.js" in page  # the vendored library, served by CKAN
    page = _text(app.get("/huong-dan-api"))
    assert "Hướng dẫn sử dụng API" in page
    assert f"package_show?id={pkg['name']}" in page
    assert f"resource_id={table['id']}" in page
