"""Dataset series (issue 12): a yearbook of five published editions created out of order and a
draft sixth edition; the series page, each edition's navigation, the API, who may add a dataset
to a series, the workflow's visibility and the DCAT-AP 3 output (official shapes)."""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pytest
from ckanext.dcat.profiles.base import DCAT, DCT, RDF
from rdflib import Graph, Literal, URIRef

from ckanext.longan_opendata.dcat import validate as dcat_validate
from tests.dcat.conftest import SHAPES
from tests.dcat.test_rdf import official_shapes_dir
from tests.series.conftest import edition, series_fields
from tests.workflow.conftest import act

SITE = "http://test.ckan.net"
ORDERED = [f"nien-giam-thong-ke-{year}" for year in range(2020, 2025)]


def names(html: str, css: str) -> list[str]:
    return re.findall(rf'class="{css}" data-name="([^"]+)"', html)


def ref(pkg: dict) -> URIRef:
    return URIRef(f"{SITE}/dataset/{pkg['id']}")


def test_series_page_lists_the_published_editions_in_order(yearbook, web):
    html = web.get(f"/dataset_series/{yearbook.series['name']}").get_data(as_text=True)
    assert names(html, "longan-edition") == ORDERED  # the 2025 draft is not shown
    assert "Các kỳ của chuỗi dữ liệu (5)" in html
    english = web.get(f"/en/dataset_series/{yearbook.series['name']}").get_data(as_text=True)
    assert "Editions of this series (5)" in english


def _nav(html: str) -> dict[str, str]:
    nav = html[html.index('class="longan-series-nav'):]
    nav = nav[:nav.index("</nav>")]
    return dict(re.findall(r'data-rel="(\w+)" href="/(?:en/)?dataset/([^"]+)"', nav))


def test_each_edition_shows_first_previous_next_last(yearbook, web):
    middle = web.get("/dataset/nien-giam-thong-ke-2022").get_data(as_text=True)
    assert "Kỳ 3/5 của chuỗi" in middle
    assert f'href="/dataset_series/{yearbook.series["name"]}"' in middle
    assert _nav(middle) == {"first": ORDERED[0], "previous": ORDERED[1],
                            "next": ORDERED[3], "last": ORDERED[4]}
    first = web.get("/dataset/nien-giam-thong-ke-2020").get_data(as_text=True)
    assert _nav(first) == {"next": ORDERED[1], "last": ORDERED[4]}
    last = web.get("/en/dataset/nien-giam-thong-ke-2024").get_data(as_text=True)
    assert "Edition 5 of 5 in the series" in last and "Long An statistical yearbook" in last
    assert _nav(last) == {"first": ORDERED[0], "previous": ORDERED[3]}  # no draft 2025


def test_editions_action_follows_each_reader_s_visibility(yearbook):
    series = yearbook.series["name"]
    anonymous = act("longan_series_editions", None, id=series)
    assert [e["name"] for e in anonymous["editions"]] == ORDERED
    editor = act("longan_series_editions", yearbook.users["editor"], id=series, descending=True)
    assert [e["name"] for e in editor["editions"]] == \
        ["nien-giam-thong-ke-2025", *reversed(ORDERED)]
    assert editor["editions"][0]["workflow_state"] == "draft"
    with pytest.raises(tk.ValidationError) as error:
        act("longan_series_editions", None, id="")
    assert "id" in error.value.error_dict
    with pytest.raises(tk.ObjectNotFound):  # a dataset is not a series
        act("longan_series_editions", None, id=ORDERED[0])
    with pytest.raises(tk.ObjectNotFound):
        act("longan_series_editions", None, id="khong-co-chuoi-nay")


def test_who_may_put_a_dataset_in_a_series(yearbook):
    org, series = yearbook.org, yearbook.series
    # a name is accepted and stored as the id
    pkg = act("package_create", yearbook.users["editor"], owner_org=org["id"],
              **edition(series["name"], 2019))
    assert pkg["in_series"] == [series["id"]]
    # a steward of another agency may not put her dataset in this agency's series
    outsider = yearbook.users["outsider"]
    other = yearbook.other_org
    bad = {"khong-co-chuoi": "no dataset series", ORDERED[0]: "no dataset series",
           series["id"]: "only the stewards"}
    for value, message in bad.items():
        with pytest.raises(tk.ValidationError) as error:
            act("package_create", outsider, owner_org=other["id"],
                **edition(value, 2030, name=f"x-{len(value)}"))
        assert message in error.value.error_dict["in_series"][0]
        assert error.value.error_dict["in_series"][0].startswith("In series:")
    with pytest.raises(tk.ValidationError) as error:
        act("package_create", outsider, owner_org=other["id"],
            **edition(series["id"], 2030, in_series='[1, 2]'))
    assert "expected a list of series" in error.value.error_dict["in_series"][0]


