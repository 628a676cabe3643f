"""Names (URLs) from Vietnamese titles."""
from __future__ import annotations

import pytest

from ckanext.longan_opendata.metadata.slug import fold, slugify, unique_slug


@pytest.mark.parametrize(("title", "expected"), [
    ("Danh sách trường học – Đường bộ", "danh-sach-truong-hoc-duong-bo"),
    ("ĐẤT ĐAI", "dat-dai"),
    ("Sản lượng thanh long 2024 (tấn)", "san-luong-thanh-long-2024-tan"),
    ("Dịch vụ công trực tuyến mức độ 4", "dich-vu-cong-truc-tuyen-muc-do-4"),
    ("Phường 5, Thành phố Tân An", "phuong-5-thanh-pho-tan-an"),
    ("Dân số", "dan-so"),
])
def test_slugify_keeps_vietnamese_letters(title, expected):
    assert slugify(title) == expected


def test_decomposed_input_slugs_like_composed():
    decomposed = "Dân số".encode().decode()  # NFC
    import unicodedata

    assert slugify(unicodedata.normalize("NFD", decomposed)) == "dan-so"


def test_slug_is_cut_at_a_word_within_the_limit():
    slug = slugify("Số liệu " * 30, max_length=30)
    assert len(slug) <= 30 and not slug.endswith("-") and slug.startswith("so-lieu-so-lieu")


def test_unique_slug_adds_a_suffix_on_collision():
    taken = {"dan-so", "dan-so-2"}
    assert unique_slug("Dân số", taken.__contains__) == "dan-so-3"
    assert unique_slug("Dân số", set().__contains__) == "dan-so"


def test_fold_removes_marks_and_case():
    assert fold("TRƯỜNG Đại Học") == "truong dai hoc"
