"""The demo's dataset series (issue 12): the monthly survey's editions (three of the twelve
here, for speed), in order, each passing the review check, and the yearbook series the SQL
harvester fills (test_demo_harvest)."""
from __future__ import annotations

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests import factories

from ckanext.longan_opendata.demo import series as demo_series
from ckanext.longan_opendata.metadata.review import review_problems


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_demo_series_and_the_monthly_survey():
    admin = factories.Sysadmin()
    factories.Organization(name=demo_series.ORG, title="Cục Thống kê tỉnh Long An")
    months = (11, 1, 6)
    created = demo_series.ensure_series(admin["name"], echo=lambda _: None, months=months)
    assert created == 2 + len(months)
    assert demo_series.ensure_series(admin["name"], echo=lambda _: None, months=months) == 0
    cpi = tk.get_action("longan_series_editions")(
        {"user": ""}, {"id": demo_series.CPI_SERIES})["editions"]
    assert [e["name"] for e in cpi] == [
        f"chi-so-gia-tieu-dung-2024-{m:02d}" for m in sorted(months)]
    for edition in cpi:
        shown = tk.get_action("package_show")({"user": ""}, {"id": edition["id"]})
        assert shown["workflow_state"] == "published"
        assert shown["resources"][0]["datastore_active"] is True
        assert review_problems({"user": admin["name"]}, shown) == {}, shown["name"]
    # the yearbook waits for the SQL harvester: published, with no editions yet
    yearbook = tk.get_action("longan_series_editions")(
        {"user": ""}, {"id": demo_series.YEARBOOK_SERIES})
    assert yearbook["count"] == 0
    assert yearbook["series"]["title"] == "Niên giám thống kê tỉnh Long An"
