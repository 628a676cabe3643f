"""The quality tests' world, built once per module in the real PostgreSQL and Solr: an agency
with its people, a complete and a poor published dataset, a draft and an overdue one, and the
link checker's results of their resources (its own table)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.lib.search import rebuild
from ckan.tests import factories

from tests.fast import cached_test_app
from tests.metadata.conftest import complete_dataset

PASSWORD = "MatKhau-2026!"


@dataclass
class World:
    users: dict[str, str]
    tokens: dict[str, str]
    org: dict[str, Any]
    other_org: dict[str, Any]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)


def act(action: str, user: str | None, **data: Any) -> Any:
    return tk.get_action(action)({"user": user or ""}, data)


def _published(user: str, **data: Any) -> dict[str, Any]:
    context = {"user": user, "longan_workflow_state": "published"}
    return tk.get_action("package_create")(context, data)


def _build() -> World:
    from ckanext.longan_opendata.linkcheck import results as checks

    people = {role: factories.User(password=PASSWORD, email=f"{role}@longan.test")
              for role in ("member", "editor", "admin", "other_editor")}
    users = {role: u["name"] for role, u in people.items()}
    users["sysadmin"] = factories.Sysadmin(password=PASSWORD)["name"]
    org = factories.Organization(title="Sở Kế hoạch", users=[
        {"name": users["member"], "capacity": "member"},
        {"name": users["editor"], "capacity": "editor"},
        {"name": users["admin"], "capacity": "admin"}])
    other = factories.Organization(title="Sở Y tế", users=[
        {"name": users["other_editor"], "capacity": "editor"}])
    editor = users["editor"]
    tokens = {role: factories.APIToken(user=name)["token"] for role, name in users.items()}
    world = World(users=users, tokens=tokens, org=org, other_org=other)
    world.datasets["good"] = _published(editor, **complete_dataset(
        owner_org=org["id"], name="tot", title="Bộ dữ liệu tốt", tag_string="dân số",
        legal_basis="QĐ 1", resources=[{"url": "http://data.test/tot.csv", "format": "CSV",
                                        "description": "Số liệu", "size": 100}]))
    world.datasets["poor"] = _published(editor, name="kem", title="Bộ dữ liệu kém",
                                        owner_org=org["id"], contains_personal_data="no",
                                        resources=[{"url": "http://data.test/kem.pdf",
                                                    "format": "PDF"}])
    world.datasets["late"] = _published(editor, **complete_dataset(
        owner_org=org["id"], name="cu", title="Bộ dữ liệu cũ", frequency="annual",
        harvest_review_missing="contact_points,temporal_start"))  # as a harvest marks it
    world.datasets["other"] = _published(users["other_editor"], **complete_dataset(
        owner_org=other["id"], name="y-te", title="Cơ sở y tế", tag_string="y tế"))
    world.datasets["draft"] = act("package_create", editor, **complete_dataset(
        owner_org=org["id"], name="nhap", title="Bản nháp"))
    world.datasets["pending"] = act("package_create", editor, **complete_dataset(
        owner_org=org["id"], name="cho-duyet", title="Chờ duyệt", tag_string="dân số"))
    act("longan_workflow_submit", editor, id=world.datasets["pending"]["id"])
    # for the DCAT-AP check: a resource without description, a format outside the vocabulary;
    # no resource at all
    world.datasets["odd"] = _published(users["other_editor"], **complete_dataset(
        owner_org=other["id"], name="la", title="Tài nguyên lạ",
        resources=[{"url": "http://data.test/b.csv", "format": "CSV", "description": "Có"},
                   {"url": "http://data.test/c.txt", "format": "TXT"}]))
    world.datasets["empty"] = act("package_create", editor, **complete_dataset(
        owner_org=org["id"], name="rong", title="Không có tài nguyên", resources=[]))

    good_res, poor_res = (world.datasets[k]["resources"][0] for k in ("good", "poor"))
    checks.save(good_res["id"], world.datasets["good"]["id"],
                {"url": good_res["url"], "status": "ok", "http_status": 200, "format_ok": True})
    checks.save(poor_res["id"], world.datasets["poor"]["id"],
                {"url": poor_res["url"], "status": "broken", "http_status": 404})
    # an annual dataset last changed 20 months ago
    old = dt.datetime.now() - dt.timedelta(days=610)
    model.Session.query(model.Package).filter_by(id=world.datasets["late"]["id"]).update(
        {"metadata_modified": old})
    model.Session.commit()
    for dataset in world.datasets.values():
        rebuild(dataset["id"])
    return world


@pytest.fixture(scope="module")
def world(build_once):
    """Built once for the directory; again only if another module wiped the database."""
    return build_once("quality", _build)


@pytest.fixture(scope="module")
def web(world):
    """One test app for the module; a role's requests carry its API token."""
    return cached_test_app()


def get(web, world: World, url: str, role: str | None = None):
    """GET ``url`` as ``role`` (its API token; anonymous when None)."""
    headers = {"Authorization": world.tokens[role]} if role else {}
    return web.get(url, headers=headers)
