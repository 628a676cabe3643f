"""The demo catalogue that `make portal` loads is valid, varied and previewable."""
from __future__ import annotations

import pytest
from ckan.tests import factories, helpers

from ckanext.longan_opendata.demo import catalogue as demo
from ckanext.longan_opendata.metadata.review import review_problems

# one dataset per unit granularity; loading all ~30 here would cost minutes
SAMPLE = tuple({spec.by: spec for spec in demo.SPECS}.values())


def test_demo_catalogue_is_large_and_varied():
    assert len(demo.SPECS) >= 30
    assert len({theme for spec in demo.SPECS for theme in spec.themes}) >= 10
    assert len({spec.frequency for spec in demo.SPECS}) >= 4
    assert len({spec.org for spec in demo.SPECS}) == len(demo.AGENCIES)
    assert len({demo.dataset_dict(spec)["name"] for spec in demo.SPECS}) == len(demo.SPECS)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_every_demo_dataset_passes_the_review_check():
    admin = factories.Sysadmin()
    for name, title, _ in demo.AGENCIES:
        helpers.call_action("organization_create", context={"user": admin["name"]},
                            name=name, title=title)
    for spec in demo.SPECS:
        data = demo.dataset_dict(spec)
        data["resources"] = [{"url": "http://example.com/x.csv", "format": "CSV"}]
        assert review_problems({"user": admin["name"]}, data) == {}, spec.title


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_demo_datasets_load_into_the_datastore_with_previews():
    admin = factories.Sysadmin()
    created = demo.load(admin["name"], echo=lambda _: None, specs=SAMPLE)
    assert created == len(demo.AGENCIES) + len(SAMPLE)
    assert demo.load(admin["name"], echo=lambda _: None, specs=SAMPLE) == 0  # idempotent

    result = helpers.call_action("package_search", rows=100,
                                 **{"facet.field": '["res_format"]'})
    assert result["count"] == len(SAMPLE)
    assert {i["name"] for i in result["search_facets"]["res_format"]["items"]} == {
        "CSV", "JSON", "XML"}
    for dataset in result["results"]:
        table = next(r for r in dataset["resources"] if r.get("datastore_active"))
        rows = helpers.call_action("datastore_search", resource_id=table["id"], limit=1)
        assert rows["total"] > 0 and "don_vi" in rows["records"][0]
        views = helpers.call_action("resource_view_list", id=table["id"])
        assert [v["view_type"] for v in views] == ["datatables_view"]
