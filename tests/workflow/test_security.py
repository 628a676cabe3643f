"""Issue 16 (items 4, 6, 7): organisation hopping, a CSRF exemption that sticks, 500s from bad
input, and ``dataset_purge`` leaving the dataset's content in its activities.

Every test goes through the real API or pages of one test app (real PostgreSQL, Solr, Redis).
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.tests import factories

from ckanext.longan_opendata import workflow as wf

from .conftest import PASSWORD, act, dataset_fields
from .test_web import _browser, _csrf

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")


def _api(web, action: str, token: str | None, data: Any) -> Any:
    headers = {"Authorization": token} if token else {}
    return web.post(f"/api/3/action/{action}", data=json.dumps(data),
                    headers={**headers, "Content-Type": "application/json"})


def _state_and_org(dataset: dict[str, Any]) -> tuple[str, str]:
    """From the database (package_show may answer from the search index's copy)."""
    model.Session.remove()
    pkg = model.Package.get(dataset["id"])
    return wf.state_of_package(pkg), pkg.owner_org


# 4. organisation hopping ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hopper(world):
    """An editor of the agency (org A) who is also the admin of another organisation (org B);
    no longer a member of the shared world's agency after the module (other modules count its
    stewards)."""
    user = factories.User(password=PASSWORD)
    act("organization_member_create", world.users["sysadmin"], id=world.org["id"],
        username=user["name"], role="editor")
    org_b = factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
    token = factories.APIToken(user=user["name"])["token"]
    yield {"name": user["name"], "token": token, "org_b": org_b}
    act("organization_member_delete", world.users["sysadmin"], id=world.org["id"],
        username=user["name"])


def test_submitted_dataset_cannot_hop_to_another_organisation(world, web, hopper):
    """The reproduction: package_patch owner_org of a colleague's dataset in review, into an
    organisation where the caller is admin, then approve it there."""
    colleague = world.fresh(wf.PENDING)
    response = _api(web, "package_patch", hopper["token"],
                    {"id": colleague["id"], "owner_org": hopper["org_b"]["id"]})
    assert response.status_code == 409, response.get_data(as_text=True)
    error = response.json["error"]
    assert "owner_org" in error and VIETNAMESE.search(error["owner_org"][0])
    assert _state_and_org(colleague) == (wf.PENDING, world.org["id"])
    # by name, through package_update, and the approval in org B that followed
    by_name = _api(web, "package_update", hopper["token"],
                   {**colleague, "owner_org": hopper["org_b"]["name"]})
    assert by_name.status_code == 409 and "owner_org" in by_name.json["error"]
    approve = _api(web, "longan_workflow_approve", hopper["token"], {"id": colleague["id"]})
    assert approve.status_code == 403
    assert _state_and_org(colleague) == (wf.PENDING, world.org["id"])


@pytest.mark.parametrize("state", [wf.PUBLISHED, wf.REJECTED, wf.WITHDRAWN])
def test_no_submitted_state_can_be_moved_by_a_reviewer(world, web, state):
    dataset = world.fresh(state)
    response = _api(web, "package_patch", world.tokens["admin"],
                    {"id": dataset["id"], "owner_org": world.other_org["id"]})
    assert response.status_code == 409 and "owner_org" in response.json["error"]
    assert _state_and_org(dataset) == (state, world.org["id"])


def test_package_owner_org_update_refuses_submitted_datasets(world):
    """CKAN's own action (sysadmins only through the API) keeps the rule for internal callers."""
    dataset = world.fresh(wf.PENDING)
    with pytest.raises(tk.ValidationError) as caught:
        tk.get_action("package_owner_org_update")(
            {"user": world.users["editor"], "ignore_auth": True},
            {"id": dataset["id"], "organization_id": world.other_org["id"]})
    assert "owner_org" in caught.value.error_dict
    assert _state_and_org(dataset) == (wf.PENDING, world.org["id"])


def test_draft_moves_with_its_editor_where_they_may_create(world, web, hopper):
    mine = act("package_create", hopper["name"], owner_org=world.org["id"],
               **dataset_fields(title="Bản nháp di chuyển"))
    # not into an organisation where the editor may not create datasets
    refused = _api(web, "package_patch", hopper["token"],
                   {"id": mine["id"], "owner_org": world.other_org["id"]})
    assert refused.status_code in (403, 409)
    assert _state_and_org(mine) == (wf.DRAFT, world.org["id"])
    moved = _api(web, "package_patch", hopper["token"],
                 {"id": mine["id"], "owner_org": hopper["org_b"]["id"]})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert _state_and_org(mine) == (wf.DRAFT, hopper["org_b"]["id"])


def test_sysadmin_moves_a_submitted_dataset(world, web):
    dataset = world.fresh(wf.PENDING)
    response = _api(web, "package_patch", world.tokens["sysadmin"],
                    {"id": dataset["id"], "owner_org": world.other_org["id"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _state_and_org(dataset) == (wf.PENDING, world.other_org["id"])
    back = _api(web, "package_owner_org_update", world.tokens["sysadmin"],
                {"id": dataset["id"], "organization_id": world.org["id"]})
    assert back.status_code == 200
    assert _state_and_org(dataset) == (wf.PENDING, world.org["id"])
    indexed = act("package_search", world.users["sysadmin"], include_private=True,
                  fq=f'+id:"{dataset["id"]}"')["results"]
    assert [d["owner_org"] for d in indexed] == [world.org["id"]]


# 6. CSRF exemption that sticks ------------------------------------------------------------------

def test_cookie_post_needs_a_csrf_token_after_a_token_request(world, web):
    """CKAN exempts a view from CSRF for the worker's life once a request logged in by an API
    token reached it; the portal's own forms check the token of cookie sessions anyway."""
    dataset = world.fresh(wf.PENDING)
    url = f"/dataset/{dataset['name']}/workflow/reject"
    by_token = web.get(url, headers={"Authorization": world.tokens["admin"]})
    assert by_token.status_code == 200
    assert web.get(url).status_code == 403  # an anonymous visit exempts the view too
    from ckan.config.middleware.flask_app import csrf
    assert "ckanext.longan_opendata.workflow.views.transition" in csrf._exempt_views
    browser = _browser(world, "admin")
    forged = browser.post(url, data={"reason": "Giả mạo"},
                          headers={"Origin": "https://attacker.example"})
    assert forged.status_code == 400
    assert "CSRF" in forged.get_data(as_text=True)
    assert VIETNAMESE.search(forged.get_data(as_text=True))
    assert _state_and_org(dataset)[0] == wf.PENDING
    # a token-less cookie POST with a wrong token fails too; the real form still works
    wrong = browser.post(url, data={"reason": "Giả mạo", "_csrf_token": "x"})
    assert wrong.status_code == 400 and _state_and_org(dataset)[0] == wf.PENDING
    form = browser.get(url).get_data(as_text=True)
    done = browser.post(url, data={"reason": "Thiếu đơn vị tính", "_csrf_token": _csrf(form)},
                        follow_redirects=False)
    assert done.status_code == 302 and _state_and_org(dataset)[0] == wf.REJECTED
    # API-token callers of the form (scripts) are not asked for a CSRF token
    again = world.fresh(wf.PENDING)
    scripted = web.post(f"/dataset/{again['name']}/workflow/reject", data={"reason": "Kịch bản"},
                        headers={"Authorization": world.tokens["admin"]},
                        follow_redirects=False)
    assert scripted.status_code == 302 and _state_and_org(again)[0] == wf.REJECTED


def test_core_form_views_need_the_token_of_cookie_sessions_after_an_exemption(world, web):
    """The same sticky exemption on a CKAN form (``dataset.edit``): once an anonymous visit or a
    token request reached it, a logged-in browser's POST without a CSRF token is still refused."""
    dataset = world.fresh(wf.DRAFT)
    url = f"/dataset/edit/{dataset['name']}"
    assert web.get(url).status_code in (403, 404)  # anonymous: CKAN exempts the edit view
    assert web.get(url, headers={"Authorization": world.tokens["editor"]}).status_code == 200
    from ckan.config.middleware.flask_app import csrf
    assert "ckan.views.dataset.edit" in csrf._exempt_views
    browser = _browser(world, "editor")
    forged = browser.post(url, data={"title": "Bị sửa giả mạo", "name": dataset["name"]},
                          headers={"Origin": "https://attacker.example"})
    assert forged.status_code == 400
    assert VIETNAMESE.search(forged.get_data(as_text=True))
    model.Session.remove()
    assert model.Package.get(dataset["id"]).title == dataset["title"]
    # an API token request to the same form is still exempt, as CKAN intends
    scripted = web.post(url, data={"title": dataset["title"], "name": dataset["name"]},
                        headers={"Authorization": world.tokens["editor"]})
    assert scripted.status_code != 400


# 7. bad input is a 4xx with a Vietnamese message naming the field -------------------------------

_NUL = "abc\x00def"
_SCHEMA_BAD_KEY = {"fields": [{"name": "nam", "type": "integer"}], "primaryKey": 5}
_SCHEMA_BAD_TYPE = {"fields": [{"name": "nam", "type": ["integer"]}]}

#: (role, action, data, field); "{pending}"/"{draft}" stand for a dataset id
API_CASES = [
    ("anonymous", "longan_stats", {"fresh": "maybe"}, "fresh"),
    ("anonymous", "longan_stats", {"fresh": [1]}, "fresh"),
    ("admin", "longan_workflow_approve", {"id": 5}, "id"),
    ("admin", "longan_workflow_approve", {"id": ["{pending}"]}, "id"),
    ("admin", "longan_workflow_reject", {"id": {"a": 1}, "reason": "x"}, "id"),
    ("admin", "longan_workflow_reject", {"id": _NUL, "reason": "x"}, "id"),
    ("editor", "longan_workflow_submit", {"id": _NUL}, "id"),
    ("admin", "longan_workflow_withdraw", {"id": None, "reason": "x"}, "id"),
    ("admin", "longan_workflow_reject", {"id": "{pending}", "reason": 5}, "reason"),
    ("admin", "longan_workflow_reject", {"id": "{pending}", "reason": ["x"]}, "reason"),
    ("admin", "longan_workflow_withdraw", {"id": "{pending}", "reason": {"a": "b"}}, "reason"),
    ("admin", "longan_workflow_approve", {"id": "{pending}", "comment": 5}, "comment"),
    ("admin", "longan_workflow_approve", {"id": "{pending}", "comment": ["x"]}, "comment"),
    ("editor", "longan_workflow_submit", {"id": "{draft}", "comment": {"a": 1}}, "comment"),
    ("admin", "longan_workflow_approve", {"id": "{pending}", "publish_date": [1]},
     "publish_date"),
    ("sysadmin", "longan_workflow_publish_due", {"date": [1]}, "date"),
    ("admin", "bulk_update_public", {"org_id": "{org}", "datasets": "{pending}"}, "datasets"),
    ("admin", "bulk_update_public", {"org_id": "{org}", "datasets": [5]}, "datasets"),
    ("admin", "bulk_update_private", {"org_id": "{org}", "datasets": [{"a": 1}]}, "datasets"),
    ("admin", "bulk_update_private", {"org_id": "{org}", "datasets": [_NUL]}, "datasets"),
    ("admin", "bulk_update_public", {"org_id": "{org}", "datasets": {"a": 1}}, "datasets"),
    ("editor", "package_patch", {"id": "{draft}", "private": "maybe"}, "private"),
    ("editor", "package_patch", {"id": "{draft}", "private": [True]}, "private"),
    ("editor", "package_patch", {"id": _NUL, "notes": "x"}, "id"),
    ("editor", "package_update", {"id": _NUL, "name": "x"}, "id"),
    ("admin", "longan_review_queue", {"owner_org": 5}, "owner_org"),
    ("admin", "longan_review_queue", {"owner_org": ["a"]}, "owner_org"),
    ("admin", "longan_review_queue", {"owner_org": _NUL}, "owner_org"),
    ("admin", "longan_review_queue", {"rows": "many"}, "rows"),
    ("admin", "longan_review_queue", {"rows": -1}, "rows"),
    ("admin", "longan_review_queue", {"start": [1]}, "start"),
    ("admin", "longan_review_queue", {"start": -5}, "start"),
    ("admin", "longan_review_queue", {"q": ["x"]}, "q"),
    ("admin", "longan_review_queue", {"q": "{!lucene}*:*"}, "q"),
    ("admin", "longan_review_queue", {"q": "x\x00"}, "q"),
    ("admin", "longan_review_queue", {"state": ["pending_review"]}, "state"),
    ("admin", "longan_review_queue", {"q": '"'}, "q"),
    ("admin", "longan_review_queue", {"q": "a:b:c"}, "q"),
    # NUL bytes reach CKAN's own look-ups too (refused for every request)
    ("anonymous", "package_show", {"id": _NUL}, "id"),
    ("anonymous", "organization_show", {"id": _NUL}, "id"),
    ("anonymous", "package_activity_list", {"id": _NUL}, "id"),
    ("editor", "package_create", {"name": _NUL, "title": "x"}, "name"),
    ("editor", "package_create", {"name": "khong-nul", "title": "x", "owner_org": _NUL},
     "owner_org"),
    ("editor", "package_delete", {"id": _NUL}, "id"),
    ("editor", "resource_create", {"package_id": _NUL, "url": "http://x.test/a.csv"},
     "package_id"),
    ("editor", "package_patch", {"id": "{draft}", "resources": [{"url": _NUL}]}, "resources"),
    ("editor", "resource_create", {"package_id": "{draft}", "url": "http://x.test/a.csv",
                                   "schema": json.dumps(_SCHEMA_BAD_KEY)}, "schema"),
    ("editor", "resource_create", {"package_id": "{draft}", "url": "http://x.test/a.csv",
                                   "schema": json.dumps(_SCHEMA_BAD_TYPE)}, "schema"),
    ("editor", "resource_create", {"package_id": "{draft}", "url": "http://x.test/a.csv",
                                   "schema": _SCHEMA_BAD_KEY}, "schema"),
]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value in ids:
        return ids[value]
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def targets(world):
    return {"{pending}": world.fresh(wf.PENDING)["id"], "{draft}": world.fresh(wf.DRAFT)["id"],
            "{org}": world.org["id"]}


def _names_field(error: Any, field: str) -> bool:
    """The Vietnamese message is under the field's key and names it (a Table Schema's message
    names the member of the schema that is wrong)."""
    messages = " ".join(error.get(field) or [])
    named = f"“{field}”" in messages or (
        field == "schema" and ('"primaryKey"' in messages or '"type"' in messages))
    return named and bool(VIETNAMESE.search(messages))


@pytest.mark.parametrize(("role", "action", "data", "field"), API_CASES,
                         ids=[f"{a}-{f}-{i}" for i, (_, a, _, f) in enumerate(API_CASES)])
def test_bad_api_input_is_a_4xx_naming_the_field(world, web, targets, role, action, data,
                                                  field):
    before = {k: _state_and_org({"id": v}) for k, v in targets.items() if k != "{org}"}
    token = world.tokens.get(role)
    response = _api(web, action, token, _fill(data, targets))
    body = response.get_data(as_text=True)
    assert response.status_code in (400, 404, 409), (response.status_code, body)
    assert _names_field(response.json["error"], field), body
    after = {k: _state_and_org({"id": v}) for k, v in targets.items() if k != "{org}"}
    assert after == before


#: (role, url, statuses, text the page shows)
PAGE_CASES = [
    ("admin", "/cho-duyet?q={!lucene}*:*", (400,), "q"),
    ("admin", "/cho-duyet?q=%7B!func%7Dsum(1,1)", (400,), "q"),
    ("admin", "/cho-duyet?owner_org=%00", (400,), "owner_org"),
    ("admin", "/cho-duyet?q=%00", (400,), "q"),
    ("admin", "/cho-duyet?q=%22", (400,), "q"),
    ("admin", "/cho-duyet?q=a:b:c", (400,), "q"),
    ("admin", "/dataset/abc%00/workflow/reject", (400, 404), None),
    ("admin", "/tai-ve/abc%00", (400, 404), None),
    ("anonymous", "/tai-ve/abc%00", (400, 404), None),
    ("anonymous", "/dataset/abc%00", (400,), "id"),
    ("admin", "/dataset/edit/abc%00", (400,), "id"),
    ("anonymous", "/organization/abc%00", (400,), "id"),
    ("anonymous", "/dataset/?q=abc%00", (400,), "q"),
]


@pytest.mark.parametrize(("role", "url", "statuses", "field"), PAGE_CASES)
def test_bad_page_input_is_a_4xx(world, web, role, url, statuses, field):
    headers = {"Authorization": world.tokens[role]} if role != "anonymous" else {}
    response = web.get(url, headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code in statuses, (response.status_code, body[:2000])
    if field:
        assert f"“{field}”" in body and VIETNAMESE.search(body)


def test_review_queue_page_searches_a_plain_query(world, web):
    """A query that is plain text still works (only local parameters are refused)."""
    dataset = world.fresh(wf.PENDING, title="Danh mục chợ truyền thống")
    response = web.get("/cho-duyet?q=chợ", headers={"Authorization": world.tokens["admin"]})
    assert response.status_code == 200 and dataset["name"] in response.get_data(as_text=True)


# purge ------------------------------------------------------------------------------------------

def test_purge_removes_the_datasets_activities(world, web):
    from ckanext.activity.model import Activity

    dataset = world.fresh(wf.PUBLISHED, title="Dữ liệu sẽ bị xoá hẳn")
    kinds = {a.activity_type for a in model.Session.query(Activity)
             .filter(Activity.object_id == dataset["id"])}
    assert {"new package", "changed package", wf.ACTIVITY_TYPE} <= kinds
    response = _api(web, "dataset_purge", world.tokens["sysadmin"], {"id": dataset["id"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    model.Session.remove()
    assert model.Session.query(Activity).filter(Activity.object_id == dataset["id"]).count() == 0
    assert model.Session.query(Activity).filter(
        Activity.data.contains("Dữ liệu sẽ bị xoá hẳn")).count() == 0
