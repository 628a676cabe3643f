"""The data request pages: Vietnamese by default and English at /en/, the forms with CSRF, the
stewards' answer form, facets."""
from __future__ import annotations

import pytest

from ckanext.longan_opendata import workflow as wf
from tests.web import csrf_token, logged_in_client

from .conftest import PASSWORD, act, mails_to, propose


@pytest.fixture(scope="module")
def browsers(world):
    """Clients logged in through the login form: the requester, the agency's editor, another
    agency's editor."""
    return {role: logged_in_client(world.users[role], PASSWORD)
            for role in ("requester", "editor", "other_editor")}


def test_list_and_page_in_vietnamese_and_english(world, web):
    made = propose(world, title="Danh mục chợ truyền thống", theme="kinh-te")
    page = web.get("/de-xuat-du-lieu").get_data(as_text=True)
    assert "Đề xuất dữ liệu" in page and "Danh mục chợ truyền thống" in page
    assert 'data-facet="state"' in page and 'data-facet="owner_org"' in page
    english = web.get("/en/de-xuat-du-lieu?sort=supported").get_data(as_text=True)
    assert "Data requests" in english and "Propose data" in english
    one = web.get(f"/de-xuat-du-lieu/{made['id']}").get_data(as_text=True)
    assert "Hạn trả lời" in one and made["deadline"] in one and "Tôi cũng cần dữ liệu này" in one
    assert "Trả lời đề xuất này" not in one  # no answer form for a visitor
    assert web.get("/de-xuat-du-lieu/khong-co").status_code == 404
    assert web.get("/de-xuat-du-lieu?sort=ngau-nhien").status_code == 400
    filtered = web.get("/de-xuat-du-lieu?theme=kinh-te&state=new").get_data(as_text=True)
    assert "Danh mục chợ truyền thống" in filtered
    stats = web.get("/thong-ke").get_data(as_text=True)
    assert "longan-datarequest-stats" in stats and "data-overdue=" in stats


def test_visitors_are_asked_to_log_in_to_propose(web):
    response = web.get("/de-xuat-du-lieu/moi", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]


def test_propose_support_and_answer_through_the_forms(world, browsers, inbox):
    requester = browsers["requester"]
    form = requester.get("/de-xuat-du-lieu/moi").get_data(as_text=True)
    fields = {"title": "Lịch tiêm chủng mở rộng", "description": "Theo từng trạm y tế",
              "owner_org": world.org["id"], "reason": "Nhắc lịch cho phụ huynh",
              "desired_format": "CSV", "theme": ""}
    assert requester.post("/de-xuat-du-lieu/moi", data=fields).status_code == 400  # no CSRF
    empty = requester.post("/de-xuat-du-lieu/moi",
                           data={**fields, "title": "", "_csrf_token": csrf_token(form)})
    assert empty.status_code == 400 and "Cần nhập “Tiêu đề”" in empty.get_data(as_text=True)
    sent = requester.post("/de-xuat-du-lieu/moi",
                          data={**fields, "_csrf_token": csrf_token(form)},
                          follow_redirects=False)
    assert sent.status_code == 302
    url = sent.headers["Location"]
    page = requester.get(url).get_data(as_text=True)
    supported = requester.post(f"{url}/ung-ho", data={"_csrf_token": csrf_token(page)})
    assert 'data-supporters="1"' in supported.get_data(as_text=True) \
        or 'data-supporters="1"' in requester.get(url).get_data(as_text=True)
    # another agency's editor has no answer form and may not post one
    other = browsers["other_editor"].get(url).get_data(as_text=True)
    assert "Trả lời đề xuất này" not in other
    assert browsers["other_editor"].post(f"{url}/tra-loi", data={
        "state": "reviewing", "_csrf_token": csrf_token(other)}).status_code == 403
    editor = browsers["editor"]
    page = editor.get(url).get_data(as_text=True)
    assert "Trả lời đề xuất này" in page
    public = world.datasets[wf.PUBLISHED]
    bad = editor.post(f"{url}/tra-loi", data={"state": "fulfilled", "dataset_id": "khong-co",
                                              "_csrf_token": csrf_token(page)})
    assert bad.status_code == 400 and "bộ dữ liệu đã công bố" in bad.get_data(as_text=True)
    done = editor.post(f"{url}/tra-loi", data={
        "state": "fulfilled", "dataset_id": public["name"], "answer": "Đã công bố",
        "_csrf_token": csrf_token(page)}, follow_redirects=False)
    assert done.status_code == 302
    final = requester.get(url).get_data(as_text=True)
    assert "Đã đáp ứng" in final and f"/dataset/{public['name']}" in final
    assert len(mails_to(inbox, "requester@longan.test")) == 1
    shown = act("longan_datarequest_show", None, id=url.rstrip("/").rsplit("/", 1)[-1])
    assert shown["supporters"] == 1 and shown["state"] == "fulfilled"


def test_anonymous_proposal_and_verification_link(world, web, inbox, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.longan_opendata.datarequests.allow_anonymous",
                        True)
    form = web.get("/de-xuat-du-lieu/moi").get_data(as_text=True)
    assert 'name="email"' in form
    sent = web.post("/de-xuat-du-lieu/moi", data={
        "title": "Bản đồ ngập lụt", "description": "Các điểm ngập khi triều cường",
        "owner_org": world.org["id"], "reason": "Tránh ngập", "desired_format": "GeoJSON",
        "email": "khach-web@longan.test", "_csrf_token": csrf_token(form)},
        follow_redirects=False)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/de-xuat-du-lieu")
    link = next(line.strip() for line in inbox[0].get_body(("plain",)).get_content().splitlines()
                if "/xac-nhan/" in line)
    path = link[link.index("/de-xuat-du-lieu"):]
    assert web.get(path[:-3] + "abc").status_code == 400
    opened = web.get(path, follow_redirects=False)
    assert opened.status_code == 302
    page = web.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Bản đồ ngập lụt" in page and "khach-web@longan.test" not in page
