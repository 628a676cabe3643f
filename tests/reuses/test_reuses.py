"""Reuses (issue 12): submitted by a logged-in person, reviewed through the publish workflow by
the agency of the first dataset used, then shown on the gallery and on the dataset's page."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from tests.fast import cached_test_app
from tests.follow.conftest import PASSWORD, Town, make_dataset
from tests.web import csrf_token, logged_in_client
from tests.workflow.conftest import act

REUSE = {"title": "Bản đồ trường học Long An", "notes": "Ứng dụng bản đồ các trường học.",
         "reuse_kind": "app", "url": "https://ban-do.example.vn", "author": "Nhóm Mở",
         "datasets_used": "truong-hoc-pho-thong"}


@pytest.fixture(scope="module")
def town(empty_site):
    empty_site()
    people = {r: factories.User(password=PASSWORD) for r in ("citizen", "admin", "other_admin")}
    org = factories.Organization(name="so-giao-duc", users=[
        {"name": people["admin"]["name"], "capacity": "admin"}])
    factories.Organization(name="so-y-te", users=[
        {"name": people["other_admin"]["name"], "capacity": "admin"}])
    sysadmin = factories.Sysadmin()
    town = Town(users={**{r: u["name"] for r, u in people.items()},
                       "sysadmin": sysadmin["name"]}, org=org)
    make_dataset(town, "schools", title="Trường học phổ thông", name="truong-hoc-pho-thong",
                 theme=["giao-duc"])
    make_dataset(town, "draft", "draft", title="Nháp", name="du-lieu-nhap")
    return town


def test_submit_review_and_publish_through_the_workflow(town):
    reuse = act("longan_reuse_submit", town.users["citizen"], **REUSE)
    assert reuse["workflow_state"] == "pending_review" and reuse["owner_org"] == town.org["id"]
    assert reuse["datasets_used"] == ["truong-hoc-pho-thong"]
    with pytest.raises(tk.NotAuthorized):  # never public before review
        act("package_show", None, id=reuse["id"])
    assert act("longan_reuse_list", None)["count"] == 0
    with pytest.raises(tk.NotAuthorized):  # another agency's reviewer may not decide
        act("longan_workflow_approve", town.users["other_admin"], id=reuse["id"])
    with pytest.raises(tk.NotAuthorized):  # nor the submitter
        act("longan_workflow_approve", town.users["citizen"], id=reuse["id"])
    act("longan_workflow_approve", town.users["admin"], id=reuse["id"])
    listed = act("longan_reuse_list", None, dataset="truong-hoc-pho-thong")
    assert [r["name"] for r in listed["results"]] == [reuse["name"]]

    app = cached_test_app()
    gallery = app.get("/ung-dung").get_data(as_text=True)
    assert f'data-name="{reuse["name"]}"' in gallery and "Ứng dụng" in gallery
    page = app.get("/dataset/truong-hoc-pho-thong").get_data(as_text=True)
    assert "Ứng dụng sử dụng dữ liệu này" in page and "Bản đồ trường học Long An" in page
    assert "Reuses of this data" in app.get("/en/dataset/truong-hoc-pho-thong").get_data(
        as_text=True)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"reuse_kind": "game"}, "reuse_kind", "Kind: choose app"),
    ({"url": "javascript:alert(1)"}, "url", "Link: give an address"),
    ({"datasets_used": ""}, "datasets_used", "name at least one dataset"),
    ({"datasets_used": "du-lieu-nhap"}, "datasets_used", "no published dataset “du-lieu-nhap”"),
    ({"title": ""}, "title", "Missing value"),
])
def test_bad_input_names_the_field(town, change, field, words):
    with pytest.raises(tk.ValidationError) as error:
        act("longan_reuse_submit", town.users["citizen"], **{**REUSE, **change})
    assert words in str(error.value.error_dict[field])


def test_anonymous_may_not_submit_and_the_form_needs_csrf(town):
    with pytest.raises(tk.NotAuthorized):
        act("longan_reuse_submit", None, **REUSE)
    assert cached_test_app().get("/ung-dung/gui", follow_redirects=False).status_code == 302
    client = logged_in_client(town.users["citizen"], PASSWORD)
    form = client.get("/ung-dung/gui?dataset=truong-hoc-pho-thong").get_data(as_text=True)
    assert 'value="truong-hoc-pho-thong"' in form
    assert client.post("/ung-dung/gui", data=REUSE).status_code in (400, 403)
    bad = client.post("/ung-dung/gui", data={**REUSE, "url": "ftp://x",
                                             "_csrf_token": csrf_token(form)})
    assert bad.status_code == 400
    assert "Đường dẫn: hãy nhập địa chỉ bắt đầu bằng http:// hoặc https://" in bad.get_data(
        as_text=True)
    sent = client.post("/ung-dung/gui", data={**REUSE, "title": "Bài viết về trường học",
                                              "reuse_kind": "article",
                                              "_csrf_token": csrf_token(form)})
    assert "longan-reuse-sent" in sent.get_data(as_text=True)


@pytest.mark.parametrize(("role", "submit", "list_"), [
    ("anonymous", "denied", "ok"), ("citizen", "ok", "ok"), ("sysadmin", "ok", "ok")])
def test_reuse_matrix(town, role, submit, list_):
    user = None if role == "anonymous" else town.users[role]
    outcomes = []
    for action, data in (("longan_reuse_submit", {**REUSE, "title": f"Ứng dụng {role}"}),
                         ("longan_reuse_list", {})):
        try:
            act(action, user, **data)
            outcomes.append("ok")
        except tk.NotAuthorized:
            outcomes.append("denied")
    assert outcomes == [submit, list_]
