"""Follow and feeds (issue 12): following datasets, agencies, themes and saved searches; the
digest e-mail through a real SMTP server on loopback; the one-click unsubscribe; the pages and
CKAN's Atom feeds."""
from __future__ import annotations

import datetime
import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.longan_opendata.follow import digest, store
from tests.fast import cached_test_app
from tests.follow.conftest import PASSWORD, make_dataset
from tests.web import csrf_token, logged_in_client
from tests.workflow.conftest import act


def test_follow_each_kind_then_list_and_unfollow(town):
    who = town.users["other"]
    for kind, target in (("dataset", "dan-so-trung-binh"), ("organization", "cuc-thong-ke"),
                         ("theme", "giao-duc"), ("search", "thanh long")):
        assert act("longan_follow", who, kind=kind, target=target)["period"] == "weekly"
        act("longan_follow", who, kind=kind, target=target)  # twice is fine
    assert act("longan_follow_list", who) == {
        "dataset": ["dan-so-trung-binh"], "organization": ["cuc-thong-ke"],
        "theme": ["giao-duc"], "search": ["thanh long"], "period": "weekly"}
    for kind, target in (("dataset", "dan-so-trung-binh"), ("theme", "giao-duc")):
        assert act("longan_unfollow", who, kind=kind, target=target)["removed"] is True
    listed = act("longan_follow_list", who)
    assert listed["dataset"] == [] and listed["theme"] == []


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"kind": "tinh", "target": "x"}, "kind", "Follow: the kind must be one of"),
    ({"kind": "theme", "target": ""}, "target", "what to follow is missing"),
    ({"kind": "theme", "target": "bong-da"}, "target", "unknown theme “bong-da”"),
    ({"kind": "search", "target": "x" * 201}, "target", "at most 200 characters"),
])
def test_bad_follow_input_names_the_field(town, data, field, words):
    with pytest.raises(tk.ValidationError) as error:
        act("longan_follow", town.users["other"], **data)
    assert words in error.value.error_dict[field][0]


def test_vietnamese_api_error_and_anonymous_refused(town):
    app = cached_test_app()
    response = app.post("/api/3/action/longan_follow_period", json={"period": "hourly"},
                        headers={"Authorization": tk.get_action("api_token_create")(
                            {"ignore_auth": True, "user": town.users["other"]},
                            {"user": town.users["other"], "name": "t"})["token"]})
    assert response.status_code == 409
    assert response.json["error"]["period"] == [
        "Thư tóm tắt: tần suất phải là hằng ngày, hằng tuần hoặc không bao giờ"]
    assert app.post("/api/3/action/longan_follow", json={"kind": "theme",
                                                         "target": "y-te"}).status_code == 403


def _digest_mail(inbox, address):
    found = [m for m in inbox if m["To"].addresses[0].addr_spec == address]
    assert len(found) == 1, [m["To"] for m in inbox]
    return found[0]


def test_digest_window_is_exact_below_the_second(town):
    """A dataset saved a microsecond before the last digest is not news, one saved at that
    instant is (Solr keeps milliseconds; the digest once compared whole seconds)."""
    reader = factories.User()
    act("longan_follow", reader["name"], kind="theme", target="giao-duc")
    saved = datetime.datetime.fromisoformat(
        tk.get_action("package_show")({"ignore_auth": True}, {"id": "truong-hoc-pho-thong"})[
            "metadata_modified"])
    names = [[c["name"] for c in digest.changes_for(reader["id"], since)]
             for since in (saved, saved + datetime.timedelta(microseconds=1))]
    assert names == [["truong-hoc-pho-thong"], []]


