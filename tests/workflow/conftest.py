"""Fixtures of the publish-workflow tests: agencies, users in every role, datasets in every state.

The matrix builds its world once per module (``world``): one dataset per workflow state, each
with a DataStore table and an uploaded file, in the real PostgreSQL and Solr. Tests that change a
dataset ask ``world.fresh(state)`` for their own.
"""
from __future__ import annotations

import datetime
import io
import itertools
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from werkzeug.datastructures import FileStorage

from ckanext.longan_opendata import workflow as wf
from tests.fast import cached_test_app

ROLES = ("anonymous", "member", "editor", "admin", "other_editor", "sysadmin")
STATES = (wf.DRAFT, wf.PENDING, wf.APPROVED, wf.PUBLISHED, wf.REJECTED, wf.WITHDRAWN)
PASSWORD = "MatKhau-2026!"  # every test user's, for logging in through the web form
CSV = b"nam,so_truong\n2024,12\n2025,13\n"

# values of the metadata contract (issue 3), used only for the fields the schema has
CONTRACT = {
    "title_en": "Schools", "notes_en": "Schools of the province",
    "theme": ["giao-duc"], "spatial_units": ["old-80"], "temporal_start": "2024-01-01",
    "temporal_end": "2024-12-31", "frequency": "annual",
    "contact_points": [{"name": "Phòng Thống kê", "email": "tk@longan.test",
                        "phone": "+84 272 3826 000"}],
    "source_system": "CSDL giáo dục", "legal_basis": "Luật Dữ liệu 2024", "language": "vi",
    "version": "1.0", "conforms_to": "", "data_quality_note": "Đã kiểm tra",
    "contains_personal_data": "no",
}
_names = itertools.count()


def act(action: str, user: str | None, **data: Any) -> Any:
    """Call an action as ``user`` (None = anonymous) with auth checks on, like the API does."""
    return tk.get_action(action)({"user": user or ""}, data)


def dataset_fields(**overrides: Any) -> dict[str, Any]:
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    known = {f["field_name"] for f in scheming_get_dataset_schema("dataset")["dataset_fields"]}
    licences = {lic["id"] for lic in tk.get_action("license_list")({}, {})}
    fields = {
        "name": f"truong-hoc-{next(_names)}", "title": "Danh sách trường học",
        "notes": "Các trường học trên địa bàn tỉnh",
        "license_id": "vn-open-data-1.0" if "vn-open-data-1.0" in licences else "cc-by",
        **{k: v for k, v in CONTRACT.items() if k in known},
        # review needs a resource; ``World.fresh`` uploads its own file instead
        "resources": [{"url": "http://data.longan.test/truong-hoc.csv", "name": "Số liệu",
                       "format": "CSV"}],
    }
    fields.update(overrides)
    return fields


@dataclass
class World:
    users: dict[str, str]
    tokens: dict[str, str]
    org: dict[str, Any]
    other_org: dict[str, Any]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def user(self, role: str) -> str | None:
        return self.users.get(role)

    def fresh(self, state: str, datastore: bool = False, publish_in_days: int = 365,
              **fields: Any) -> dict[str, Any]:
        """A new dataset of the agency brought to ``state`` through the workflow actions
        (the editor submits, the admin decides)."""
        editor, admin = self.users["editor"], self.users["admin"]
        pkg = act("package_create", editor, owner_org=self.org["id"],
                  **dataset_fields(**{"resources": [], **fields}))
        res = act("resource_create", editor, package_id=pkg["id"], name="Số liệu", format="CSV",
                  url="truong-hoc.csv", upload=FileStorage(io.BytesIO(CSV), "truong-hoc.csv"))
        if datastore:
            act("datastore_create", editor, resource_id=res["id"], force=True,
                fields=[{"id": "nam", "type": "int"}, {"id": "so_truong", "type": "int"}],
                records=[{"nam": 2024, "so_truong": 12}])
        if state != wf.DRAFT:
            act("longan_workflow_submit", editor, id=pkg["id"])
        if state == wf.PUBLISHED or state == wf.WITHDRAWN:
            act("longan_workflow_approve", admin, id=pkg["id"])
        if state == wf.APPROVED:
            later = (wf.today() + datetime.timedelta(days=publish_in_days)).isoformat()
            act("longan_workflow_approve", admin, id=pkg["id"], publish_date=later)
        if state == wf.REJECTED:
            act("longan_workflow_reject", admin, id=pkg["id"], reason="Thiếu mô tả cột")
        if state == wf.WITHDRAWN:
            act("longan_workflow_withdraw", admin, id=pkg["id"], reason="Sai số liệu")
        shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg["id"]})
        assert shown["workflow_state"] == state
        return shown


def _make_world() -> World:
    sysadmin = factories.Sysadmin(password=PASSWORD)
    roles = ("member", "editor", "admin", "other_editor", "second_admin")
    people = {role: factories.User(password=PASSWORD) for role in roles}
    org = factories.Organization(users=[
        {"name": people["member"]["name"], "capacity": "member"},
        {"name": people["editor"]["name"], "capacity": "editor"},
        {"name": people["admin"]["name"], "capacity": "admin"},
        {"name": people["second_admin"]["name"], "capacity": "admin"},
    ])
    other = factories.Organization(users=[
        {"name": people["other_editor"]["name"], "capacity": "editor"}])
    users = {role: u["name"] for role, u in people.items()}
    users["sysadmin"] = sysadmin["name"]
    tokens = {role: factories.APIToken(user=name)["token"] for role, name in users.items()}
    return World(users=users, tokens=tokens, org=org, other_org=other)


def build_world() -> World:
    built = _make_world()
    for state in STATES:
        built.datasets[state] = built.fresh(state, datastore=True)
    return built


@pytest.fixture(scope="module")
def world(build_once):
    """Users in every role and one dataset per state (built once for the whole directory)."""
    return build_once("workflow", build_world)


@pytest.fixture(scope="module")
def web(world):
    """One test app for the module (downloads, DCAT, pages)."""
    return cached_test_app()


@pytest.fixture(scope="module")
def people(world):
    """The agency and its people, for tests that make their own datasets (``people.fresh``)."""
    return world
