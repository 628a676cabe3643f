"""``longan_stats``: figures from the real Solr index and PostgreSQL, and their cache in Redis."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers

from ckanext.longan_opendata.portal import stats, usage
from tests.portal.conftest import make_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _resource(user, pkg, fmt):
    return helpers.call_action("resource_create", context={"user": user["name"]},
                               package_id=pkg["id"], url=f"http://example.org/{fmt}", format=fmt)


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0)
def test_counts_per_agency_and_format_and_totals(agencies):
    user, office, health = agencies
    a = make_dataset(user, office, "dan-so")
    b = make_dataset(user, office, "lao-dong")
    c = make_dataset(user, health, "benh-vien")
    make_dataset(user, health, "noi-bo", private=True)  # private: never counted
    _resource(user, a, "CSV")
    _resource(user, a, "JSON")
    _resource(user, b, "CSV")
    _resource(user, c, "XLSX")

    result = helpers.call_action("longan_stats", context={"user": ""})

    assert result["totals"]["datasets"] == 3
    assert result["totals"]["agencies"] == 2
    assert result["totals"]["resources"] == 4
    assert result["by_agency"] == {"cuc-thong-ke": 2, "so-y-te": 1}
    assert result["by_format"] == {"CSV": 2, "JSON": 1, "XLSX": 1}
    month = dt.datetime.utcnow().strftime("%Y-%m")
    assert result["published_per_month"] == [{"month": month, "count": 3}]


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0)
def test_published_per_month_groups_by_creation_month(agencies):
    user, office, _ = agencies
    old = make_dataset(user, office, "cu")
    make_dataset(user, office, "moi")
    model.Session.execute(sa.update(model.Package).where(model.Package.id == old["id"])
                          .values(metadata_created=dt.datetime(2024, 3, 15)))
    model.Session.commit()
    months = helpers.call_action("longan_stats")["published_per_month"]
    assert months[0] == {"month": "2024-03", "count": 1}
    assert sum(m["count"] for m in months) == 2


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0)
def test_usage_totals_and_most_viewed(agencies):
    user, office, _ = agencies
    a = make_dataset(user, office, "xem-nhieu")
    b = make_dataset(user, office, "xem-it")
    res = _resource(user, a, "CSV")
    for _ in range(3):
        usage.record(usage.VIEW, a["id"], a["id"])
    usage.record(usage.VIEW, b["id"], b["id"])
    usage.record(usage.DOWNLOAD, res["id"], a["id"])
    result = helpers.call_action("longan_stats")
    assert result["totals"]["downloads"] == 1
    assert result["totals"]["views"] == 4
    assert [(d["name"], d["views"]) for d in result["most_viewed"]] == [
        ("xem-nhieu", 3), ("xem-it", 1)]


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 60)
def test_figures_are_cached_until_the_ttl_or_a_sysadmin_refresh(agencies):
    user, office, _ = agencies
    stats.clear_cache()
    make_dataset(user, office, "mot")
    first = helpers.call_action("longan_stats", context={"user": ""})
    assert first["totals"]["datasets"] == 1
    assert 0 < connect_to_redis().ttl(stats._cache_key()) <= 60
    make_dataset(user, office, "hai")
    assert helpers.call_action("longan_stats")["totals"]["datasets"] == 1  # cached
    fresh = helpers.call_action("longan_stats", context={"user": user["name"]}, fresh=True)
    assert fresh["totals"]["datasets"] == 2
    stats.clear_cache()


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 60)
def test_only_sysadmins_may_bypass_the_cache(agencies):
    visitor = factories.User()
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("longan_stats", context={"user": visitor["name"],
                                                     "ignore_auth": False}, fresh=True)


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0)
def test_anonymous_api_call(app, agencies):
    user, office, _ = agencies
    make_dataset(user, office, "cong-khai")
    body = app.get("/api/3/action/longan_stats").json
    assert body["success"] is True
    assert body["result"]["totals"]["datasets"] == 1


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0)
def test_harvest_sources_with_last_job_status_and_errors(agencies):
    from ckanext.harvest.model import (
        HarvestGatherError,
        HarvestJob,
        HarvestObject,
        HarvestObjectError,
        HarvestSource,
    )

    source = HarvestSource(url="http://127.0.0.1:9/csdl", type="test", title="CSDL chuyên ngành")
    source.save()
    HarvestSource(url="http://127.0.0.1:9/moi", type="test", title="Nguồn mới").save()
    old = HarvestJob(source_id=source.id, status="Finished",
                     created=dt.datetime(2025, 1, 1), finished=dt.datetime(2025, 1, 1, 1))
    old.save()
    HarvestGatherError(harvest_job_id=old.id, message="old error").save()
    job = HarvestJob(source_id=source.id, status="Finished",
                     created=dt.datetime(2026, 5, 1), finished=dt.datetime(2026, 5, 1, 2))
    job.save()
    HarvestGatherError(harvest_job_id=job.id, message="timeout").save()
    obj = HarvestObject(guid="x", job=job, source=source)
    obj.save()
    HarvestObjectError(object=obj, message="bad row", stage="Import").save()
    HarvestObjectError(object=obj, message="bad date", stage="Import").save()

    sources = helpers.call_action("longan_stats")["harvest_sources"]
    assert sources[1]["status"] == "never" and sources[1]["last_run"] is None
    assert sources[:1] == [{
        "id": source.id, "title": "CSDL chuyên ngành", "url": "http://127.0.0.1:9/csdl",
        "type": "test", "last_run": "2026-05-01T02:00:00", "status": "Finished",
        "error_count": 3,
    }]


@pytest.mark.ckan_config("ckanext.longan_opendata.stats.cache_seconds", 0)
def test_themes_units_and_update_frequency(agencies):
    """Themes, units and frequencies come from the metadata schema and its index fields."""
    user, office, health = agencies
    make_dataset(user, office, "dan-so", theme=["dan-cu-xa-hoi", "kinh-te"],
                 frequency="annual", spatial_units=["old-80"])
    make_dataset(user, health, "benh-vien", theme=["y-te"], frequency="monthly")
    stale = make_dataset(user, health, "tram-y-te", theme=["y-te"], frequency="daily")
    make_dataset(user, office, "luat", theme=["tu-phap"], frequency="irregular")
    model.Session.execute(sa.update(model.Package).where(model.Package.id == stale["id"])
                          .values(metadata_modified=dt.datetime(2020, 1, 1)))
    model.Session.commit()
    from ckan.lib.search import rebuild
    rebuild(stale["id"])

    result = helpers.call_action("longan_stats")
    assert result["by_theme"] == {"y-te": 2, "dan-cu-xa-hoi": 1, "kinh-te": 1, "tu-phap": 1}
    assert "old-80" in result["by_unit_old"] or "old-80" in result["by_unit"]
    fresh = result["updated_within_frequency"]
    assert fresh["datasets_with_frequency"] == 3  # "irregular" has no deadline
    assert fresh["updated_on_time"] == 2
    assert fresh["share"] == pytest.approx(2 / 3, abs=1e-3)
    assert fresh["per_frequency"]["daily"] == {"datasets": 1, "updated_on_time": 0}
