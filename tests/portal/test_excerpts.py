"""The excerpts of dataset descriptions in lists: CKAN's, made once per text."""
from __future__ import annotations

import html

import pytest
from ckan.lib import helpers as core_helpers
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata.portal import excerpts
from tests.portal.conftest import make_dataset

pytestmark = pytest.mark.usefixtures("with_plugins")

NOTES = ("**Dân số** trung bình của [Tân An](http://127.0.0.1:9/tan-an) năm 2024, "
         "<em>theo giới tính</em> và nhóm tuổi. " * 6)


@pytest.fixture()
def forgetting():
    excerpts._remembered.cache_clear()
    yield
    excerpts._remembered.cache_clear()


def test_the_excerpt_is_ckans_and_is_made_once(app, forgetting):
    with app.flask_app.test_request_context():
        first = tk.h.markdown_extract(NOTES, extract_length=180)
        again = tk.h.markdown_extract(NOTES, extract_length=180)
        longer = tk.h.markdown_extract(NOTES, extract_length=300)

    assert first == again == core_helpers.markdown_extract(NOTES, extract_length=180)
    assert first.startswith("Dân số trung bình của Tân An năm 2024, theo giới tính")
    assert "**" not in first and "<em>" not in first and len(first) <= 180
    assert longer == core_helpers.markdown_extract(NOTES, extract_length=300) != first
    made = excerpts._remembered.cache_info()
    assert (made.misses, made.hits) == (2, 1)


def test_a_very_long_description_is_not_kept(app, forgetting):
    text = "Mô tả rất dài. " * (excerpts.LONGEST // 10)
    with app.flask_app.test_request_context():
        assert tk.h.markdown_extract(text, extract_length=180) == \
            core_helpers.markdown_extract(text, extract_length=180)
        assert tk.h.markdown_extract(None) == ""
    assert excerpts._remembered.cache_info().currsize == 0


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_the_search_page_shows_the_excerpt(app, agencies, forgetting):
    user, office, _ = agencies
    make_dataset(user, office, "dan-so-tan-an", title="Dân số Tân An", notes=NOTES)

    for _ in range(2):
        page = html.unescape(app.get("/dataset/", params={"q": "dan so"}).body)
        assert core_helpers.markdown_extract(NOTES, extract_length=180) in page
    assert excerpts._remembered.cache_info().hits >= 1