def test_digest_lists_new_resources_and_versions_then_unsubscribe(town, inbox, cli):
    follower = town.users["follower"]
    act("longan_follow", follower, kind="dataset", target="dan-so-trung-binh")
    act("longan_follow", follower, kind="theme", target="giao-duc")
    act("longan_follow", follower, kind="search", target="thanh long")
    act("longan_follow_period", follower, period="daily")
    # last digest: now (the town's datasets, made just before, are not news)
    store.mark_sent(tk.get_action("user_show")({"ignore_auth": True}, {"id": follower})["id"],
                    store.now())
    # since then: a new resource on a followed dataset, a new dataset of a followed theme,
    # and a draft that matches the saved search (never told)
    act("resource_create", town.users["sysadmin"], package_id="dan-so-trung-binh",
        name="Dân số 2025", url="http://example.com/dan-so-2025.csv", format="CSV")
    make_dataset(town, "preschools", title="Trường mầm non", name="truong-mam-non",
                 theme=["giao-duc"])
    make_dataset(town, "draft2", "draft", title="Thanh long 2025", name="thanh-long-2025")

    weekly = cli.invoke(ckan, ["longan", "follow", "digest", "--period", "weekly"])
    assert weekly.exit_code == 0, weekly.output
    assert [m for m in inbox if "follower@" in str(m["To"])] == []  # a daily person
    result = cli.invoke(ckan, ["longan", "follow", "digest", "--period", "daily"])
    assert result.exit_code == 0, result.output
    message = _digest_mail(inbox, "follower@longan.test")
    body = message.get_body(("plain",)).get_content()
    assert "Dân số trung bình: tài nguyên mới: Dân số 2025" in body
    assert "Trường mầm non: bộ dữ liệu mới" in body
    assert "Thanh long" not in body and "Trường học phổ thông" not in body
    assert "bộ dữ liệu bạn theo dõi đã thay đổi" in message["Subject"].replace("\u00a0", " ")
    link = re.search(r"http://test.ckan.net(/theo-doi/huy/\S+)", body).group(1)

    inbox.clear()  # nothing new since: no e-mail
    assert cli.invoke(ckan, ["longan", "follow", "digest", "--period", "daily"]).exit_code == 0
    assert inbox == []

    app = cached_test_app()  # one click, no login
    page = app.get(link)
    assert page.status_code == 200
    assert "Bạn sẽ không nhận thư tóm tắt nữa" in page.get_data(as_text=True)
    assert act("longan_follow_list", follower)["period"] == "never"
    forged = app.get(link[:-3] + "abc")
    assert forged.status_code == 400 and "không hợp lệ" in forged.get_data(as_text=True)
    assert digest.user_of_token("khong-phai-token") is None


def test_follow_page_forms_and_feeds(town):
    client = logged_in_client(town.users["other"], PASSWORD)
    page = client.get("/theo-doi").get_data(as_text=True)
    assert "Thư tóm tắt" in page
    refused = client.post("/theo-doi/them", data={"kind": "theme", "target": "y-te"})
    assert refused.status_code in (400, 403)  # no CSRF token
    client.post("/theo-doi/them", data={"kind": "theme", "target": "y-te",
                                        "_csrf_token": csrf_token(page)})
    page = client.get("/theo-doi").get_data(as_text=True)
    assert 'data-target="y-te"' in page and "/feeds/custom.atom?vocab_theme=y-te" in page
    dataset_page = client.get("/dataset/dan-so-trung-binh").get_data(as_text=True)
    assert "longan-follow-button" in dataset_page
    assert cached_test_app().get("/theo-doi", follow_redirects=False).status_code == 302

    feed = cached_test_app().get("/feeds/custom.atom?vocab_theme=giao-duc").get_data(as_text=True)
    assert "truong-hoc-pho-thong" in feed and "thanh-long-nhap" not in feed
    assert "dan-so-trung-binh" not in feed


def test_follow_buttons_on_the_agency_and_search_pages(town):
    client = logged_in_client(town.users["other"], PASSWORD)
    agency = client.get("/organization/cuc-thong-ke").get_data(as_text=True)
    client.post("/theo-doi/them", data={"kind": "organization", "target": "cuc-thong-ke",
                                        "came_from": "/organization/cuc-thong-ke",
                                        "_csrf_token": csrf_token(agency)})
    assert "cuc-thong-ke" in act("longan_follow_list", town.users["other"])["organization"]
    assert "Bỏ theo dõi" in client.get("/organization/cuc-thong-ke").get_data(as_text=True)
    search = client.get("/dataset/?q=d%C3%A2n+s%E1%BB%91").get_data(as_text=True)
    assert "longan-follow-search" in search and "Theo dõi tìm kiếm này" in search
    anonymous = cached_test_app().get("/dataset/?q=truong").get_data(as_text=True)
    assert "/feeds/custom.atom?q=truong" in anonymous and "Theo dõi tìm kiếm này" not in anonymous
