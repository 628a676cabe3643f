"""``package_show`` by name: one query on the dataset table, and CKAN's answer and checks kept."""
from __future__ import annotations

import re

import pytest

from tests.portal.conftest import make_dataset
from tests.statements import recorded_statements

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

#: a query reading the dataset table itself (not ``package_extra``, ``package_tag``, …)
_DATASET_TABLE = re.compile(r"\bFROM package\b(?!_)")


def _show(app, reference: str, status: int = 200) -> dict:
    return app.get("/api/3/action/package_show", params={"id": reference}, status=status).json


def test_a_dataset_asked_by_name_is_read_once_and_answered_as_by_id(app, agencies):
    user, office, _ = agencies
    dataset = make_dataset(user, office, "dan-so-tan-an", title="Dân số Tân An")

    with recorded_statements() as statements:
        by_name = _show(app, "dan-so-tan-an")["result"]
    queries = [statement for statement in statements if _DATASET_TABLE.search(statement)]
    # CKAN alone reads it four times: as an id, then by name, in the action and in its auth
    assert len(queries) == 1, queries
    by_id = _show(app, dataset["id"])["result"]
    assert by_name == by_id
    assert by_name["title"] == "Dân số Tân An"


def test_a_reference_that_is_one_datasets_id_and_anothers_name_means_the_first(app, agencies):
    user, office, _ = agencies
    first = make_dataset(user, office, "bang-luong", title="Theo mã")
    make_dataset(user, office, first["id"], title="Theo tên")  # a name may look like an id

    assert _show(app, first["id"])["result"]["title"] == "Theo mã"
    assert _show(app, "bang-luong")["result"]["title"] == "Theo mã"


def test_the_checks_and_errors_of_package_show_stay(app, agencies):
    user, office, _ = agencies
    make_dataset(user, office, "ban-nhap", private=True)

    assert _show(app, "ban-nhap", status=403)["success"] is False
    assert _show(app, "khong-co-bo-nay", status=404)["error"]["__type"] == "Not Found Error"
