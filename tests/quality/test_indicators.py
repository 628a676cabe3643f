"""Each indicator one by one, on dataset dictionaries as ``package_show`` gives them: a complete
dataset earns every point; spoiling one field costs exactly that indicator's points."""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from ckanext.longan_opendata.quality import score
from ckanext.longan_opendata.quality.indicators import INDICATORS, by_id, max_points, overdue_days

TODAY = dt.date(2026, 12, 2)
RES = "11111111-2222-3333-4444-555555555555"
API = "66666666-2222-3333-4444-555555555555"


def complete() -> dict[str, Any]:
    return {
        "id": "d1", "name": "dan-so", "title": "Dân số", "title_en": "Population",
        "notes": "Dân số trung bình.", "notes_en": "Average population.",
        "tags": [{"name": "dân số"}], "theme": ["dan-cu-xa-hoi"], "spatial_units": ["old-80"],
        "temporal_start": "2020-01-01", "temporal_end": "2024-12-31", "frequency": "annual",
        "contact_points": [{"name": "Phòng Thống kê", "email": "tk@longan.gov.vn"}],
        "license_id": "vn-open-data-1.0", "license_url": "/giay-phep/vn-open-data-1.0",
        "owner_org": "org-1", "contains_personal_data": "no", "legal_basis": "QĐ 1/QĐ-UBND",
        "metadata_created": "2026-01-05T08:00:00", "metadata_modified": "2026-06-01T08:00:00",
        "resources": [
            {"id": RES, "url": "http://data.test/dan-so.csv", "format": "CSV", "size": 2048,
             "description": "Số liệu", "access_type": "download"},
            {"id": API, "url": "http://api.test/dan-so", "format": "JSON", "size": 100,
             "description": "API", "access_type": "api"},
        ],
    }


OK = {"status": "ok", "http_status": 200, "format_ok": True}
LINKS = {RES: OK, API: OK}


def _without(*fields: str):
    def spoil(pkg):
        for field in fields:
            pkg.pop(field, None)
    return spoil


def _resources(**changes: Any):
    def spoil(pkg):
        for res in pkg["resources"]:
            res.update(changes)
    return spoil


#: indicator id → how to lose its points (and only its points)
SPOILERS = {
    "keywords": _without("tags"),
    "themes": _without("theme"),
    "spatial": _without("spatial_units"),
    "temporal": _without("temporal_start", "temporal_end"),
    "bilingual": _without("title_en", "notes_en"),
    "download_url": _resources(access_type="api"),
    "format": _resources(format=""),
    "media_type": _resources(format="TXT"),
    "format_vocabulary": _resources(format="JSON-STAT"),
    "non_proprietary": _resources(format="XLSX"),
    "machine_readable": _resources(format="PDF"),
    "licence": _without("license_id", "license_url"),
    "licence_vocabulary": lambda pkg: pkg.update(license_id="my-own", license_url="http://x.test"),
    "access_rights": _without("contains_personal_data"),
    "contact_point": lambda pkg: pkg.update(contact_points=[{"name": "Phòng Thống kê"}]),
    "publisher": _without("owner_org"),
    "rights": _without("legal_basis"),
    "byte_size": _resources(size=None),
    "issued": _without("metadata_created"),
    "modified": _without("metadata_modified"),
    "up_to_date": lambda pkg: pkg.update(metadata_modified="2023-01-01T00:00:00"),
}
#: other indicators that the same spoiling also moves (the dependency is real)
ALSO = {
    "download_url": {"download_url_ok"},          # no download left to check
    "format": {"media_type", "format_vocabulary", "non_proprietary", "machine_readable",
               "dcat_ap_recommended"},
    "media_type": {"format_vocabulary", "non_proprietary", "machine_readable",
                   "dcat_ap_recommended"},
    "format_vocabulary": {"media_type", "non_proprietary", "machine_readable",
                          "dcat_ap_recommended"},
    "non_proprietary": set(),
    "machine_readable": {"non_proprietary", "media_type"},
    "licence": {"licence_vocabulary", "dcat_ap_recommended"},
    "keywords": {"dcat_ap_recommended"}, "themes": {"dcat_ap_recommended"},
    "spatial": {"dcat_ap_recommended"}, "temporal": {"dcat_ap_recommended"},
    "contact_point": set(), "publisher": {"dcat_ap_recommended"},
    "modified": {"up_to_date"},
}


def test_complete_dataset_earns_every_point():
    result = score.evaluate(complete(), LINKS, TODAY)
    missing = {k: v for k, v in result.earned.items() if v != by_id()[k].points}
    assert missing == {}
    assert (result.score, result.max, result.rating) == (max_points(), max_points(), "excellent")


@pytest.mark.parametrize("indicator", sorted(SPOILERS))
def test_each_indicator_alone(indicator):
    base = score.evaluate(complete(), LINKS, TODAY)
    pkg = copy.deepcopy(complete())
    SPOILERS[indicator](pkg)
    result = score.evaluate(pkg, LINKS, TODAY)
    assert result.earned[indicator] is not None and result.earned[indicator] < by_id()[
        indicator].points, result.earned
    moved = {k for k in result.earned if result.earned[k] != base.earned[k]} - {indicator}
    assert moved <= ALSO.get(indicator, set()), moved


