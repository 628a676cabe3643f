"""The cached parts of a dataset's page and of ``package_show`` (issue 13 item 5): the boxes
other packages fill and the workflow history. Each change shows on the next view; a draft's
boxes are never cached; a value computed before a change is never served after it."""
from __future__ import annotations

import re

from ckan import model

from ckanext.longan_opendata import rediscache
from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.linkcheck import results as linkcheck_results
from ckanext.longan_opendata.portal import boxes
from tests.datarequests import conftest as shared
from tests.datarequests.conftest import act, client_address

world, web = shared.world, shared.web  # the workflow's world, built once for the tests


def _page(web, name: str) -> str:
    return web.get(f"/dataset/{name}").get_data(as_text=True)


def _cached_boxes(package_id: str) -> list[bytes]:
    return rediscache.client().keys(rediscache.key("dataset-boxes", package_id, "*"))


def _quality_box(page: str) -> str:
    return re.search(r'<section class="longan-quality"[\s\S]*?</section>', page).group(0)


def _as_anonymous_client(web):
    """Actions as in an API request of their own (the feedback and request limits count per
    client address), apart from the pages' requests."""
    return web.flask_app.test_request_context(environ_base={"REMOTE_ADDR": client_address()})


def test_each_change_shows_on_the_next_view_of_a_cached_page(world, web):
    dataset = world.fresh(wf.PUBLISHED)
    name, editor = dataset["name"], world.users["editor"]
    before = _page(web, name)
    assert _cached_boxes(dataset["id"])  # kept for the next visitors
    with _as_anonymous_client(web):
        made = act("longan_feedback_create", None, package_id=name, kind="error",
                   message="Số trường của xã Bình Thạnh bị sai")
        act("longan_feedback_update", editor, id=made["id"], answer="Đã sửa số trường.",
            answer_public=True)
    assert "Đã sửa số trường." in _page(web, name)

    with _as_anonymous_client(web):
        request_id = act("longan_datarequest_create", world.users["requester"],
                         title="Danh sách trường mầm non", description="Tên, địa chỉ",
                         owner_org=world.org["id"], reason="Tìm trường", desired_format="CSV")["id"]
        act("longan_datarequest_answer", editor, id=request_id, state="fulfilled",
            dataset_id=dataset["id"])
    assert "Danh sách trường mầm non" in _page(web, name)

    with _as_anonymous_client(web):
        reuse = act("longan_reuse_submit", world.users["requester"], title="Bản đồ trường mầm non",
                    notes="Bản đồ", reuse_kind="app", url="https://ban-do.example.vn",
                    author="Nhóm Mở", datasets_used=name)
    assert "Bản đồ trường mầm non" not in _page(web, name)  # pending review: not public
    act("longan_workflow_approve", world.users["admin"], id=reuse["id"])
    assert "Bản đồ trường mầm non" in _page(web, name)

    resource = dataset["resources"][0]
    linkcheck_results.save(resource["id"], dataset["id"], {
        "url": resource["url"], "status": "broken", "http_status": 404, "error": "404"})
    assert _quality_box(_page(web, name)) != _quality_box(before)


def test_a_dataset_edit_shows_on_the_next_view(world, web):
    dataset = world.fresh(wf.PUBLISHED)
    before = _quality_box(_page(web, dataset["name"]))
    act("package_patch", world.users["admin"], id=dataset["id"], notes="")
    assert _quality_box(_page(web, dataset["name"])) != before


def test_the_boxes_of_a_draft_are_never_cached(world, web):
    draft = world.fresh(wf.DRAFT)
    with web.flask_app.test_request_context():
        shown = boxes.dataset_boxes(act("package_show", world.users["editor"], id=draft["id"]))
    assert shown["quality"]["score"] >= 0
    assert _cached_boxes(draft["id"]) == []
    published = world.fresh(wf.PUBLISHED)
    with web.flask_app.test_request_context():
        boxes.dataset_boxes(act("package_show", None, id=published["id"]))
    assert _cached_boxes(published["id"])


def test_a_value_computed_before_a_change_is_never_served_after_it():
    """A request computes the old value, the change commits and calls forget, then the request
    stores what it computed: no later read serves it."""
    version = "2026-01-01T00:00:00"
    value, stamp = rediscache.fetch("test-cache", "dataset-1", "vi", version)
    assert value is None
    rediscache.forget("test-cache", ["dataset-1"], 60)
    rediscache.store("test-cache", "dataset-1", "vi", stamp, {"old": True}, 60)
    assert rediscache.fetch("test-cache", "dataset-1", "vi", version)[0] is None
    fresh, stamp = rediscache.fetch("test-cache", "dataset-1", "vi", version)
    rediscache.store("test-cache", "dataset-1", "vi", stamp, {"old": False}, 60)
    assert rediscache.fetch("test-cache", "dataset-1", "vi", version)[0] == {"old": False}
    rediscache.forget_all("test-cache")
    assert rediscache.fetch("test-cache", "dataset-1", "vi", version)[0] is None


def test_package_show_history_shows_a_new_transition_at_once(world):
    dataset = world.fresh(wf.PUBLISHED)
    sysadmin = world.users["sysadmin"]
    shown = act("package_show", sysadmin, id=dataset["id"])["workflow_history"]
    assert act("package_show", sysadmin, id=dataset["id"])["workflow_history"] == shown
    pkg = model.Package.get(dataset["id"])
    # a transition recorded without touching the dataset (its version unchanged)
    wf.record_transition(pkg, sysadmin, wf.PUBLISHED, wf.PUBLISHED, "Kiểm tra lại")
    after = act("package_show", sysadmin, id=dataset["id"])["workflow_history"]
    assert [step["comment"] for step in after] == [s["comment"] for s in shown] + ["Kiểm tra lại"]
    anonymous = act("package_show", None, id=dataset["id"])["workflow_history"]
    assert anonymous == wf.history(dataset["id"], ["public"])  # from the same cache
    assert anonymous[-1]["comment"] == "Kiểm tra lại" and len(anonymous) < len(after)


def test_the_history_each_caller_sees_is_filtered_from_one_cache(world):
    dataset = world.fresh(wf.PUBLISHED)
    act("longan_workflow_withdraw", world.users["admin"], id=dataset["id"], reason="Sai số liệu")
    full = act("package_show", world.users["sysadmin"], id=dataset["id"])["workflow_history"]
    assert full[-1]["to"] == wf.WITHDRAWN
    editor = act("package_show", world.users["editor"], id=dataset["id"])["workflow_history"]
    assert editor == wf.history(dataset["id"], wf.user_labels_for(
        {"user": world.users["editor"]}))
    assert editor == full  # the agency sees its dataset's whole history
