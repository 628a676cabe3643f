"""The results table and its read interface: ``results_for`` and ``longan_linkcheck_show``."""
from __future__ import annotations

import datetime as dt

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from ckanext.longan_opendata import linkcheck
from ckanext.longan_opendata.linkcheck import results
from tests.portal.conftest import make_dataset

KEYS = {"url", "status", "http_status", "checked_at", "broken_since", "final_url",
        "content_type", "size", "format_ok", "error"}


def _result(status: str, **extra) -> dict:
    return {"url": "http://127.0.0.1:1/x.csv", "status": status, "http_status": extra.get(
        "http_status", 200), "final_url": None, "content_type": "text/csv", "size": 10,
        "format_ok": status == "ok", "error": None}


@pytest.fixture()
def datasets(with_plugins, clean_db):
    user = factories.Sysadmin()
    org = factories.Organization(name="so-gtvt", image_url="")
    public = make_dataset(user, org, "cong-khai", resources=[{"url": "http://a/x.csv",
                                                              "format": "CSV"}])
    hidden = make_dataset(user, org, "an", private=True,
                          resources=[{"url": "http://a/y.csv", "format": "CSV"}])
    return public, hidden


def test_broken_since_kept_while_broken_and_cleared_when_ok(datasets):
    public, _ = datasets
    rid, pid = public["resources"][0]["id"], public["id"]
    day1 = dt.datetime(2026, 11, 1, 8, 0)
    results.save(rid, pid, _result("broken", http_status=404), now=day1)
    results.save(rid, pid, _result("broken", http_status=500), now=day1 + dt.timedelta(days=3))
    found = linkcheck.results_for([rid, "unknown-id"])
    assert list(found) == [rid]
    assert set(found[rid]) == KEYS
    assert found[rid]["broken_since"] == day1.isoformat()
    assert found[rid]["http_status"] == 500
    assert found[rid]["checked_at"] == (day1 + dt.timedelta(days=3)).isoformat()
    results.save(rid, pid, _result("ok"), now=day1 + dt.timedelta(days=4))
    assert linkcheck.results_for([rid])[rid]["broken_since"] is None
    results.save(rid, pid, _result("broken"), now=day1 + dt.timedelta(days=5))
    assert linkcheck.results_for([rid])[rid]["broken_since"] == (
        day1 + dt.timedelta(days=5)).isoformat()
    assert linkcheck.results_for([]) == {}


def test_show_follows_resource_show(datasets):
    public, hidden = datasets
    for pkg in (public, hidden):
        results.save(pkg["resources"][0]["id"], pkg["id"], _result("mislabelled"))
    anonymous = {"user": "", "ignore_auth": False}
    shown = helpers.call_action("longan_linkcheck_show", context=dict(anonymous),
                                id=public["resources"][0]["id"])
    assert shown["status"] == "mislabelled" and shown["format_ok"] is False
    outsider, member = factories.User(), factories.User()
    helpers.call_action("organization_member_create", id=hidden["owner_org"],
                        username=member["name"], role="editor")
    for who, may in ((anonymous, False), ({"user": outsider["name"]}, False),
                     ({"user": member["name"]}, True)):
        context = {**who, "ignore_auth": False}
        if may:
            assert helpers.call_action("longan_linkcheck_show", context=context,
                                       id=hidden["resources"][0]["id"])["status"] == "mislabelled"
        else:
            with pytest.raises(tk.NotAuthorized):
                helpers.call_action("longan_linkcheck_show", context=context,
                                    id=hidden["resources"][0]["id"])
    with pytest.raises(tk.ObjectNotFound):
        helpers.call_action("longan_linkcheck_show", context=dict(anonymous), id="nothing")
    with pytest.raises(tk.ValidationError) as err:
        helpers.call_action("longan_linkcheck_show", context=dict(anonymous), id=["x"])
    assert "id" in err.value.error_dict
    never = factories.Resource(package_id=public["id"], url="http://a/z.csv")
    assert helpers.call_action("longan_linkcheck_show", id=never["id"]) is None
