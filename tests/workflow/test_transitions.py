"""Transitions, the guards around CKAN's dataset actions, the audit trail and publish dates."""
from __future__ import annotations

import datetime
from dataclasses import replace

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories

from ckanext.longan_opendata import workflow as wf

from .conftest import act, dataset_fields


def test_lifecycle_with_history_and_visibility(people):
    editor, admin = people.users["editor"], people.users["admin"]
    pkg = act("package_create", editor, owner_org=people.org["id"], **dataset_fields())
    assert (pkg["workflow_state"], pkg["private"]) == (wf.DRAFT, True)
    with pytest.raises(tk.NotAuthorized):
        act("package_show", None, id=pkg["id"])

    act("longan_workflow_submit", editor, id=pkg["id"], comment="Nhờ duyệt")
    rejected = act("longan_workflow_reject", admin, id=pkg["id"], reason="Thiếu nguồn")
    assert rejected["workflow_state"] == wf.REJECTED
    edited = act("package_patch", editor, id=pkg["id"], notes="Đã bổ sung nguồn")
    assert edited["workflow_state"] == wf.DRAFT
    act("longan_workflow_submit", editor, id=pkg["id"])
    published = act("longan_workflow_approve", admin, id=pkg["id"], comment="Tốt")
    assert (published["workflow_state"], published["private"]) == (wf.PUBLISHED, False)

    public = act("package_show", None, id=pkg["id"])
    assert public["workflow_state"] == wf.PUBLISHED
    assert act("package_search", None, q="name:" + pkg["name"])["count"] == 1

    steps = [(h["from"], h["to"], h["actor"], h["comment"])
             for h in act("package_show", admin, id=pkg["id"])["workflow_history"]]
    assert steps == [
        (wf.DRAFT, wf.PENDING, editor, "Nhờ duyệt"),
        (wf.PENDING, wf.REJECTED, admin, "Thiếu nguồn"),
        (wf.REJECTED, wf.DRAFT, editor, "Đã sửa, trở lại bản nháp"),
        (wf.DRAFT, wf.PENDING, editor, ""),
        (wf.PENDING, wf.PUBLISHED, admin, "Tốt"),
    ]
    # anonymous users see only what happened in public: the approval
    assert [h["to"] for h in public["workflow_history"]] == [wf.PUBLISHED]
    # and the history stays out of the search index
    found = act("package_search", None, q="name:" + pkg["name"])["results"][0]
    assert "workflow_history" not in found and found["workflow_state"] == wf.PUBLISHED


def test_api_callers_cannot_publish_or_change_state(people):
    editor, admin = people.users["editor"], people.users["admin"]
    with pytest.raises(tk.ValidationError) as err:
        act("package_create", editor, owner_org=people.org["id"], private=False,
            **dataset_fields())
    assert "private" in err.value.error_dict
    pkg = act("package_create", editor, owner_org=people.org["id"], **dataset_fields())
    for who in (editor, admin, people.users["sysadmin"]):
        with pytest.raises(tk.ValidationError) as err:
            act("package_patch", who, id=pkg["id"], private=False)
        assert "private" in err.value.error_dict
        with pytest.raises(tk.ValidationError) as err:
            act("package_patch", who, id=pkg["id"], workflow_state="published")
        assert "workflow_state" in err.value.error_dict
    with pytest.raises(tk.ValidationError):
        act("bulk_update_public", admin, datasets=[pkg["id"]], org_id=people.org["id"])
    assert tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg["id"]})["private"]


def test_published_dataset_is_edited_by_reviewers_only(people):
    editor, admin = people.users["editor"], people.users["admin"]
    pkg = people.fresh(wf.PUBLISHED)
    for action, data in (("package_patch", {"notes": "sửa"}),
                         ("resource_create", {"package_id": pkg["id"], "url": "http://x.test/a"}),
                         ("package_delete", {})):
        data = {"id": pkg["id"], **data} if action != "resource_create" else data
        with pytest.raises(tk.NotAuthorized):
            act(action, editor, **data)
    patched = act("package_patch", admin, id=pkg["id"], notes="Reviewer's correction")
    assert (patched["workflow_state"], patched["private"]) == (wf.PUBLISHED, False)
    with pytest.raises(tk.ValidationError):
        act("bulk_update_private", admin, datasets=[pkg["id"]], org_id=people.org["id"])


def test_reject_and_withdraw_need_a_reason(people):
    pending = people.fresh(wf.PENDING)
    with pytest.raises(tk.ValidationError) as err:
        act("longan_workflow_reject", people.users["admin"], id=pending["id"], reason="  ")
    assert "reason" in err.value.error_dict
    published = people.fresh(wf.PUBLISHED)
    with pytest.raises(tk.ValidationError) as err:
        act("longan_workflow_withdraw", people.users["admin"], id=published["id"])
    assert "reason" in err.value.error_dict


def test_personal_data_cannot_be_submitted(people):
    pkg = act("package_create", people.users["editor"], owner_org=people.org["id"],
              **dataset_fields())
    # whatever the schema says, a dataset flagged as personal data never goes to review
    act("package_patch", people.users["editor"], id=pkg["id"], contains_personal_data="yes")
    shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": pkg["id"]})
    if shown.get("contains_personal_data") != "yes":
        pytest.skip("the schema has no contains_personal_data field yet")
    with pytest.raises(tk.ValidationError) as err:
        act("longan_workflow_submit", people.users["editor"], id=pkg["id"])
    assert "contains_personal_data" in err.value.error_dict


