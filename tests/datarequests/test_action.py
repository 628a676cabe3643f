"""The data requests' rules, against the real database and mail server (issue 12, item 1)."""
from __future__ import annotations

import datetime
import uuid

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan import model

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.model import datarequest_table, support_table

from .conftest import act, mails_to, propose

pytestmark = pytest.mark.usefixtures("request_context")


def _errors(excinfo) -> dict:
    return excinfo.value.error_dict


def test_a_proposal_is_new_with_a_deadline_and_no_email(world, inbox):
    created = propose(world, theme="moi-truong")
    stewards = sorted(model.User.get(world.users[r]).email
                      for r in ("editor", "admin", "second_admin"))
    assert sorted(m["X-Envelope-To"] for m in inbox) == stewards  # the agency's stewards
    assert created["id"] in inbox[0].get_body(("plain",)).get_content()
    assert created["state"] == "new" and created["state_label"] == "Mới"
    assert created["deadline"] == (wf.today() + datetime.timedelta(days=15)).isoformat()
    assert created["overdue"] is False and created["days_left"] == 15
    assert created["organization"]["name"] == world.org["name"]
    shown = act("longan_datarequest_show", None, id=created["id"])
    assert shown["title"] == created["title"] and shown["supporters"] == 0
    assert "requester@longan.test" not in repr(shown)
    assert "requester_email" not in shown


@pytest.mark.parametrize(("field", "value", "words"), [
    ("title", "", "Cần nhập “Tiêu đề”"),
    ("title", "x" * 201, "“Tiêu đề” không được dài quá 200 ký tự"),
    ("description", "   ", "Cần nhập “Mô tả”"),
    ("reason", "", "Cần nhập “Lý do”"),
    ("desired_format", "", "Cần nhập “Định dạng mong muốn”"),
    ("owner_org", "khong-co-co-quan-nay", "“Cơ quan”: hãy chọn một cơ quan trên cổng"),
    ("theme", "chu-de-la", "“Chủ đề”: chủ đề không hợp lệ"),
    ("title", ["danh", "sach"], "“title”"),
])
def test_bad_input_is_refused_in_vietnamese_naming_the_field(world, field, value, words):
    with pytest.raises(tk.ValidationError) as excinfo:
        propose(world, **{field: value})
    assert words in _errors(excinfo)[field][0]


def test_anonymous_people_cannot_propose_by_default(world):
    with pytest.raises(tk.NotAuthorized):
        propose(world, user=None, email="khach@longan.test")


def test_one_vote_per_account(world):
    request_id = propose(world)["id"]
    for _ in range(2):
        voted = act("longan_datarequest_support", world.users["supporter"], id=request_id)
    assert (voted["supporters"], voted["supported"]) == (1, True)
    assert act("longan_datarequest_support", world.users["editor"], id=request_id)[
        "supporters"] == 2
    assert act("longan_datarequest_show", world.users["supporter"], id=request_id)["supported"]
    undone = act("longan_datarequest_unsupport", world.users["supporter"], id=request_id)
    assert (undone["supporters"], undone["supported"]) == (1, False)
    # the table itself refuses a second vote of one account
    user_id = model.User.get(world.users["editor"]).id
    with pytest.raises(sa.exc.IntegrityError):
        model.Session.execute(support_table.insert().values(
            datarequest_id=request_id, user_id=user_id, created=datetime.datetime.now()))
    model.Session.rollback()


def _move_deadline(request_id: str, days: int) -> None:
    model.Session.execute(datarequest_table.update().where(
        datarequest_table.c.id == request_id).values(
        deadline=wf.today() + datetime.timedelta(days=days)))
    model.Session.commit()


def test_deadline_and_overdue_count(world):
    before = act("longan_stats", world.users["sysadmin"], fresh=True)["data_requests"]
    late, answered = propose(world), propose(world)
    _move_deadline(late["id"], -1)
    _move_deadline(answered["id"], -1)
    act("longan_datarequest_answer", world.users["editor"], id=answered["id"],
        state="rejected", refusal_reason="not_held", answer="Sở không quản lý dữ liệu này")
    shown = act("longan_datarequest_show", None, id=late["id"])
    assert shown["overdue"] is True and shown["days_left"] == -1
    assert act("longan_datarequest_show", None, id=answered["id"])["overdue"] is False
    after = act("longan_stats", world.users["sysadmin"], fresh=True)["data_requests"]
    assert after["overdue"] == before["overdue"] + 1
    assert after["total"] == before["total"] + 2
    assert after["by_state"]["rejected"] == before["by_state"]["rejected"] + 1
    # the nearest deadline first: the overdue request before any other open one
    first = act("longan_datarequest_list", None, sort="deadline", rows=1)["results"][0]
    assert first["overdue"] is True


