"""The dataset page in the reader's language (issue 15): dates in the locale's order, and only the
fields that have a value (empty optional fields only for those who may edit)."""
from __future__ import annotations

import re

import pytest
from ckan.tests import helpers

from .conftest import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

EMPTY = ("legal_basis", "version", "conforms_to")  # not in complete_dataset()


def _rows(page: str) -> set[str]:
    return set(re.findall(r'<tr(?: class="[^"]*")? data-field="([^"]+)"', page))


def test_a_visitor_sees_only_the_fields_that_have_a_value(app, create):
    dataset = create(**complete_dataset(version="2.1"))
    page = app.get(f"/dataset/{dataset['name']}").body
    rows = _rows(page)
    assert "version" in rows and "frequency" in rows and "contact_points" in rows
    assert not {"legal_basis", "conforms_to"} & rows, rows
    assert "Chưa điền" not in page and "longan-empty-field" not in page


def test_an_editor_also_sees_the_empty_optional_fields(app, steward):
    user, org = steward
    # a draft of the steward's agency: theirs to edit (a published one is the reviewers')
    dataset = helpers.call_action("package_create", context={"user": user["name"]},
                                  owner_org=org["id"], **complete_dataset())
    token = helpers.call_action("api_token_create", context={"user": user["name"]},
                                user=user["name"], name="page")["token"]
    page = app.get(f"/dataset/{dataset['name']}", headers={"Authorization": token}).body
    for name in EMPTY:
        row = re.search(rf'<tr class="longan-empty-field" data-field="{name}">.*?</tr>', page,
                        re.S)
        assert row and "Chưa điền" in row.group(0), name


def test_dates_follow_the_readers_language(app, create):
    dataset = create(**complete_dataset())
    vi = app.get(f"/dataset/activity/{dataset['name']}").body
    en = app.get(f"/en/dataset/activity/{dataset['name']}").body
    # "2 tháng 12, 2026" (day first), never CKAN's English order "tháng 12 2, 2026"
    assert re.search(r"\b\d{1,2} tháng \d{1,2}, \d{4}", vi), vi
    assert not re.search(r"tháng \d{1,2} \d{1,2}, \d{4}", vi)
    assert re.search(r"\b(January|February|March|April|May|June|July|August|September|October|"
                     r"November|December) \d{1,2}, \d{4}", en)