def test_api_error_is_vietnamese_and_names_the_field(yearbook, web):
    token = tk.get_action("api_token_create")(
        {"ignore_auth": True, "user": yearbook.users["editor"]},
        {"user": yearbook.users["editor"], "name": "t"})["token"]
    response = web.post("/api/3/action/package_create", headers={"Authorization": token},
                        json={**edition("khong-co-chuoi", 2031), "owner_org": yearbook.org["id"],
                              "name": "nien-giam-2031"})
    assert response.status_code == 409
    assert response.json["error"]["in_series"] == [
        "Thuộc chuỗi dữ liệu: không có chuỗi dữ liệu “khong-co-chuoi”"]


def test_a_series_is_published_through_the_review_workflow(yearbook, web):
    editor, admin = yearbook.users["editor"], yearbook.users["admin"]
    draft = act("package_create", editor, owner_org=yearbook.org["id"],
                **series_fields(title="Khảo sát lao động việc làm hằng tháng",
                                title_en="Monthly labour force survey", frequency="monthly"))
    assert draft["workflow_state"] == "draft"
    member = act("package_create", editor, owner_org=yearbook.org["id"],
                 **edition(draft["id"], 2023, name="lao-dong-2023-01"))
    act("longan_workflow_submit", editor, id=member["id"])
    act("longan_workflow_approve", admin, id=member["id"])
    assert web.get(f"/dataset_series/{draft['name']}").status_code == 404
    with pytest.raises(tk.NotAuthorized):
        act("longan_series_editions", None, id=draft["id"])
    # the published edition does not point to a series nobody may see yet
    graph = Graph().parse(data=web.get(f"/dataset/{member['name']}.ttl").get_data(as_text=True),
                          format="turtle")
    assert graph.value(ref(member), DCAT.inSeries) is None
    # a series needs no resource nor period to be submitted; a reviewer publishes it
    act("longan_workflow_submit", editor, id=draft["id"])
    assert web.get(f"/dataset_series/{draft['name']}").status_code == 404
    act("longan_workflow_approve", admin, id=draft["id"])
    assert web.get(f"/dataset_series/{draft['name']}").status_code == 200
    graph = Graph().parse(data=web.get(f"/dataset/{member['name']}.ttl").get_data(as_text=True),
                          format="turtle")
    assert graph.value(ref(member), DCAT.inSeries) == ref(draft)
    assert graph.value(ref(draft), DCT.title) in {
        Literal("Khảo sát lao động việc làm hằng tháng", lang="vi"),
        Literal("Monthly labour force survey", lang="en")}


def test_dcat_series_and_editions_validate_against_dcat_ap_3(yearbook, web):
    series, editions = yearbook.series, yearbook.editions
    graph = Graph().parse(data=web.get(f"/dataset/{series['name']}.ttl").get_data(as_text=True),
                          format="turtle")
    assert (ref(series), RDF.type, DCAT.DatasetSeries) in graph
    assert graph.value(ref(series), DCAT.first) == ref(editions[2020])
    assert graph.value(ref(series), DCAT.last) == ref(editions[2024])
    edition_graph = Graph().parse(
        data=web.get("/dataset/nien-giam-thong-ke-2022.ttl").get_data(as_text=True),
        format="turtle")
    mid = ref(editions[2022])
    assert edition_graph.value(mid, DCAT.inSeries) == ref(series)
    assert edition_graph.value(mid, DCAT.prev) == ref(editions[2021])
    assert edition_graph.value(mid, DCAT.next) == ref(editions[2023])

    catalogue = Graph().parse(data=web.get("/catalog.ttl").get_data(as_text=True),
                              format="turtle")
    assert ref(series) in set(catalogue.subjects(RDF.type, DCAT.DatasetSeries))
    assert ref(editions[2025 - 1]) in set(catalogue.subjects(RDF.type, DCAT.Dataset))
    shape_sets = [[SHAPES]]
    folder = official_shapes_dir()
    if folder is not None:
        shape_sets.append(dcat_validate.shape_files(folder))
    for shapes in shape_sets:
        for name, g in (("catalogue", catalogue), ("series", graph), ("edition", edition_graph)):
            report = dcat_validate.validate(g, shapes)
            real = [f for f in report.violations if f.path != "byteSize"]
            assert real == [], (name, [(f.focus, f.path, f.message) for f in real])


def test_series_form_and_edition_form_render_for_a_steward(yearbook):
    from tests.series.conftest import PASSWORD
    from tests.web import logged_in_client
    client = logged_in_client(yearbook.users["editor"], PASSWORD)
    form = client.get("/dataset_series/new").get_data(as_text=True)
    assert 'name="series_order_field"' in form and "Tên chuỗi dữ liệu" in form
    edition_form = client.get("/dataset/new").get_data(as_text=True)
    assert 'name="in_series"' in edition_form
    assert yearbook.series["title"] in edition_form  # the agency's series are offered
