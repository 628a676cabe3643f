"""``ckan longan demo-harvest``: the demo catalogue comes from harvesting both demo sources."""
from __future__ import annotations

import pytest
from ckan.cli.cli import ckan
from ckan.plugins import toolkit as tk

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.demo import shared_db

from .conftest import SECRETS, shared_db_name


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_demo_harvest_registers_and_harvests_both_sources(cli, shared_database, lgsp, sysadmin):
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(tk.config, "ckanext.longan_opendata.shared_db.url",
                   shared_db.owner_url(shared_db_name()))
        args = ["longan", "demo-harvest", "--user", sysadmin["name"], "--lgsp-url", lgsp.url,
                "--secrets-file", str(SECRETS)]
        result = cli.invoke(ckan, args)
        assert result.exit_code == 0, result.output
        # nine tables and queries, and the five yearly partitions of the yearbook (issue 12)
        assert "csdl-dung-chung-long-an: {'added': 14}" in result.output
        assert "lgsp-long-an: {'added': 2}" in result.output
        found = tk.get_action("package_search")(
            {"ignore_auth": True}, {"fq": "organization:cuc-thong-ke", "rows": 0})
        assert found["count"] == 18  # and the two demo series (the survey's editions: load-demo)
        editions = tk.get_action("longan_series_editions")(
            {"user": ""}, {"id": "nien-giam-thong-ke"})["editions"]
        assert [e["name"] for e in editions] == [
            f"nien-giam-thong-ke-{year}" for year in range(2020, 2025)]
        _assert_every_dataset_passes_the_review_check()
        again = cli.invoke(ckan, args)
        assert again.exit_code == 0, again.output
        assert "csdl-dung-chung-long-an: không đổi" in again.output
        assert "lgsp-long-an: {'not modified': 2}" in again.output


def _assert_every_dataset_passes_the_review_check() -> None:
    """Issue 11: the demo sources give (or let the harvest derive) every review field."""
    found = tk.get_action("package_search")({"ignore_auth": True}, {
        "fq": "organization:cuc-thong-ke", "rows": 50, "include_private": True})
    assert found["count"] == 18  # 16 harvested datasets and editions, 2 series
    for hit in found["results"]:
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": hit["id"]})
        assert workflow.missing_review_fields(pkg) == [], pkg["name"]
        if pkg["type"] == "dataset_series":  # a series holds no data: no coverage of its own
            continue
        assert pkg["harvest_review_missing"] == "", pkg["name"]
        assert pkg["title_en"] and pkg["temporal_start"] <= pkg["temporal_end"], pkg["name"]
        assert pkg["contact_points"][0]["email"] == "cuc-thong-ke@longan.gov.vn"