def test_incomplete_dataset_cannot_be_submitted(people):
    pkg = act("package_create", people.users["editor"], owner_org=people.org["id"],
              **dataset_fields(notes=""))
    with pytest.raises(tk.ValidationError) as err:
        act("longan_workflow_submit", people.users["editor"], id=pkg["id"])
    assert "notes" in err.value.error_dict


def test_reviewer_cannot_approve_own_submission(people):
    admin = people.users["admin"]
    pkg = act("package_create", admin, owner_org=people.org["id"], **dataset_fields())
    act("longan_workflow_submit", admin, id=pkg["id"])
    with pytest.raises(tk.NotAuthorized):
        act("longan_workflow_approve", admin, id=pkg["id"])
    assert act("longan_workflow_approve", people.users["second_admin"],
               id=pkg["id"])["workflow_state"] == wf.PUBLISHED


@pytest.mark.ckan_config("ckanext.longan_opendata.workflow.allow_self_approval", "true")
def test_self_approval_can_be_allowed(people):
    admin = people.users["admin"]
    pkg = act("package_create", admin, owner_org=people.org["id"], **dataset_fields())
    act("longan_workflow_submit", admin, id=pkg["id"])
    assert act("longan_workflow_approve", admin, id=pkg["id"])["workflow_state"] == wf.PUBLISHED


def test_publish_date_and_publish_due(people):
    pkg = people.fresh(wf.APPROVED, publish_in_days=10)  # before the shared one (365 days)
    later = wf.today() + datetime.timedelta(days=10)
    assert act("package_show", people.users["admin"], id=pkg["id"])["workflow_history"][-1][
        "publish_date"] == later.isoformat()
    sysadmin = people.users["sysadmin"]
    assert act("longan_workflow_publish_due", sysadmin)["published"] == []
    with pytest.raises(tk.NotAuthorized):
        act("longan_workflow_publish_due", people.users["admin"])
    done = act("longan_workflow_publish_due", sysadmin, date=later.isoformat())
    assert done["published"] == [pkg["name"]]
    assert act("package_show", None, id=pkg["id"])["workflow_state"] == wf.PUBLISHED


def test_trusted_callers_create_in_a_given_state(people):
    editor = people.users["editor"]
    for auto_publish, state in ((True, wf.PUBLISHED), (False, wf.PENDING)):
        context = {"user": editor, wf.CONTEXT_KEY: wf.state_for_harvested(auto_publish),
                   wf.CONTEXT_COMMENT_KEY: "thu thập tự động"}
        pkg = tk.get_action("package_create")(
            context, {"owner_org": people.org["id"], **dataset_fields()})
        assert (pkg["workflow_state"], pkg["private"]) == (state, state != wf.PUBLISHED)
        history = act("package_show", people.users["sysadmin"], id=pkg["id"])["workflow_history"]
        assert [(h["from"], h["to"], h["comment"]) for h in history] == [
            (wf.DRAFT, state, "thu thập tự động")]
    # an update of a published harvested dataset from an untrusted source goes back to review
    context = {"user": editor, wf.CONTEXT_KEY: wf.state_for_harvested(False)}
    updated = tk.get_action("package_patch")(context, {"id": pkg["id"], "notes": "mới"})
    assert updated["workflow_state"] == wf.PENDING


def test_review_queue_lists_the_callers_agencies_only(people):
    people = replace(people, org=factories.Organization(users=[
        {"name": people.users["admin"], "capacity": "admin"},
        {"name": people.users["editor"], "capacity": "editor"}]))
    waiting = people.fresh(wf.PENDING)
    people.fresh(wf.DRAFT)
    queue = act("longan_review_queue", people.users["admin"], owner_org=people.org["name"])
    assert [d["name"] for d in queue["results"]] == [waiting["name"]]
    everything = act("longan_review_queue", people.users["sysadmin"], rows=1000)["results"]
    assert waiting["name"] in [d["name"] for d in everything]
    assert {d["workflow_state"] for d in everything} == {wf.PENDING}
    assert act("longan_review_queue", people.users["admin"],
               owner_org=people.other_org["id"])["count"] == 0
    assert act("longan_review_queue", people.users["admin"], q="khong-co-gi-ca")["count"] == 0
    for role in ("editor", "member", "other_editor"):
        with pytest.raises(tk.NotAuthorized):
            act("longan_review_queue", people.users[role])
    with pytest.raises(tk.NotAuthorized):
        act("longan_review_queue", None)


def test_publish_due_command(people, cli):
    from ckan.cli.cli import ckan
    pkg = people.fresh(wf.APPROVED, publish_in_days=5)
    later = (wf.today() + datetime.timedelta(days=5)).isoformat()
    result = cli.invoke(ckan, ["longan", "publish-due", "--date", later])
    assert result.exit_code == 0, result.output
    assert f"đã công bố: {pkg['name']}" in result.output
    assert act("package_show", None, id=pkg["id"])["workflow_state"] == wf.PUBLISHED
    assert cli.invoke(ckan, ["longan", "publish-due", "--date", "31-12-2025"]).exit_code != 0
