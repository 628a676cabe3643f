"""The speed fixes keep what the pages show (facet links, JSON-LD), and the administrative
unit pages ``/dia-ban/<code>`` that the DCAT output points to."""
from __future__ import annotations

import html
import json
import re

import pytest
from ckan.tests import helpers
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from tests.portal.conftest import make_dataset

pytestmark = [
    pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
    pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0),
]


@pytest.fixture()
def catalogue(agencies):
    user, office, health = agencies
    ben_luc = make_dataset(user, office, "dan-so-ben-luc", title="Dân số Bến Lức",
                           spatial_units=["old-27991"],  # a commune of Bến Lức (old-803)
                           resources=[{"url": "http://127.0.0.1:9/a.csv", "format": "CSV"}])
    tan_an = make_dataset(user, health, "co-so-y-te-tan-an", title="Cơ sở y tế Tân An",
                          spatial_units=["old-794"],
                          resources=[{"url": "http://127.0.0.1:9/b.pdf", "format": "PDF"}])
    return user, ben_luc, tan_an


def _text(response) -> str:
    return html.unescape(response.body)


def _facet_links(page: str, name: str) -> dict[str, str]:
    """label → href of the links of one facet section."""
    section = re.search(rf'data-facet="{name}">(.*?)</section>', page, re.S).group(1)
    return {label.strip(): href for href, label in re.findall(
        r'href="([^"]+)"[^>]*>\s*<span class="item-label">([^<]+)</span>', section)}


def test_facet_links_add_and_remove_their_filter(app, catalogue):
    page = _text(app.get("/dataset/", query_string={"q": "", "res_format": "CSV", "page": "1"}))
    formats = _facet_links(page, "res_format")
    assert formats == {"CSV": "/dataset/?q="}  # the active filter's link removes it (and page)
    agencies = _facet_links(page, "organization")
    assert agencies == {"Cục Thống kê": "/dataset/?q=&res_format=CSV&organization=cuc-thong-ke"}
    page = _text(app.get("/dataset/"))
    assert _facet_links(page, "res_format") == {"CSV": "/dataset/?res_format=CSV",
                                                "PDF": "/dataset/?res_format=PDF"}
    # every facet of the portal is shown, with its values' labels
    for name in ("vocab_theme", "organization", "vocab_spatial_units", "res_format"):
        assert f'data-facet="{name}"' in page
    # the links work
    page = _text(app.get(_facet_links(page, "res_format")["PDF"]))
    assert "Cơ sở y tế Tân An" in page and "Dân số Bến Lức" not in page


def _jsonld(page: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_dataset_page_json_ld_is_dcat_s_and_follows_edits(app, catalogue):
    user, ben_luc, _ = catalogue
    from ckanext.dcat import helpers as dcat_helpers

    with app.flask_app.test_request_context():
        import ckan.plugins.toolkit as tk

        pkg = helpers.call_action("package_show", id=ben_luc["id"])
        ours = tk.h.structured_data(pkg)
        # the portal's (chained) helper gives the graph ckanext-dcat's own gives
        assert isomorphic(Graph().parse(data=ours, format="json-ld"),
                          Graph().parse(data=dcat_helpers.structured_data(pkg),
                                        format="json-ld"))
        assert tk.h.structured_data(pkg) == ours
    shown = _jsonld(app.get(f"/dataset/{ben_luc['name']}").body)
    assert shown["@graph"]
    assert "Dân số Bến Lức" in json.dumps(shown, ensure_ascii=False)
    assert _jsonld(app.get(f"/dataset/{ben_luc['name']}").body) == shown  # cached: same
    helpers.call_action("package_patch", context={"user": user["name"]}, id=ben_luc["id"],
                        title="Dân số huyện Bến Lức")
    shown = json.dumps(_jsonld(app.get(f"/dataset/{ben_luc['name']}").body), ensure_ascii=False)
    assert "Dân số huyện Bến Lức" in shown  # a new version, not the cached one


def test_unit_page_district_before_2025(app, catalogue):
    page = _text(app.get("/dia-ban/old-803"))
    assert '<html lang="vi"' in page
    assert "Huyện Bến Lức" in page
    assert 'data-level="district"' in page and "Cấp huyện" in page
    assert 'data-era="old"' in page and "Đơn vị trước ngày 1/7/2025" in page
    assert 'href="/dia-ban/old-80"' in page and "Tỉnh Long An" in page  # parent
    assert 'href="/dia-ban/old-27991"' in page  # one of its communes
    assert "Từ ngày 1/7/2025 thuộc về" in page and 'href="/dia-ban/new-' in page
    # datasets covering it, through the search facet: the commune's dataset counts
    assert 'data-count="1"' in page
    assert "Dân số Bến Lức" in page and "Cơ sở y tế Tân An" not in page


def test_unit_page_current_commune_and_english(app, catalogue):
    from ckanext.longan_opendata.metadata import units

    commune = units.get("old-27991")
    new_code = commune.successors[0]
    page = _text(app.get(f"/dia-ban/{new_code}"))
    assert 'data-era="new"' in page and "Cấp xã" in page
    assert "Hình thành từ các đơn vị trước ngày 1/7/2025" in page
    assert 'href="/dia-ban/old-27991"' in page  # where it came from
    assert 'href="/dia-ban/new-80"' in page  # Tây Ninh
    assert "Dân số Bến Lức" in page  # the old commune's dataset covers the new commune
    page = _text(app.get(f"/en/dia-ban/{new_code}"))
    assert "Commune level" in page and "Datasets covering this unit" in page


def test_unit_page_unknown_code_is_a_vietnamese_404(app):
    answer = app.get("/dia-ban/old-99999", status=404)
    assert 'Không có đơn vị hành chính nào mang mã "old-99999"' in _text(answer)
    answer = app.get("/dia-ban/khong-co", status=404)
    assert "khong-co" in _text(answer)


def test_dcat_unit_iris_resolve(app, catalogue):
    _, ben_luc, _ = catalogue
    graph = Graph().parse(data=app.get(f"/dataset/{ben_luc['name']}.ttl").body, format="turtle")
    codes = {str(term).rsplit("/dia-ban/", 1)[1] for triple in graph for term in triple
             if isinstance(term, URIRef) and "/dia-ban/" in str(term)}
    assert "old-27991" in codes
    for code in codes:
        app.get(f"/dia-ban/{code}", status=200)
