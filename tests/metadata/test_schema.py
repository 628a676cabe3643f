"""The dataset schema's fields and validators, through the real package_create/update."""
from __future__ import annotations

import json

import pytest
from ckan.logic import ValidationError
from ckan.tests import helpers

from ckanext.longan_opendata.metadata.review import review_problems, validate_for_review

from .conftest import complete_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _errors(create, **fields) -> dict:
    with pytest.raises(ValidationError) as err:
        create(**fields)
    return err.value.error_dict


def test_complete_dataset_is_stored_with_every_field(create):
    dataset = create(**complete_dataset())
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["name"] == "dan-so-trung-binh-phan-theo-huyen"
    assert shown["theme"] == ["dan-cu-xa-hoi"]
    assert shown["spatial_units"] == ["old-794", "old-27685"]
    assert shown["frequency"] == "annual"
    assert shown["contact_points"][0]["email"] == "thongke@longan.gov.vn"
    assert shown["license_id"] == "vn-open-data-1.0"
    assert shown["license_title"].startswith("Điều khoản sử dụng dữ liệu mở")
    assert shown["contains_personal_data"] == "no"


def test_name_is_made_from_the_title_and_kept_unique(create):
    first = create(title="Danh sách trường học – Đường bộ", contains_personal_data="no")
    second = create(title="Danh sách trường học – Đường bộ", contains_personal_data="no")
    assert first["name"] == "danh-sach-truong-hoc-duong-bo"
    assert second["name"] == "danh-sach-truong-hoc-duong-bo-2"


def test_a_given_name_is_kept_and_editable(create, steward):
    user, _ = steward
    dataset = create(title="Dân số", name="dan-so-tinh", contains_personal_data="no")
    assert dataset["name"] == "dan-so-tinh"
    updated = helpers.call_action("package_patch", context={"user": user["name"]},
                                  id=dataset["id"], name="dan-so-long-an")
    assert updated["name"] == "dan-so-long-an"
    # updating without a name keeps the dataset's own name rather than suffixing it
    again = helpers.call_action("package_patch", context={"user": user["name"]},
                                id=dataset["id"], notes="Cập nhật")
    assert again["name"] == "dan-so-long-an"


def test_title_is_required(create):
    assert "title" in _errors(create, contains_personal_data="no", name="x-y")


def test_personal_data_answer_is_required_and_checked(create):
    assert "contains_personal_data" in _errors(create, title="Dân số")
    assert "contains_personal_data" in _errors(create, title="Dân số",
                                                contains_personal_data="maybe")


@pytest.mark.parametrize(("field", "bad"), [
    ("theme", ["khong-co"]),
    ("spatial_units", ["old-99999"]),
    ("frequency", "sometimes"),
    ("temporal_start", "31/12/2024"),
    ("language", "fr"),
])
def test_code_list_and_date_fields_reject_bad_values(create, field, bad):
    assert field in _errors(create, **complete_dataset(**{field: bad}))


def test_temporal_end_not_before_start(create):
    errors = _errors(create, **complete_dataset(temporal_start="2024-01-01",
                                                temporal_end="2023-12-31"))
    assert errors["temporal_end"] == ["The end date must not be before the start date"]
    assert "temporal_end" not in _errors(create, **complete_dataset(
        temporal_start="2024-01-01", temporal_end="2024-01-01", title=""))


@pytest.mark.parametrize(("prefix", "message"), [
    ("", "Ngày kết thúc không được trước ngày bắt đầu"),
    ("/en", "The end date must not be before the start date"),
])
def test_api_errors_name_the_field_in_the_callers_language(app, steward, prefix, message):
    user, org = steward
    token = helpers.call_action("api_token_create", context={"user": user["name"]},
                                user=user["name"], name="t")["token"]
    resp = app.post(f"{prefix}/api/3/action/package_create",
                    json=complete_dataset(owner_org=org["id"], temporal_start="2024-01-01",
                                          temporal_end="2023-12-31"),
                    headers={"Authorization": token}, status=409)
    error = resp.json["error"]
    assert error["temporal_end"] == [message]


def test_contact_points_are_validated(create):
    errors = _errors(create, **complete_dataset(contact_points=[
        {"name": "", "email": "khong-phai-email", "phone": "abc"}]))
    (point,) = errors["contact_points"]
    assert set(point) >= {"name", "email", "phone"}


def test_contact_point_needs_email_or_phone(create):
    errors = _errors(create, **complete_dataset(contact_points=[{"name": "Phòng A"}]))
    assert "email" in errors["contact_points"][0]


@pytest.mark.parametrize("schema", [
    '{"fields": []}',
    '{"fields": [{"name": "a", "type": "text"}]}',
    '{"fields": [{"name": "a"}, {"name": "a"}]}',
    '{"fields": [{"name": "a"}], "primaryKey": "b"}',
    "not json",
])
def test_resource_table_schema_is_validated(create, schema):
    resource = {"url": "http://example.com/a.csv", "format": "CSV", "schema": schema}
    errors = _errors(create, **complete_dataset(resources=[resource]))
    assert "resources" in errors


def test_resource_metadata_is_stored(create):
    schema = {"fields": [{"name": "don_vi", "type": "string"}, {"name": "nam", "type": "integer"}],
              "primaryKey": ["don_vi", "nam"]}
    resource = {"url": "http://example.com/a.csv", "format": "CSV", "encoding": "UTF-8",
                "size": "2048", "hash": "sha256:" + "ab" * 32, "access_type": "download",
                "schema": json.dumps(schema)}
    dataset = create(**complete_dataset(resources=[resource]))
    (stored,) = helpers.call_action("package_show", id=dataset["id"])["resources"]
    assert stored["schema"] == schema
    assert stored["size"] == 2048
    assert stored["encoding"] == "UTF-8"


@pytest.mark.parametrize("bad", [{"hash": "xyz"}, {"size": "lớn"}, {"encoding": "latin-9"},
                                 {"access_type": "fax"}])
def test_resource_fields_reject_bad_values(create, bad):
    resource = {"url": "http://example.com/a.csv", "format": "CSV", **bad}
    assert "resources" in _errors(create, **complete_dataset(resources=[resource]))


def test_a_draft_may_be_incomplete_but_not_reviewed(create):
    draft = create(title="Bản nháp", contains_personal_data="no")
    problems = review_problems({}, helpers.call_action("package_show", id=draft["id"]))
    assert {"notes", "theme", "spatial_units", "frequency", "contact_points",
            "temporal_start", "resources"} <= set(problems)
    assert problems["theme"] == ["Themes: required before the dataset is submitted for review"]
    with pytest.raises(ValidationError):
        validate_for_review({}, helpers.call_action("package_show", id=draft["id"]))


def test_a_complete_dataset_passes_the_review_check(create):
    dataset = create(**complete_dataset())
    validate_for_review({}, helpers.call_action("package_show", id=dataset["id"]))
