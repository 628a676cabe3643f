"""Fixtures of the dataset-series tests: one agency, a yearbook series of five published
editions (created out of order) and one draft edition, built once per module in the real
PostgreSQL and Solr through the publish workflow."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from ckan.tests import factories

from tests.fast import cached_test_app
from tests.metadata.conftest import complete_dataset
from tests.workflow.conftest import act

YEARS = (2022, 2020, 2024, 2021, 2023)  # created out of order on purpose
PASSWORD = "MatKhau-2026!"


@dataclass
class Yearbook:
    users: dict[str, str]
    org: dict[str, Any]
    series: dict[str, Any]
    other_org: dict[str, Any] = field(default_factory=dict)
    editions: dict[int, dict[str, Any]] = field(default_factory=dict)
    draft: dict[str, Any] = field(default_factory=dict)


def series_fields(**overrides: Any) -> dict[str, Any]:
    return {"type": "dataset_series", "title": "Niên giám thống kê tỉnh Long An",
            "title_en": "Long An statistical yearbook",
            "notes": "Niên giám thống kê hằng năm của tỉnh.", "frequency": "annual",
            "theme": ["kinh-te"], **overrides}


def edition(series_id: str, year: int, **overrides: Any) -> dict[str, Any]:
    return complete_dataset(**{
        "title": f"Niên giám thống kê {year}", "name": f"nien-giam-thong-ke-{year}",
        "temporal_start": f"{year}-01-01", "temporal_end": f"{year}-12-31",
        "in_series": [series_id], **overrides})


def publish(editor: str, admin: str, pkg: dict[str, Any]) -> None:
    act("longan_workflow_submit", editor, id=pkg["id"])
    act("longan_workflow_approve", admin, id=pkg["id"])


def build_yearbook() -> Yearbook:
    people = {role: factories.User(password=PASSWORD)
              for role in ("member", "editor", "admin", "outsider")}
    org = factories.Organization(name="cuc-thong-ke", title="Cục Thống kê tỉnh Long An", users=[
        {"name": people["member"]["name"], "capacity": "member"},
        {"name": people["editor"]["name"], "capacity": "editor"},
        {"name": people["admin"]["name"], "capacity": "admin"}])
    other = factories.Organization(name="so-y-te", title="Sở Y tế tỉnh Long An", users=[
        {"name": people["outsider"]["name"], "capacity": "editor"}])
    users = {role: u["name"] for role, u in people.items()}
    editor, admin = users["editor"], users["admin"]
    series = act("package_create", editor, owner_org=org["id"], **series_fields())
    publish(editor, admin, series)
    book = Yearbook(users=users, org=org, series=series, other_org=other)
    for year in YEARS:
        pkg = act("package_create", editor, owner_org=org["id"], **edition(series["id"], year))
        publish(editor, admin, pkg)
        book.editions[year] = pkg
    book.draft = act("package_create", editor, owner_org=org["id"],
                     **edition(series["id"], 2025))
    return book


@pytest.fixture(scope="module")
def yearbook(build_once):
    """Built once for the directory, again only if another module wiped the database."""
    return build_once("series", build_yearbook)


@pytest.fixture(scope="module")
def web(yearbook):
    return cached_test_app()
