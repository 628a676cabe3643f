from __future__ import annotations

from typing import Any

import pytest
from ckan.tests import factories, helpers


def complete_dataset(**overrides: Any) -> dict[str, Any]:
    """Metadata that passes every rule, including the review check."""
    data = {
        "title": "Dân số trung bình phân theo huyện",
        "title_en": "Average population by district",
        "notes": "Dân số trung bình hằng năm của các huyện.",
        "theme": ["dan-cu-xa-hoi"],
        "spatial_units": ["old-794", "old-27685"],
        "temporal_start": "2020-01-01",
        "temporal_end": "2024-12-31",
        "frequency": "annual",
        "contact_points": [{"name": "Phòng Thống kê", "email": "thongke@longan.gov.vn",
                            "phone": "0272 3826 123"}],
        "license_id": "vn-open-data-1.0",
        "contains_personal_data": "no",
        "resources": [{"url": "http://example.com/dan-so.csv", "format": "CSV",
                       "name": "Dân số"}],
    }
    data.update(overrides)
    return data


@pytest.fixture()
def steward(with_plugins, clean_db, clean_index):
    """An editor of an agency: (user, organisation)."""
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return user, org


@pytest.fixture()
def create(steward):
    user, org = steward

    def _create(**fields: Any) -> dict[str, Any]:
        fields.setdefault("owner_org", org["id"])
        # published through the publish workflow's trusted path (issue 5), so searches see it
        context = {"user": user["name"], "longan_workflow_state": "published"}
        return helpers.call_action("package_create", context=context, **fields)
    return _create
