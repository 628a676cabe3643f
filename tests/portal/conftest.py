"""Fixtures of the public portal's tests: a small catalogue of real datasets."""
from __future__ import annotations

import pytest
from ckan.tests import factories, helpers


def make_dataset(user: dict, org: dict, name: str, **fields) -> dict:
    """A public dataset through ``package_create`` as ``user`` (the real schema applies)."""
    data = {"name": name, "title": fields.pop("title", name.replace("-", " ").title()),
            "notes": "Mô tả", "owner_org": org["id"], "license_id": "CC-BY-4.0",
            "contains_personal_data": "no", **fields}
    # public = published through the publish workflow's trusted path (issue 5)
    state = "draft" if data.get("private") else "published"
    context = {"user": user["name"], "longan_workflow_state": state}
    return helpers.call_action("package_create", context=context, **data)


@pytest.fixture()
def agencies():
    """A steward with two agencies: (user, statistics office, health department)."""
    user = factories.Sysadmin()
    stats_office = factories.Organization(name="cuc-thong-ke", title="Cục Thống kê", image_url="")
    health = factories.Organization(name="so-y-te", title="Sở Y tế", image_url="")
    return user, stats_office, health


def make_table(user: dict, pkg: dict, name: str = "Bảng số liệu") -> dict:
    """A DataStore table (and its table preview view) on ``pkg``; returns the resource."""
    context = {"user": user["name"]}
    table = helpers.call_action("datastore_create", context=dict(context), resource={
        "package_id": pkg["id"], "name": name, "format": "CSV", "url_type": "datastore"},
        fields=[{"id": "don_vi", "type": "text"}, {"id": "nam", "type": "int"},
                {"id": "dan_so", "type": "int"}],
        records=[{"don_vi": unit, "nam": year, "dan_so": 60000 + 1000 * i + year - 2020}
                 for i, unit in enumerate(("Tân An", "Bến Lức", "Đức Hòa"))
                 for year in (2023, 2024)])
    resource = helpers.call_action("resource_show", context=dict(context),
                                   id=table["resource_id"])
    helpers.call_action("resource_create_default_resource_views", context=dict(context),
                        resource=resource, package=helpers.call_action(
                            "package_show", id=pkg["id"]), create_datastore_views=True)
    return resource
