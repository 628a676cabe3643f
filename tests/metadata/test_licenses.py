"""Each licence has a page explaining it in Vietnamese; the default is the provincial terms."""
from __future__ import annotations

import pytest
from ckan.tests import helpers

from ckanext.longan_opendata.metadata.licenses import DEFAULT_LICENSE

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_license_list_is_the_portals():
    ids = {lic["id"] for lic in helpers.call_action("license_list")}
    assert ids == {DEFAULT_LICENSE, "CC-BY-4.0", "CC0-1.0", "ODbL-1.0"}


@pytest.mark.parametrize(("license_id", "words"), [
    ("vn-open-data-1.0", "kể cả cho mục đích thương mại"),
    ("CC-BY-4.0", "ghi công tác giả"),
    ("CC0-1.0", "phạm vi công cộng"),
    ("ODbL-1.0", "cùng giấy phép"),
])
def test_each_license_has_a_vietnamese_page(app, license_id, words):
    page = app.get(f"/giay-phep/{license_id}").body
    assert words in page
    assert "Toàn văn giấy phép" in page or license_id == "vn-open-data-1.0"


def test_license_index_and_unknown_license(app):
    assert "Giấy phép sử dụng dữ liệu" in app.get("/giay-phep").body
    app.get("/giay-phep/khong-co", status=404)


def test_english_license_page(app):
    assert "commercially too" in app.get("/en/giay-phep/vn-open-data-1.0").body
