"""The feedback form on the dataset page (anonymous, CSRF, honeypot, rate limit) and the
stewards' page; the contact e-mail is never on a public page."""
from __future__ import annotations

from ckanext.longan_opendata import workflow as wf
from tests.datarequests.conftest import PASSWORD, act, client_address
from tests.web import csrf_token, logged_in_client

CONTACT = "phu-huynh@longan.test"


def _post(web, dataset, **fields):
    page = web.get(f"/dataset/{dataset['name']}/gop-y").get_data(as_text=True)
    data = {"kind": "error", "message": "Thiếu số liệu năm 2025", "contact_email": CONTACT,
            "website": "", "_csrf_token": csrf_token(page), **fields}
    return web.post(f"/dataset/{dataset['name']}/gop-y", data=data, follow_redirects=False,
                    environ_base={"REMOTE_ADDR": fields.pop("address", client_address())})


def _count(world) -> int:
    return act("longan_feedback_list", world.users["sysadmin"], rows=1)["count"]


def test_the_form_refuses_robots_and_floods_in_vietnamese(world, web, ckan_config,
                                                          monkeypatch):
    dataset = world.datasets[wf.PUBLISHED]
    page = web.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
    assert 'id="feedback"' in page and f"/dataset/{dataset['name']}/gop-y" in page
    assert 'name="_csrf_token"' not in page  # the dataset page stays cacheable
    page = web.get(f"/dataset/{dataset['name']}/gop-y").get_data(as_text=True)
    assert 'name="website"' in page and "Báo lỗi dữ liệu" in page
    before = _count(world)
    robot = _post(web, dataset, website="http://spam.example")
    assert robot.status_code == 400 and "gửi tự động" in robot.get_data(as_text=True)
    no_token = web.post(f"/dataset/{dataset['name']}/gop-y", data={"kind": "error",
                                                                     "message": "x"})
    assert no_token.status_code == 400
    empty = _post(web, dataset, message="")
    assert empty.status_code == 400 and "Cần nhập “Nội dung góp ý”" in empty.get_data(
        as_text=True)
    assert _count(world) == before
    monkeypatch.setitem(ckan_config, "ckanext.longan_opendata.feedback.rate_limit", 1)
    address = client_address()
    assert _post(web, dataset, address=address).status_code == 302
    flood = _post(web, dataset, address=address)
    assert flood.status_code == 429 and "quá nhiều" in flood.get_data(as_text=True)
    assert _count(world) == before + 1


def test_stewards_handle_it_and_answer_publicly(world, web):
    dataset = world.datasets[wf.PUBLISHED]
    made = act("longan_feedback_create", None, package_id=dataset["id"], kind="suggestion",
               message="Nên thêm cột mã xã mới", contact_email=CONTACT)
    other = logged_in_client(world.users["other_editor"], PASSWORD)
    other_page = other.get("/gop-y").get_data(as_text=True)
    assert made["id"] not in other_page
    editor = logged_in_client(world.users["editor"], PASSWORD)
    dashboard = editor.get("/dashboard/datasets").get_data(as_text=True)
    assert "Góp ý về dữ liệu của cơ quan" in dashboard and "data-new-feedback=" in dashboard
    page = editor.get("/gop-y").get_data(as_text=True)
    assert made["id"] in page and CONTACT in page
    assert other.post(f"/gop-y/{made['id']}", data={
        "state": "done", "_csrf_token": csrf_token(other_page)}).status_code == 403
    saved = editor.post(f"/gop-y/{made['id']}", data={
        "state": "done", "answer": "Đã thêm cột mã xã.", "answer_public": "1",
        "_csrf_token": csrf_token(page)}, follow_redirects=False)
    assert saved.status_code == 302
    public = web.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
    assert "Đã thêm cột mã xã." in public and "Nên thêm cột mã xã mới" in public
    assert CONTACT not in public
