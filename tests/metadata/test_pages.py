"""The dataset form and page in Vietnamese: names and labels, never codes."""
from __future__ import annotations

import re

import pytest
from ckan.tests import helpers

from .conftest import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_dataset_page_shows_names_and_labels_not_codes(app, create):
    dataset = create(**complete_dataset())
    page = app.get(f"/dataset/{dataset['name']}").body
    for shown in ("Dân cư, lao động và xã hội",          # theme
                  "Thành phố Tân An",                    # old district
                  "Phường 5, Thành phố Tân An",           # old commune with its district
                  "Hằng năm",                            # frequency
                  "Phòng Thống kê", "thongke@longan.gov.vn",
                  "Điều khoản sử dụng dữ liệu mở"):      # licence
        assert shown in page, shown
    visible = re.sub(r"<script.*?</script>", "", page.split("<body")[1], flags=re.S)
    assert "old-27685" not in visible  # codes only in machine-readable JSON-LD


def test_dataset_form_offers_the_code_lists(app, steward):
    user, _ = steward
    token = helpers.call_action("api_token_create", context={"user": user["name"]},
                                user=user["name"], name="form")["token"]
    page = app.get("/dataset/new", headers={"Authorization": token}).body
    for offered in ('value="y-te"', "Y tế",                       # theme checkboxes
                    'value="new-27694"', "Phường Long An (hiện nay)",  # unit select
                    "Phường 5, Thành phố Tân An (trước 1/7/2025)",
                    'value="annual"', "Hằng năm",
                    "Chứa dữ liệu cá nhân", "Đầu mối liên hệ"):
        assert offered in page, offered
