"""Issue 16, item 3: ``auto_publish`` of a harvest source publishes only once a reviewer of the
source's agency (or a sysadmin) approved the source's settings; a later edit voids the approval.
Real shared test database, DataStore, Solr and web app."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester
from tests.fast import cached_test_app
from tests.web import csrf_token, logged_in_client

from .conftest import create_source, run_harvest, update_source_config

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

PASSWORD = "MatKhau-2026!"
CREATE = ("CREATE TABLE kiem_thu.cho_ban_dem (ma_cho text PRIMARY KEY, ten_cho text, "
          "so_quay integer); INSERT INTO kiem_thu.cho_ban_dem VALUES "
          "('C01', 'Chợ đêm Tân An', 120), ('C02', 'Chợ đêm Bến Lức', 80)")
APPROVE = "longan_harvest_source_approve_auto_publish"


@pytest.fixture()
def agency(sysadmin):
    """An agency with a reviewer (admin) and a steward (editor); a reviewer of another one."""
    reviewer = factories.User(password=PASSWORD)
    steward = factories.User(password=PASSWORD)
    outsider = factories.User(password=PASSWORD)
    org = factories.Organization(user=sysadmin, name="cuc-thong-ke", users=[
        {"name": reviewer["name"], "capacity": "admin"},
        {"name": steward["name"], "capacity": "editor"}])
    factories.Organization(user=sysadmin, name="so-y-te",
                           users=[{"name": outsider["name"], "capacity": "admin"}])
    return {"org": org, "reviewer": reviewer, "steward": steward, "outsider": outsider}


@pytest.fixture()
def source(shared_database, reader_env, sysadmin, agency, owner_conn, scratch_schema):
    with owner_conn.cursor() as cur:
        cur.execute(CREATE)
    config = {"url": shared_database["reader_url"], "password_env": reader_env,
              "auto_publish": True,
              "tables": [{"schema": "kiem_thu", "table": "cho_ban_dem",
                          "title": "Chợ đêm trên địa bàn tỉnh"}]}
    made = create_source(sysadmin, agency["org"], "longan_sql", shared_database["reader_url"],
                         config)
    made["test_config"] = config
    return made


def _show(dataset_id: str) -> dict:
    return tk.get_action("package_show")({"ignore_auth": True}, {"id": dataset_id})


def _anonymous_search(text: str) -> int:
    response = cached_test_app().get("/api/3/action/package_search", query_string={"q": text})
    return response.json["result"]["count"]


def _status(source: dict) -> dict:
    return tk.get_action("longan_harvest_source_approval_show")(
        {"ignore_auth": True}, {"id": source["name"]})


def test_auto_publish_waits_for_the_reviewer_and_an_edit_voids_it(
        source, agency, sysadmin, owner_conn):
    [first] = run_harvest(source, LonganSqlHarvester()).values()
    assert first["state"] == "COMPLETE", first["errors"]
    dataset = _show(first["dataset"]["id"])
    assert dataset["workflow_state"] == workflow.PENDING  # published before the fix
    assert dataset["private"] is True
    assert _anonymous_search("Chợ đêm") == 0
    assert _status(source) == {"requested": True, "approved": False, "void": False,
                               "approved_by": None, "approved_at": None}

    # a steward (editor) of the agency and a reviewer of another agency cannot approve
    for who in ("steward", "outsider"):
        with pytest.raises(tk.NotAuthorized):
            tk.get_action(APPROVE)({"user": agency[who]["name"]}, {"id": source["name"]})
    with pytest.raises(tk.NotAuthorized):
        tk.get_action(APPROVE)({"user": ""}, {"id": source["id"]})
    assert _status(source)["approved"] is False

    done = tk.get_action(APPROVE)({"user": agency["reviewer"]["name"]}, {"id": source["name"]})
    assert done["approved"] is True and done["approved_by"] == agency["reviewer"]["name"]
    assert done["approved_at"]

    # the next harvest publishes, although the source data did not change
    [second] = run_harvest(source, LonganSqlHarvester()).values()
    assert second["state"] == "COMPLETE", second["errors"]
    published = _show(dataset["id"])
    assert published["workflow_state"] == workflow.PUBLISHED and published["private"] is False
    assert _anonymous_search("Chợ đêm") == 1
    assert list(run_harvest(source, LonganSqlHarvester())) == []  # then: unchanged, no write

    # another table set: the approval is void; what the harvest writes goes to review
    config = {**source["test_config"],
              "tables": [*source["test_config"]["tables"],
                         {"schema": "thong_ke", "table": "luong_mua_thang"}]}
    update_source_config(sysadmin, source, config)
    status = _status(source)
    assert status["approved"] is False and status["void"] is True
    assert status["approved_by"] == agency["reviewer"]["name"]
    with owner_conn.cursor() as cur:
        cur.execute("INSERT INTO kiem_thu.cho_ban_dem VALUES ('C03', 'Chợ đêm Cần Giuộc', 45)")
    results = run_harvest(source, LonganSqlHarvester())
    states = {guid.split(":", 1)[1]: _show(r["dataset"]["id"])["workflow_state"]
              for guid, r in results.items()}
    assert states == {"kiem_thu.cho_ban_dem": workflow.PENDING,
                      "thong_ke.luong_mua_thang": workflow.PENDING}
    assert _anonymous_search("Chợ đêm") == 0

    # a sysadmin may approve too; the approval covers the new settings
    assert tk.get_action(APPROVE)({"user": sysadmin["name"]}, {"id": source["id"]})["approved"]


def test_auto_publish_false_cannot_be_approved_and_bad_ids_are_refused(source, agency, sysadmin):
    update_source_config(sysadmin, source, {**source["test_config"], "auto_publish": False})
    with pytest.raises(tk.ValidationError) as raised:
        tk.get_action(APPROVE)({"user": agency["reviewer"]["name"]}, {"id": source["id"]})
    assert "auto_publish" in raised.value.error_dict
    for bad in (5, ["x"], "", "a\x00b"):
        with pytest.raises(tk.ValidationError) as raised:
            tk.get_action(APPROVE)({"user": sysadmin["name"]}, {"id": bad})
        assert "id" in raised.value.error_dict
    with pytest.raises(tk.ObjectNotFound):
        tk.get_action(APPROVE)({"user": sysadmin["name"]}, {"id": "khong-co-nguon-nay"})


# ------------------------------------------------------------------------------------ web page
def _browser(user: dict) -> object:
    return logged_in_client(user["name"], PASSWORD)


NOTICE = "Tự động công bố: chờ người duyệt chấp thuận"


def test_source_page_notice_and_approve_button_for_the_reviewer_only(source, agency):
    url = f"/harvest/{source['name']}"
    steward = _browser(agency["steward"]).get(url).get_data(as_text=True)
    assert NOTICE in steward
    assert "tu-dong-cong-bo" not in steward  # no approve form for a steward

    reviewer = _browser(agency["reviewer"])
    page = reviewer.get(url).get_data(as_text=True)
    assert NOTICE in page and f"/harvest/{source['name']}/tu-dong-cong-bo" in page
    action = f"/harvest/{source['name']}/tu-dong-cong-bo"
    assert reviewer.post(action, data={}).status_code == 400  # no CSRF token
    assert _status(source)["approved"] is False
    done = reviewer.post(action, data={"_csrf_token": csrf_token(page)}, follow_redirects=True)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert NOTICE not in html and "Tự động công bố: đã được" in html
    assert _status(source)["approved"] is True

    forbidden = _browser(agency["steward"])
    token = csrf_token(forbidden.get(url).get_data(as_text=True))
    assert forbidden.post(action, data={"_csrf_token": token}).status_code == 403