def test_answer_needs_a_public_dataset(world, inbox):
    request_id = propose(world)["id"]
    for dataset in ("khong-ton-tai", world.datasets[wf.DRAFT]["name"],
                    world.datasets[wf.PENDING]["id"]):
        with pytest.raises(tk.ValidationError) as excinfo:
            act("longan_datarequest_answer", world.users["editor"], id=request_id,
                state="fulfilled", dataset_id=dataset)
        assert "bộ dữ liệu đã công bố" in _errors(excinfo)["dataset_id"][0]
    public = world.datasets[wf.PUBLISHED]
    done = act("longan_datarequest_answer", world.users["admin"], id=request_id,
               state="fulfilled", dataset_id=public["name"], answer="Đã công bố.")
    assert done["state"] == "fulfilled" and done["dataset"]["name"] == public["name"]
    assert done["mails_sent"] == 1
    [mail] = mails_to(inbox, "requester@longan.test")
    assert "đã được trả lời" in mail["Subject"].replace("\u00a0", " ")
    text = mail.get_body(("plain",)).get_content()
    assert "Đã đáp ứng" in text and f"/dataset/{public['name']}" in text


def test_refusal_needs_a_listed_reason_and_a_text(world, inbox):
    request_id = propose(world)["id"]
    editor = world.users["editor"]
    with pytest.raises(tk.ValidationError) as excinfo:
        act("longan_datarequest_answer", editor, id=request_id, state="rejected",
            answer="Không cung cấp")
    assert "“Lý do từ chối”: hãy chọn một lý do" in _errors(excinfo)["refusal_reason"][0]
    with pytest.raises(tk.ValidationError) as excinfo:
        act("longan_datarequest_answer", editor, id=request_id, state="rejected",
            refusal_reason="personal_data")
    assert "Cần nhập “Trả lời”" in _errors(excinfo)["answer"][0]
    with pytest.raises(tk.ValidationError):
        act("longan_datarequest_answer", editor, id=request_id, state="rejected",
            refusal_reason="bi-mat", answer="x")
    refused = act("longan_datarequest_answer", editor, id=request_id, state="rejected",
                  refusal_reason="personal_data", answer="Chứa thông tin cá nhân (Luật BVDLCN).")
    assert refused["refusal_label"] == "Dữ liệu cá nhân"
    [mail] = mails_to(inbox, "requester@longan.test")
    assert "Dữ liệu cá nhân" in mail.get_body(("plain",)).get_content()


def test_reviewing_then_closed(world, inbox):
    request_id = propose(world)["id"]
    editor = world.users["editor"]
    reviewing = act("longan_datarequest_answer", editor, id=request_id, state="reviewing",
                    answer="Sở đang tổng hợp số liệu.")
    assert reviewing["state"] == "reviewing" and reviewing["answered"] is None
    assert len(mails_to(inbox, "requester@longan.test")) == 1  # told at each answer
    with pytest.raises(tk.ValidationError) as excinfo:  # changes only before any answer
        act("longan_datarequest_update", world.users["requester"], id=request_id, title="Mới")
    assert "trước khi cơ quan trả lời" in _errors(excinfo)["state"][0]
    act("longan_datarequest_answer", editor, id=request_id, state="rejected",
        refusal_reason="state_secret", answer="Thuộc danh mục bí mật nhà nước.")
    with pytest.raises(tk.ValidationError) as excinfo:
        act("longan_datarequest_answer", editor, id=request_id, state="reviewing")
    assert "không thể trả lời" in _errors(excinfo)["state"][0]
    assert len(mails_to(inbox, "requester@longan.test")) == 2


def test_the_requester_changes_a_new_request(world):
    request_id = propose(world)["id"]
    changed = act("longan_datarequest_update", world.users["requester"], id=request_id,
                  title="Điểm thu gom rác thải 2025", theme="moi-truong")
    assert (changed["title"], changed["theme"]) == ("Điểm thu gom rác thải 2025", "moi-truong")
    assert changed["description"] == "Vị trí và giờ thu gom."


