"""The plugin loads with its companions and search goes through the real Solr."""
from __future__ import annotations

import pytest
from ckan.plugins import plugin_loaded
from ckan.tests import factories, helpers

REQUIRED = (
    "longan_opendata", "scheming_datasets", "scheming_organizations", "harvest", "dcat",
    "structured_data", "activity", "datastore", "datatables_view", "xloader",
)


def _create(user: dict, **fields) -> dict:
    fields.setdefault("contains_personal_data", "no")
    # published directly (the trusted path of issue 5): new datasets are private drafts otherwise
    context = {"user": user["name"], "longan_workflow_state": "published"}
    return helpers.call_action("package_create", context=context, **fields)


@pytest.fixture()
def steward():
    user = factories.User()
    return user, factories.Organization(user=user)


@pytest.mark.usefixtures("with_plugins")
def test_all_portal_plugins_load():
    assert [name for name in REQUIRED if not plugin_loaded(name)] == []


@pytest.mark.usefixtures("with_plugins")
def test_status_show_lists_the_plugin():
    status = helpers.call_action("status_show")
    assert "longan_opendata" in status["extensions"]


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_package_create_then_search_finds_it_through_solr(steward):
    user, org = steward
    _create(user, name="truong-hoc", title="Danh sách trường học",
            notes="Các trường học trên địa bàn tỉnh", owner_org=org["id"])
    result = helpers.call_action("package_search", q="trường học")
    assert [d["name"] for d in result["results"]] == ["truong-hoc"]
    # a fielded query only the index can answer
    assert helpers.call_action("package_search", q="name:truong-hoc")["count"] == 1
    assert helpers.call_action("package_search", q="name:khong-co")["count"] == 0


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
@pytest.mark.parametrize("query", ["dan so", "DÂN SỐ", "Dân số", "dân số"])
def test_vietnamese_search_ignores_accents_and_case(steward, query):
    user, org = steward
    _create(user, name="dan-so-trung-binh", title="Dân số trung bình phân theo huyện",
            notes="Số liệu thống kê", owner_org=org["id"])
    _create(user, name="truong-hoc", title="Danh sách trường học",
            notes="Giáo dục phổ thông", owner_org=org["id"])
    result = helpers.call_action("package_search", q=query)
    assert [d["name"] for d in result["results"]] == ["dan-so-trung-binh"]
