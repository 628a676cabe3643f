"""Usage figures: views and downloads counted per day, with nothing about the visitor."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers

from ckanext.longan_opendata.portal import usage
from tests.portal.conftest import make_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis")


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
    usage.flush_views()  # views are written by batches (see the tests below)
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


def test_page_views_wait_in_redis_are_shown_and_written_in_one_statement(app, agencies):
    """A page view is one Redis round trip: the first view of a period writes what waits (here
    nothing but itself), the next ones wait for the next period, yet the page shows them all."""
    user, office, _ = agencies
    pkg = make_dataset(user, office, "dan-so", title="Dân số trung bình")
    other = make_dataset(user, office, "truong-hoc")
    for name in ("dan-so", "dan-so", "truong-hoc", "dan-so"):
        app.get(f"/dataset/{name}")
    assert [(r["object_id"], r["count"]) for r in _rows()] == [(pkg["id"], 1)]  # the first
    assert 'data-views="3"' in app.get("/dataset/dan-so").body  # 1 written + 2 waiting
    assert usage.flush_views() == 4  # the 3 waiting and the view of that page
    assert sorted((r["object_id"], r["count"]) for r in _rows()) == sorted(
        [(pkg["id"], 4), (other["id"], 1)])
    assert usage.flush_views() == 0
    assert 'data-views="4"' in app.get("/dataset/dan-so").body  # the 5th, waiting


def test_statistics_write_the_waiting_views_first(app, agencies):
    user, office, _ = agencies
    pkg = make_dataset(user, office, "dan-so")
    for _ in range(3):
        app.get("/dataset/dan-so")
    assert usage.totals()["views"] == 3
    assert usage.most_viewed()[0]["views"] == 3
    assert usage.package_counts(pkg["id"])["views"] == 3


def test_views_of_a_purged_dataset_are_dropped(app, agencies):
    user, office, _ = agencies
    make_dataset(user, office, "dan-so")
    gone = make_dataset(user, office, "truong-hoc")
    app.get("/dataset/dan-so")  # written at once (first of the period)
    app.get("/dataset/truong-hoc")
    helpers.call_action("dataset_purge", context={"user": user["name"]}, id=gone["id"])
    assert usage.flush_views() == 1 and len(_rows()) == 1


@pytest.mark.ckan_config("ckanext.longan_opendata.usage.flush_seconds", 0)
def test_with_no_batching_each_view_is_written_at_once(app, agencies):
    user, office, _ = agencies
    pkg = make_dataset(user, office, "dan-so")
    for _ in range(2):
        app.get("/dataset/dan-so")
    assert [(r["object_id"], r["count"]) for r in _rows()] == [(pkg["id"], 2)]
