"""The workflow in the web interface (Vietnamese by default): badges, buttons for the allowed
transitions only, the reason form with CSRF, the review queue with its diff, the dashboard."""
from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pytest

from ckanext.longan_opendata import workflow as wf
from tests.web import csrf_token, logged_in_client

from .conftest import PASSWORD, act


def _as(world, role):
    return {"Authorization": world.tokens[role]} if role != "anonymous" else {}


def _page(web, url, world, role, status=200):
    response = web.get(url, headers=_as(world, role))
    assert response.status_code == status, (url, role, response.status_code)
    return response.get_data(as_text=True)


_csrf = csrf_token


def _state(dataset) -> str:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset["id"]})[
        "workflow_state"]


@pytest.mark.parametrize(("role", "state", "buttons"), [
    ("admin", wf.PENDING, {"approve", "reject"}),
    ("editor", wf.PENDING, set()),
    ("editor", wf.DRAFT, {"submit"}),
    ("member", wf.DRAFT, set()),
    ("admin", wf.PUBLISHED, {"withdraw"}),
    ("anonymous", wf.PUBLISHED, set()),
    ("other_editor", wf.PUBLISHED, set()),
])
def test_dataset_page_shows_badge_and_allowed_buttons_only(world, web, role, state, buttons):
    dataset = world.datasets[state]
    html = _page(web, f"/dataset/{dataset['name']}", world, role)
    badge = {wf.PENDING: "Chờ duyệt", wf.DRAFT: "Nháp", wf.PUBLISHED: "Đã công bố"}[state]
    assert f'data-workflow-state="{state}">{badge}</span>' in html
    shown = set(re.findall(r"longan-workflow-(submit|approve|reject|withdraw)\"", html))
    assert shown == buttons


def test_anonymous_gets_404_for_a_draft_page(world, web):
    _page(web, f"/dataset/{world.datasets[wf.DRAFT]['name']}", world, "anonymous", 404)


def _browser(world, role):
    """A web client logged in through the login form, as a browser is. (A request logged in
    with an API token is exempt from CSRF, and CKAN then exempts the whole view.)"""
    client = logged_in_client(world.users[role], PASSWORD)
    assert "not-authed" not in client.get("/dashboard/datasets").get_data(as_text=True)
    return client


def test_reject_form_requires_a_reason_and_csrf(world):
    dataset = world.fresh(wf.PENDING)
    url = f"/dataset/{dataset['name']}/workflow/reject"
    assert _browser(world, "editor").get(url).status_code == 403  # a steward cannot reject
    admin = _browser(world, "admin")
    form = admin.get(url).get_data(as_text=True)
    assert "Lý do (bắt buộc)" in form
    no_token = admin.post(url, data={"reason": "x"})
    assert no_token.status_code in (400, 403) and _state(dataset) == wf.PENDING
    empty = admin.post(url, data={"reason": " ", "_csrf_token": _csrf(form)})
    assert empty.status_code == 200 and "Vui lòng nhập lý do" in empty.get_data(as_text=True)
    assert _state(dataset) == wf.PENDING
    done = admin.post(url, data={"reason": "Thiếu đơn vị tính", "_csrf_token": _csrf(form)},
                      follow_redirects=False)
    assert done.status_code == 302 and _state(dataset) == wf.REJECTED


def test_submit_and_approve_through_the_forms(world):
    dataset = world.fresh(wf.DRAFT)
    editor, admin = _browser(world, "editor"), _browser(world, "admin")
    url = f"/dataset/{dataset['name']}/workflow/submit"
    form = editor.get(url).get_data(as_text=True)
    page = editor.post(url, data={"comment": "Nhờ duyệt", "_csrf_token": _csrf(form)})
    assert "Đã xong" in page.get_data(as_text=True) and _state(dataset) == wf.PENDING
    url = f"/dataset/{dataset['name']}/workflow/approve"
    form = admin.get(url).get_data(as_text=True)
    bad = admin.post(url, data={"publish_date": "31/12/2030", "_csrf_token": _csrf(form)})
    assert "publish_date" in bad.get_data(as_text=True) and _state(dataset) == wf.PENDING
    admin.post(url, data={"comment": "", "_csrf_token": _csrf(form)})
    assert _state(dataset) == wf.PUBLISHED


def test_review_queue_page_shows_what_changed_since_publication(world, web):
    dataset = world.fresh(wf.PUBLISHED, title="Trường học 2024")
    act("longan_workflow_withdraw", world.users["admin"], id=dataset["id"], reason="Cập nhật")
    act("package_patch", world.users["editor"], id=dataset["id"], title="Trường học 2025")
    act("longan_workflow_submit", world.users["editor"], id=dataset["id"], comment="Số liệu mới")
    html = _page(web, "/cho-duyet", world, "admin")
    item = html[html.index(f'data-dataset="{dataset["name"]}"'):]
    item = item[:item.index("</article>")]
    assert "<del>Trường học 2024</del>" in item and "<ins>Trường học 2025</ins>" in item
    assert "Số liệu mới" in item
    new = world.fresh(wf.PENDING)
    assert "chưa từng được công bố" in _page(web, "/cho-duyet", world, "admin").split(
        f'data-dataset="{new["name"]}"')[1].split("</article>")[0]
    _page(web, "/cho-duyet", world, "editor", 403)
    _page(web, "/cho-duyet", world, "anonymous", 403)


def test_steward_dashboard_lists_returned_datasets(world, web):
    html = _page(web, "/dashboard/datasets", world, "editor")
    work = html[html.index("longan-my-work"):]
    assert world.datasets[wf.REJECTED]["name"] in work
    assert "Trả lại" in work


@pytest.mark.parametrize(("state", "private"), [(wf.DRAFT, "True"), (wf.PUBLISHED, "False")])
def test_dataset_form_offers_no_visibility_choice(world, web, state, private):
    """Visibility follows the workflow: the form keeps the current value, with a note."""
    new = _page(web, "/dataset/new", world, "editor")
    edit = _page(web, f"/dataset/edit/{world.datasets[state]['name']}", world, "admin")
    for html in (new, edit):
        assert '<select id="field-private"' not in html
        assert "Chế độ hiển thị theo quy trình công bố" in html
    assert re.search(r'id="field-private" name="private"\s+value="True"', new)
    assert re.search(rf'id="field-private" name="private"\s+value="{private}"', edit)
