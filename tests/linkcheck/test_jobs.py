"""The link check of real resources: a batch (the job function), the uploads read on disk, the
resource page's notice, what is due, and the jobs run by CKAN's worker (``ckan jobs worker``'s
own class: each job in a forked work horse)."""
from __future__ import annotations

import datetime as dt
import html
import os

import ckan.plugins.toolkit as tk
import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.lib import jobs as ckan_jobs
from ckan.lib import uploader
from ckan.tests import factories, helpers

from ckanext.longan_opendata import linkcheck
from ckanext.longan_opendata.linkcheck import jobs
from tests.linkcheck.files import CSV
from tests.portal.conftest import make_dataset

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index"),
              pytest.mark.ckan_config("ckanext.longan_opendata.linkcheck.interval", "0")]


@pytest.fixture()
def dataset(files, create_with_upload):
    user = factories.Sysadmin()
    org = factories.Organization(name="so-tai-nguyen", image_url="")
    pkg = make_dataset(user, org, "quan-trac-nuoc", resources=[
        {"name": "tot", "url": files.url + "/ok.csv", "format": "CSV"},
        {"name": "mat", "url": files.url + "/missing.csv", "format": "CSV"},
        {"name": "gia", "url": files.url + "/fake.csv", "format": "CSV"},
    ])
    context = {"user": user["name"]}
    create_with_upload(CSV.decode(), "tai-len.csv", package_id=pkg["id"], format="CSV",
                       name="tai-len", context=dict(context))
    lost = create_with_upload(CSV.decode(), "mat-tep.csv", package_id=pkg["id"], format="CSV",
                              name="mat-tep", context=dict(context))
    os.remove(uploader.get_resource_uploader(lost).get_path(lost["id"]))
    pkg = helpers.call_action("package_show", id=pkg["id"])
    return pkg, {res["name"]: res["id"] for res in pkg["resources"]}


def test_a_batch_finds_the_broken_and_the_mislabelled_and_the_page_says_so(app, dataset, files,
                                                                          cli):
    pkg, ids = dataset
    files.requests.clear()
    assert jobs.check_batch(list(ids.values())) == {"ok": 2, "broken": 2, "mislabelled": 1}
    found = linkcheck.results_for(list(ids.values()))
    assert {name: found[rid]["status"] for name, rid in ids.items()} == {
        "tot": "ok", "mat": "broken", "gia": "mislabelled", "tai-len": "ok",
        "mat-tep": "broken"}
    assert found[ids["tai-len"]]["size"] == len(CSV) and found[ids["tai-len"]]["format_ok"]
    assert found[ids["mat-tep"]]["error"] == "uploaded file missing from the portal's storage"
    assert not [path for _, path in files.requests if "tai-len" in path or "mat-tep" in path]
    today = dt.date.today().strftime("%d/%m/%Y")
    assert found[ids["mat"]]["broken_since"][:10] == dt.date.today().isoformat()

    page = html.unescape(app.get(f"/dataset/{pkg['name']}/resource/{ids['mat']}").body)
    assert f"Liên kết hỏng từ ngày {today}" in page and "máy chủ trả mã HTTP 404" in page
    page = html.unescape(app.get(f"/dataset/{pkg['name']}/resource/{ids['gia']}").body)
    assert "Tệp không đúng định dạng đã khai báo (CSV)" in page
    page = html.unescape(app.get(f"/dataset/{pkg['name']}/resource/{ids['tot']}").body)
    assert "data-linkcheck" not in page
    page = html.unescape(app.get(f"/en/dataset/{pkg['name']}/resource/{ids['mat']}").body)
    assert f"Broken link since {today}" in page

    # checked now: nothing is due within a day; everything is due at once
    assert set(jobs.due_resource_ids(24, among=list(ids.values()))) == set()
    assert set(jobs.due_resource_ids(0)) == set(ids.values())
    # a resource given a new link is due at once, and its old check is not shown
    model.Resource.get(ids["mat"]).url = files.url + "/ok.csv"
    model.Session.commit()
    assert jobs.due_resource_ids(24, among=list(ids.values())) == [ids["mat"]]
    page = html.unescape(app.get(f"/dataset/{pkg['name']}/resource/{ids['mat']}").body)
    assert "data-linkcheck" not in page
    model.Resource.get(ids["mat"]).url = files.url + "/missing.csv"
    model.Session.commit()
    # a batch enqueued twice does not check again what was just checked
    files.requests.clear()
    assert jobs.check_batch([ids["tot"]], older_than_hours=24) == {
        "ok": 0, "broken": 0, "mislabelled": 0}
    assert files.requests == []
    # inline, from the command line
    result = cli.invoke(ckan, ["longan", "linkcheck", "run", "--dataset", pkg["name"]])
    assert result.exit_code == 0, result.output
    assert f"broken      {ids['mat']} {files.url}/missing.csv  (HTTP 404)" in result.output
    assert "5 tài nguyên đã kiểm tra, 3 có lỗi" in result.output
    result = cli.invoke(ckan, ["longan", "linkcheck", "run", "--dataset", "khong-co"])
    assert result.exit_code != 0 and "không có bộ dữ liệu khong-co" in result.output


@pytest.mark.ckan_config("ckanext.longan_opendata.linkcheck.batch_size", "3")
def test_due_resources_are_checked_by_a_real_worker(dataset, cli):
    pkg, ids = dataset
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    model.Resource.get(ids["mat-tep"]).state = "deleted"  # deleted: never due
    model.Session.commit()
    result = cli.invoke(ckan, ["longan", "linkcheck", "due", "--older-than", "24"])
    assert result.exit_code == 0, result.output
    assert "2 lượt kiểm tra liên kết đã xếp hàng" in result.output
    queued = tk.get_action("job_list")({"ignore_auth": True}, {})
    assert [job["title"] for job in queued] == ["longan linkcheck: 3 resources",
                                               "longan linkcheck: 1 resources"]
    # CKAN's own worker (what `ckan jobs worker` runs): each job in a forked work horse
    ckan_jobs.Worker().work(burst=True)
    found = linkcheck.results_for(list(ids.values()))
    assert {name: found[rid]["status"] for name, rid in ids.items() if rid in found} == {
        "tot": "ok", "mat": "broken", "gia": "mislabelled", "tai-len": "ok"}
    assert tk.get_action("job_list")({"ignore_auth": True}, {}) == []