def test_every_indicator_is_tested():
    covered = set(SPOILERS) | {"access_url_ok", "download_url_ok", "format_matches", "dcat_ap",
                               "dcat_ap_recommended"}
    assert covered == {i.id for i in INDICATORS}


def test_link_indicators_from_the_link_checker():
    pkg = complete()
    broken = {RES: {"status": "broken", "http_status": 404, "format_ok": None}, API: OK}
    result = score.evaluate(pkg, broken, TODAY)
    assert result.earned["access_url_ok"] == 25            # one of two links answers
    assert result.earned["download_url_ok"] == 0           # the only download is broken
    assert result.earned["format_matches"] == 10           # the API's bytes were checked, ok
    mislabelled = {RES: {"status": "mislabelled", "http_status": 200, "format_ok": False}}
    result = score.evaluate(pkg, mislabelled, TODAY)
    assert result.earned["access_url_ok"] == 50            # it answers…
    assert result.earned["format_matches"] == 0            # …but is not what it says


def test_unchecked_links_are_skipped_and_said_so():
    result = score.evaluate(complete(), {}, TODAY)
    skipped = {k for k, v in result.earned.items() if v is None}
    assert skipped == {"access_url_ok", "download_url_ok", "format_matches"}
    assert result.max == max_points() - 90
    assert result.score == result.max


def test_dcat_mandatory_description_and_access_url():
    pkg = complete()
    pkg.pop("notes")
    assert score.evaluate(pkg, LINKS, TODAY).earned["dcat_ap"] == 0
    pkg = complete()
    pkg["resources"][0]["url"] = ""
    result = score.evaluate(pkg, LINKS, TODAY)
    assert result.earned["dcat_ap"] == 0
    assert ("dataset", "http://purl.org/dc/terms/description") not in \
        result.facts.dcat.mandatory_missing


# --- freshness ---------------------------------------------------------------------------

def _fresh(frequency: str | None, modified: str) -> int | None:
    pkg = complete()
    pkg.update(frequency=frequency, metadata_modified=modified)
    return score.evaluate(pkg, LINKS, TODAY).earned["up_to_date"]


def test_annual_updated_20_months_ago_loses_points():
    assert _fresh("annual", "2025-04-02T00:00:00") == 20        # 20 months: late, half points
    assert _fresh("annual", "2024-06-01T00:00:00") == 0         # more than a period late
    assert _fresh("annual", "2026-01-10T00:00:00") == 40        # on time


def test_grace_day_at_the_edge():
    # annual = 366 days, plus one day of grace
    edge = (TODAY - dt.timedelta(days=367)).isoformat()
    after = (TODAY - dt.timedelta(days=368)).isoformat()
    assert _fresh("annual", edge) == 40
    assert _fresh("annual", after) == 20
    assert overdue_days({"frequency": "annual", "metadata_modified": after}, TODAY) == 1


def test_never_irregular_and_no_frequency():
    assert _fresh("never", "2015-01-01T00:00:00") == 40          # static data is never stale
    assert _fresh("irregular", "2015-01-01T00:00:00") is None    # nothing expected: skipped
    assert _fresh(None, "2026-12-01T00:00:00") == 0              # declare a frequency
    assert _fresh("daily", "2026-11-30T00:00:00") == 40          # 2 days: 1 + 1 grace
    assert _fresh("daily", "2026-11-28T00:00:00") == 0


def test_resource_update_counts_as_an_update():
    pkg = complete()
    pkg["metadata_modified"] = "2023-01-01T00:00:00"
    pkg["resources"][0]["last_modified"] = "2026-11-01T00:00:00"
    assert score.evaluate(pkg, LINKS, TODAY).earned["up_to_date"] == 40


def test_ratings_follow_mqa_bands():
    assert score.rating(351, 405) == "excellent"
    assert score.rating(350, 405) == "good"
    assert score.rating(221, 405) == "good"
    assert score.rating(220, 405) == "sufficient"
    assert score.rating(121, 405) == "sufficient"
    assert score.rating(120, 405) == "bad"
    assert score.rating(0, 0) == "bad"


def test_fix_first_is_ordered_by_points_gained(app):
    pkg = complete()
    for field in ("tags", "legal_basis", "title_en"):
        pkg.pop(field)
    with app.flask_app.test_request_context():
        explained = score.explain(score.evaluate(pkg, LINKS, TODAY))
    gains = [(f["id"], f["gain"]) for f in explained["fix_first"]]
    assert gains[0] == ("keywords", 30)
    assert [g for _, g in gains] == sorted((g for _, g in gains), reverse=True)
    assert ("rights", 5) in gains and ("bilingual", 5) in gains
    assert explained["score"] == max_points() - 30 - 5 - 5 - 1  # dcat recommended: keyword
