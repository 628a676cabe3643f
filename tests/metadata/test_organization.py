"""The organisation (agency) schema."""
from __future__ import annotations

import pytest
from ckan.logic import ValidationError
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture()
def sysadmin():
    return factories.Sysadmin()


def _create(sysadmin, **fields):
    return helpers.call_action("organization_create", context={"user": sysadmin["name"]},
                               **fields)


def test_agency_fields_are_stored_and_the_name_made_from_the_title(sysadmin):
    org = _create(sysadmin, title="Sở Tài nguyên và Môi trường", agency_code="000.00.31.h39",
                  address="Số 1 Song Hành, Phường Long An", phone="0272 3822 123",
                  email="stnmt@longan.gov.vn")
    shown = helpers.call_action("organization_show", id=org["id"])
    assert shown["name"] == "so-tai-nguyen-va-moi-truong"
    assert shown["agency_code"] == "000.00.31.H39"
    assert shown["email"] == "stnmt@longan.gov.vn"
    again = _create(sysadmin, title="Sở Tài nguyên và Môi trường")
    assert again["name"] == "so-tai-nguyen-va-moi-truong-2"


@pytest.mark.parametrize(("field", "bad"), [
    ("agency_code", "H39-123"), ("phone", "gọi tôi"), ("email", "khong-phai-email"),
])
def test_agency_fields_reject_bad_values(sysadmin, field, bad):
    with pytest.raises(ValidationError) as err:
        _create(sysadmin, title="Sở Y tế", **{field: bad})
    assert field in err.value.error_dict
