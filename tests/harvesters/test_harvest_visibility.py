"""Issue 16, item 5: the harvest metadata follows the visibility of its source and its dataset.
An anonymous visitor, a member (admin) of another agency and the source agency's admin, through
the real web app and API (harvest objects of a real harvest of the shared test database)."""
from __future__ import annotations

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from ckanext.harvest import model as harvest_model

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.harvesters.sql import LonganSqlHarvester

from .conftest import create_source, run_harvest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

CREATE = ("CREATE TABLE kiem_thu.benh_vien (ma text PRIMARY KEY, ten_benh_vien text, "
          "so_giuong integer); INSERT INTO kiem_thu.benh_vien VALUES "
          "('BV1', 'Bệnh viện Đa khoa Long An', 900)")
TITLE = "Giường bệnh theo bệnh viện"


@pytest.fixture()
def world(shared_database, reader_env, sysadmin, owner_conn, scratch_schema):
    with owner_conn.cursor() as cur:
        cur.execute(CREATE)
    admin = factories.User()
    outsider = factories.User()
    org = factories.Organization(user=sysadmin, name="so-y-te",
                                 users=[{"name": admin["name"], "capacity": "admin"}])
    factories.Organization(user=sysadmin, name="so-giao-duc",
                           users=[{"name": outsider["name"], "capacity": "admin"}])
    config = {"url": shared_database["reader_url"], "password_env": reader_env,
              "tables": [{"schema": "kiem_thu", "table": "benh_vien", "title": TITLE}]}
    sources, objects = {}, {}
    for name in ("nguon-rieng-tu", "nguon-cong-khai"):
        source = create_source(sysadmin, org, "longan_sql", shared_database["reader_url"],
                               {**config, "defaults": {"source_system": name}}, name=name)
        [result] = run_harvest(source, LonganSqlHarvester()).values()
        assert result["state"] == "COMPLETE", result["errors"]
        sources[name], objects[name] = source, result
    public = model.Package.get(sources["nguon-cong-khai"]["id"])  # a public source
    public.private = False
    model.Session.commit()
    tokens = {"anonymous": None,
              "outsider": factories.APIToken(user=outsider["name"])["token"],
              "admin": factories.APIToken(user=admin["name"])["token"]}
    return {"sources": sources, "objects": objects, "tokens": tokens, "admin": admin}


def _api(app, world, who, action, status=200, **params):
    token = world["tokens"][who]
    response = app.get(f"/api/3/action/{action}", query_string=params,
                       headers={"Authorization": token} if token else {})
    assert response.status_code == status, (who, action, params, response.status_code,
                                            response.get_data(as_text=True)[:500])
    return response.json.get("result") if status == 200 else response.json


def _page(app, world, who, url):
    token = world["tokens"][who]
    return app.get(url, headers={"Authorization": token} if token else {})


def test_a_private_source_and_a_pending_datasets_object_are_not_readable(app, world):
    private = world["sources"]["nguon-rieng-tu"]
    obj = world["objects"]["nguon-rieng-tu"]
    dataset = tk.get_action("package_show")({"ignore_auth": True}, {"id": obj["dataset"]["id"]})
    assert dataset["workflow_state"] == workflow.PENDING
    for who in ("anonymous", "outsider"):
        listed = _api(app, world, who, "harvest_source_list")
        assert private["id"] not in [s["id"] for s in listed], who  # with its config, before
        assert '"source_system": "nguon-rieng-tu"' not in str(listed)  # nor its config
        _api(app, world, who, "harvest_object_show", 403, id=obj["obj_id"])
        _api(app, world, who, "harvest_object_show", 403, dataset_id=dataset["id"])
        _api(app, world, who, "harvest_source_show_status", 403, id=private["id"])
        for url in (f"/harvest/object/{obj['obj_id']}",
                    f"/dataset/harvest_object/{dataset['id']}"):
            page = _page(app, world, who, url)
            assert page.status_code in (403, 404), (who, url)
            assert TITLE not in page.get_data(as_text=True)
    assert _api(app, world, "outsider", "harvest_object_list", source_id=private["id"]) == []

    # the source's agency admin still reads all of it
    listed = _api(app, world, "admin", "harvest_source_list")
    assert {s["id"] for s in listed} == {s["id"] for s in world["sources"].values()}
    assert _api(app, world, "admin", "harvest_object_list",
                source_id=private["id"]) == [obj["obj_id"]]
    shown = _api(app, world, "admin", "harvest_object_show", id=obj["obj_id"])
    assert TITLE in shown["content"]
    page = _page(app, world, "admin", f"/harvest/object/{obj['obj_id']}")
    assert page.status_code == 200 and TITLE in page.get_data(as_text=True)


def test_a_public_sources_object_follows_its_dataset(app, world, sysadmin):
    public = world["sources"]["nguon-cong-khai"]
    obj = world["objects"]["nguon-cong-khai"]
    listed = _api(app, world, "anonymous", "harvest_source_list")
    assert [s["id"] for s in listed] == [public["id"]]
    _api(app, world, "anonymous", "harvest_source_show_status", id=public["id"])
    # its dataset waits for review: its object (titles, columns) is not readable
    _api(app, world, "anonymous", "harvest_object_show", 403, id=obj["obj_id"])
    _api(app, world, "outsider", "harvest_object_show", 403, id=obj["obj_id"])
    assert _api(app, world, "outsider", "harvest_object_list", source_id=public["id"]) == []

    tk.get_action("longan_workflow_approve")({"user": world["admin"]["name"]},
                                             {"id": obj["dataset"]["id"]})
    shown = _api(app, world, "anonymous", "harvest_object_show", id=obj["obj_id"])
    assert TITLE in shown["content"]
    assert _api(app, world, "outsider", "harvest_object_list",
                source_id=public["id"]) == [obj["obj_id"]]


def test_job_and_log_lists_and_bad_ids(app, world):
    private = world["sources"]["nguon-rieng-tu"]
    for who in ("anonymous", "outsider"):
        _api(app, world, who, "harvest_job_list", 403)  # all sources' jobs: was a 500
        _api(app, world, who, "harvest_job_list", 403, source_id=private["id"])
        _api(app, world, who, "harvest_log_list", 403)
        job_id = harvest_model.HarvestJob.filter(source_id=private["id"]).first().id
        _api(app, world, who, "harvest_job_show", 403, id=job_id)
        _api(app, world, who, "harvest_job_report", 403, id=job_id)
    # a NUL byte is refused before any action runs, naming the parameter (security.request_checks)
    refused = _api(app, world, "outsider", "harvest_object_show", 409, id="a\x00b")
    assert "id" in refused["error"]
    response = app.post("/api/3/action/harvest_object_show", json={"id": ["x"]},
                        headers={"Authorization": world["tokens"]["outsider"]})
    assert response.status_code == 409 and "id" in response.json["error"]
