"""Usage figures: views and downloads counted per day, with nothing about the visitor."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.longan_opendata.portal import usage
from tests.portal.conftest import make_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _rows():
    return [dict(r._mapping) for r in model.Session.execute(
        sa.select(usage.usage_table).order_by(usage.usage_table.c.kind))]


def test_the_table_comes_from_the_migration_and_holds_no_personal_data():
    columns = {c["name"] for c in sa.inspect(model.meta.engine).get_columns("longan_usage")}
    assert columns == {"kind", "object_id", "package_id", "day", "count"}


def test_dataset_page_views_are_counted_and_shown(app, agencies):
    user, office, _ = agencies
    pkg = make_dataset(user, office, "dan-so", title="Dân số trung bình")
    for _ in range(2):
        app.get(f"/dataset/{pkg['name']}", headers={"User-Agent": "Mozilla/5.0"})
    app.get(f"/dataset/{pkg['name']}", headers={"User-Agent": "Googlebot/2.1"})  # robot
    app.get("/dataset/khong-ton-tai", status=404)
    rows = _rows()
    assert [(r["kind"], r["object_id"], r["count"]) for r in rows] == [("view", pkg["id"], 2)]
    page = app.get(f"/dataset/{pkg['name']}").body
    assert 'data-views="2"' in page  # this view is counted after the page is served


def test_download_link_counts_then_redirects_to_the_file(app, agencies):
    user, office, _ = agencies
    pkg = make_dataset(user, office, "truong-hoc")
    res = helpers.call_action("resource_create", context={"user": user["name"]},
                              package_id=pkg["id"], url="http://127.0.0.1:9/truong.csv",
                              format="CSV")
    answer = app.get(f"/tai-ve/{res['id']}", follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "http://127.0.0.1:9/truong.csv"
    assert usage.package_counts(pkg["id"]) == {"views": 0, "downloads": 1}
    assert usage.resource_downloads(pkg["id"]) == {res["id"]: 1}
    app.get("/tai-ve/khong-co", status=404)


def test_private_datasets_are_not_counted(app, agencies):
    user, office, _ = agencies
    pkg = make_dataset(user, office, "noi-bo", private=True)
    app.get(f"/dataset/{pkg['name']}", extra_environ={}, status=404)
    usage.record(usage.VIEW, pkg["id"], pkg["id"])  # even if a row exists, totals skip it
    assert usage.totals() == {"views": 0, "downloads": 0}
    assert usage.most_viewed() == []


def test_counts_add_up_on_the_same_day():
    usage.record(usage.DOWNLOAD, "r1", "p1")
    usage.record(usage.DOWNLOAD, "r1", "p1")
    usage.record(usage.DOWNLOAD, "r2", "p1")
    assert usage.package_counts("p1") == {"views": 0, "downloads": 3}
    assert len(_rows()) == 2
