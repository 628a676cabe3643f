"""Vietnamese search and facets through the real Solr."""
from __future__ import annotations

import unicodedata

import pytest
from ckan.tests import helpers

from .conftest import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture()
def catalogue(with_plugins, clean_db, clean_index, create):
    create(**complete_dataset(name="dan-so", title="Dân số trung bình phân theo huyện",
                              theme=["dan-cu-xa-hoi"], spatial_units=["old-27685"]))
    other = {"title_en": "", "resources": [{"url": "http://example.com/a.csv", "format": "CSV"}]}
    create(**complete_dataset(name="truong-hoc", title="Danh sách trường học", **other,
                              notes="Các trường phổ thông.", theme=["giao-duc"],
                              spatial_units=["new-27694"], frequency="irregular",
                              license_id="CC-BY-4.0"))
    create(**complete_dataset(name="benh-vien", title="Cơ sở khám chữa bệnh", **other,
                              notes="Bệnh viện và trạm xá.", theme=["y-te"],
                              spatial_units=["old-80"], temporal_end="2025-06-30"))


def _names(**params) -> list[str]:
    return sorted(d["name"] for d in helpers.call_action("package_search", **params)["results"])


SEARCH_CASES = [
    ("dan so", ["dan-so"]),
    ("DÂN SỐ", ["dan-so"]),
    ("Dân số", ["dan-so"]),
    (unicodedata.normalize("NFD", "Dân số"), ["dan-so"]),  # decomposed keyboard input
    ("truong", ["truong-hoc"]),
    ("trường", ["truong-hoc"]),
    ("TRUONG HOC", ["truong-hoc"]),
    ("benh vien", ["benh-vien"]),
    ("y te", ["benh-vien"]),                 # the theme's label is searchable
    ("Tan An", ["dan-so"]),                  # an old commune's district, by name
    ("Phường 5", ["dan-so"]),                # the old commune itself
]


@pytest.mark.usefixtures("catalogue")
def test_search_ignores_accents_case_and_encoding():
    """One catalogue, every query (a database reset per query would cost seconds each)."""
    found = {query: _names(q=query) for query, _ in SEARCH_CASES}
    assert found == dict(SEARCH_CASES)


@pytest.mark.usefixtures("catalogue")
def test_facets_cover_theme_unit_format_licence_and_frequency(app):
    fields = ["vocab_theme", "organization", "vocab_spatial_units", "vocab_spatial_units_old",
              "res_format", "license_id", "vocab_frequency"]
    resp = app.get("/api/3/action/package_search",
                   params={"facet.field": str(fields).replace("'", '"'), "rows": 0})
    facets = resp.json["result"]["search_facets"]
    themes = {i["name"]: (i["display_name"], i["count"]) for i in facets["vocab_theme"]["items"]}
    assert themes["y-te"] == ("Y tế", 1)
    units_now = {i["name"]: i for i in facets["vocab_spatial_units"]["items"]}
    # the old commune Phường 5 (Tân An) is counted under the new Phường Long An too
    assert units_now["new-27694"]["count"] == 2
    assert units_now["new-27694"]["display_name"] == "Phường Long An"
    assert units_now["new-80"]["count"] == 3
    old = {i["name"]: i["count"] for i in facets["vocab_spatial_units_old"]["items"]}
    assert old == {"old-80": 2, "old-794": 1, "old-27685": 1}
    freq = {i["name"]: i["display_name"] for i in facets["vocab_frequency"]["items"]}
    assert freq == {"annual": "Hằng năm", "irregular": "Không định kỳ"}
    licences = {i["name"]: i["count"] for i in facets["license_id"]["items"]}
    assert licences == {"vn-open-data-1.0": 2, "CC-BY-4.0": 1}
    assert {i["name"] for i in facets["res_format"]["items"]} == {"CSV"}


@pytest.mark.usefixtures("catalogue")
def test_filtering_by_a_facet(app):
    assert _names(fq='vocab_theme:"giao-duc"') == ["truong-hoc"]
    assert _names(fq='vocab_spatial_units_old:"old-794"') == ["dan-so"]


@pytest.mark.usefixtures("catalogue")
def test_search_page_shows_vietnamese_facet_titles(app):
    page = app.get("/dataset/").body
    for title in ("Lĩnh vực", "Địa bàn", "Địa bàn trước 1/7/2025", "Tần suất cập nhật",
                  "Y tế", "Phường Long An"):
        assert title in page
