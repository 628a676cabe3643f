"""Fixtures of the follow tests: an agency with published datasets of two themes and a draft,
a follower with an e-mail address, built once per module in the real PostgreSQL and Solr."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories

from tests.metadata.conftest import complete_dataset

PASSWORD = "MatKhau-2026!"
TRUSTED = "longan_workflow_state"


@dataclass
class Town:
    users: dict[str, str]
    org: dict[str, Any]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)


def make_dataset(town: Town, key: str, state: str = "published", **fields: Any) -> dict:
    from ckan.plugins import toolkit as tk
    data = complete_dataset(owner_org=town.org["id"], **fields)
    pkg = tk.get_action("package_create")({"user": town.users["sysadmin"], TRUSTED: state}, data)
    town.datasets[key] = pkg
    return pkg


def build_town() -> Town:
    people = {role: factories.User(password=PASSWORD, email=f"{role}@longan.test")
              for role in ("follower", "other")}
    sysadmin = factories.Sysadmin(password=PASSWORD)
    org = factories.Organization(name="cuc-thong-ke", title="Cục Thống kê tỉnh Long An")
    town = Town(users={**{r: u["name"] for r, u in people.items()},
                       "sysadmin": sysadmin["name"]}, org=org)
    make_dataset(town, "population", title="Dân số trung bình", name="dan-so-trung-binh",
                 theme=["dan-cu-xa-hoi"])
    make_dataset(town, "schools", title="Trường học phổ thông", name="truong-hoc-pho-thong",
                 theme=["giao-duc"])
    make_dataset(town, "draft", "draft", title="Thanh long (bản nháp)", name="thanh-long-nhap",
                 theme=["giao-duc"])
    return town


@pytest.fixture(scope="module")
def town(empty_site):
    empty_site()
    return build_town()