def test_list_filters_facets_and_sorts(world):
    marker = uuid.uuid4().hex[:8]
    first = propose(world, title=f"Giá đất {marker}", theme="kinh-te")
    second = propose(world, title=f"Bến xe {marker}", theme="giao-thong",
                     owner_org=world.other_org["name"])
    act("longan_datarequest_support", world.users["supporter"], id=second["id"])
    act("longan_datarequest_answer", world.users["editor"], id=first["id"], state="reviewing")
    found = act("longan_datarequest_list", None, q=marker, sort="supported")
    assert [r["id"] for r in found["results"]] == [second["id"], first["id"]]
    assert found["facets"]["state"] == {"new": 1, "reviewing": 1}
    assert found["facets"]["owner_org"] == {world.org["id"]: 1, world.other_org["id"]: 1}
    newest = act("longan_datarequest_list", None, q=marker)
    assert [r["id"] for r in newest["results"]] == [second["id"], first["id"]]
    only = act("longan_datarequest_list", None, q=marker, owner_org=world.org["name"])
    assert [r["id"] for r in only["results"]] == [first["id"]]
    # the other facets keep counting the other agency's request
    assert only["facets"]["owner_org"] == {world.org["id"]: 1, world.other_org["id"]: 1}
    assert only["facets"]["theme"] == {"kinh-te": 1}
    themed = act("longan_datarequest_list", None, q=marker, theme="giao-thong", state="new")
    assert themed["count"] == 1
    for bad in ({"sort": "random"}, {"state": "open"}, {"rows": 1000}, {"q": ["x"]}):
        with pytest.raises(tk.ValidationError):
            act("longan_datarequest_list", None, **bad)


def test_anonymous_request_is_public_once_its_email_is_verified(world, inbox, ckan_config,
                                                                 monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.longan_opendata.datarequests.allow_anonymous",
                        True)
    with pytest.raises(tk.ValidationError) as excinfo:
        propose(world, user=None)
    assert "Cần nhập “Thư điện tử”" in _errors(excinfo)["email"][0]
    made = propose(world, user=None, email="khach@longan.test", title="Giá nước sạch")
    assert made["verified"] is False and made["requester"] is None
    with pytest.raises(tk.ObjectNotFound):
        act("longan_datarequest_show", None, id=made["id"])
    assert made["id"] not in {r["id"] for r in act(
        "longan_datarequest_list", None, q="Giá nước sạch", rows=100)["results"]}
    [mail] = inbox
    assert mail["To"].addresses[0].addr_spec == "khach@longan.test"
    link = next(line for line in mail.get_body(("plain",)).get_content().splitlines()
                if "/de-xuat-du-lieu/xac-nhan/" in line).strip()
    token = link.rsplit("/", 1)[-1]
    with pytest.raises(tk.ValidationError) as excinfo:
        act("longan_datarequest_verify", None, token=token[:-2] + "xx")
    assert "không hợp lệ" in _errors(excinfo)["token"][0]
    assert len(inbox) == 1  # the stewards hear of it only once it is verified
    verified = act("longan_datarequest_verify", None, token=token)
    assert len(inbox) == 4
    assert verified["verified"] is True and verified["id"] == made["id"]
    shown = act("longan_datarequest_show", None, id=made["id"])
    assert "khach@longan.test" not in repr(shown)
    answered = act("longan_datarequest_answer", world.users["editor"], id=made["id"],
                   state="reviewing", answer="Đang tổng hợp")
    assert answered["mails_sent"] == 1
    assert inbox[-1]["To"].addresses[0].addr_spec == "khach@longan.test"


def test_the_answer_is_mailed_in_the_requesters_language(world, inbox):
    from ckan.tests import factories

    from ckanext.longan_opendata import mailer

    reader = factories.User(email="reader@longan.test")
    mailer.set_user_locale(model.User.get(reader["id"]), "en")
    model.Session.commit()
    request_id = act("longan_datarequest_create", reader["name"], title="Bus stops",
                     description="Stops and lines", owner_org=world.org["id"],
                     reason="A journey planner", desired_format="GTFS")["id"]
    act("longan_datarequest_answer", world.users["editor"], id=request_id, state="rejected",
        refusal_reason="not_held", answer="Sở Giao thông vận tải giữ dữ liệu này.")
    [mail] = mails_to(inbox, "reader@longan.test")
    assert "Your data request was answered" in mail["Subject"].replace("\u00a0", " ")
    text = mail.get_body(("plain",)).get_content()
    assert "Refused" in text and "Data not held by the agency" in text
