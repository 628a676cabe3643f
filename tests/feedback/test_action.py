"""Feedback on a dataset (issue 12, item 5): stewards e-mailed, spam limits, no IP address."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.model import feedback_table
from tests.datarequests.conftest import act, client_address

pytestmark = pytest.mark.usefixtures("request_context")


def _send(world, user=None, **fields):
    data = {"package_id": world.datasets[wf.PUBLISHED]["name"], "kind": "error",
            "message": "Số trường của xã Bình Thạnh bị sai", **fields}
    return act("longan_feedback_create", user, **data)


def test_the_agency_stewards_are_emailed_and_no_address_is_stored(world, inbox,
                                                                  request_context):
    made = _send(world, contact_email="Ban.Doc@LongAn.Test")
    to = sorted(a.addr_spec for m in inbox for a in m["To"].addresses)
    stewards = sorted(model.User.get(world.users[r]).email
                      for r in ("editor", "admin", "second_admin"))
    assert to == stewards  # not the member, not the other agency's editor
    body = inbox[0].get_body(("plain",)).get_content()
    assert "Số trường của xã Bình Thạnh bị sai" in body and "Ban.Doc@longan.test" in body
    assert "/gop-y" in body and "Báo lỗi dữ liệu" in inbox[0]["Subject"].replace("\u00a0", " ")
    row = model.Session.execute(sa.select(feedback_table).where(
        feedback_table.c.id == made["id"])).mappings().one()
    assert request_context not in repr(dict(row))  # the client's address is nowhere
    assert not {"ip", "ip_address", "remote_addr"} & set(feedback_table.c.keys())


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"message": ""}, "message", "Cần nhập “Nội dung góp ý”"),
    ({"message": "x" * 2001}, "message", "“Nội dung góp ý” không được dài quá 2000 ký tự"),
    ({"kind": "spam"}, "kind", "“Loại”: hãy chọn báo lỗi hoặc góp ý"),
    ({"contact_email": "khong-phai-thu"}, "contact_email",
     "“Thư điện tử liên hệ” không phải là địa chỉ thư điện tử hợp lệ"),
])
def test_bad_input_is_refused_in_vietnamese(world, fields, field, words):
    with pytest.raises(tk.ValidationError) as excinfo:
        _send(world, **fields)
    assert words in excinfo.value.error_dict[field][0]


def test_rate_limit_per_client(world, web, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.longan_opendata.feedback.rate_limit", 2)
    _send(world)
    _send(world)
    with pytest.raises(tk.ValidationError) as excinfo:
        _send(world)
    assert "quá nhiều" in excinfo.value.error_dict["rate_limit"][0]
    with web.flask_app.test_request_context(environ_base={"REMOTE_ADDR": client_address()}):
        assert _send(world)["state"] == "new"  # another client is not limited


def test_hidden_datasets_take_no_feedback_from_outside(world):
    with pytest.raises(tk.ObjectNotFound):
        _send(world, package_id=world.datasets[wf.DRAFT]["id"])
    assert _send(world, user=world.users["editor"], package_id=world.datasets[wf.DRAFT]["id"])


def test_a_public_answer_needs_an_answer(world):
    made = _send(world)
    editor = world.users["editor"]
    with pytest.raises(tk.ValidationError) as excinfo:
        act("longan_feedback_update", editor, id=made["id"], answer_public=True)
    assert "Cần có “Trả lời”" in excinfo.value.error_dict["answer"][0]
    with pytest.raises(tk.ValidationError):
        act("longan_feedback_update", editor, id=made["id"], state="closed")
    done = act("longan_feedback_update", editor, id=made["id"], state="done",
               answer="Đã sửa.", answer_public=True)
    assert (done["state"], done["state_label"], done["answer_public"]) == ("done", "Đã xử lý",
                                                                           True)
    listed = act("longan_feedback_list", None, package_id=made["package_id"], public=True,
                 rows=100)
    assert made["id"] in {f["id"] for f in listed["results"]}


def test_a_withdrawn_dataset_takes_its_public_answers_and_links_along(world):
    dataset = world.fresh(wf.PUBLISHED)
    made = _send(world, package_id=dataset["id"])
    act("longan_feedback_update", world.users["editor"], id=made["id"], answer="Đã sửa.",
        answer_public=True)
    request_id = act("longan_datarequest_create", world.users["requester"], title="Trường học",
                     description="Danh sách", owner_org=world.org["id"], reason="Cần",
                     desired_format="CSV")["id"]
    act("longan_datarequest_answer", world.users["editor"], id=request_id, state="fulfilled",
        dataset_id=dataset["id"])
    assert act("longan_feedback_show", None, id=made["id"])["answer"] == "Đã sửa."
    act("longan_workflow_withdraw", world.users["admin"], id=dataset["id"], reason="Sai số liệu")
    with pytest.raises(tk.NotAuthorized):
        act("longan_feedback_show", None, id=made["id"])
    listed = act("longan_feedback_list", None, package_id=dataset["id"])
    assert listed["count"] == 0
    assert act("longan_feedback_show", world.users["editor"], id=made["id"])["answer_public"]
    shown = act("longan_datarequest_show", None, id=request_id)
    assert shown["dataset"] is None and dataset["name"] not in repr(shown)
