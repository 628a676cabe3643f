"""``ckan longan bulk-load``: datasets from JSON Lines through ``package_create``, committed and
indexed by batches; a refused line leaves nothing behind, a rerun skips what is there; a trusted
publish needs the review fields."""
from __future__ import annotations

import json

import pytest
from ckan import model
from ckan.cli.cli import ckan
from ckan.tests import factories, helpers

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.ops import bulk_load
from tests.statements import recorded_statements

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _record(name: str, **fields) -> dict:
    return {"name": name, "title": f"Dân số {name}", "notes": "Số liệu dân số.",
            "license_id": "CC-BY-4.0", "contains_personal_data": "no",
            "theme": ["dan-cu-xa-hoi"], "frequency": "annual", "spatial_units": ["old-80"],
            "temporal_start": "2024-01-01", "temporal_end": "2024-12-31",
            "contact_points": [{"name": "Phòng thống kê", "email": "thongke@longan.gov.vn"}],
            "resources": [{"name": "Tệp", "url": "http://127.0.0.1:9/a.csv", "format": "CSV"}],
            **fields}


def _names_in_search() -> set[str]:
    found = helpers.call_action("package_search", include_private=True, rows=100, fl="name")
    return {row["name"] for row in found["results"]}


def test_the_command_creates_drafts_reports_refused_lines_and_resumes(cli, tmp_path):
    factories.Organization(name="so-y-te", image_url="")
    other = factories.Organization(name="so-khac", image_url="")
    lines = [
        json.dumps(_record("mot", owner_org=other["id"])),  # the named agency wins
        json.dumps(_record("hai")),
        json.dumps(_record("ba", title="")),  # refused after two datasets of its batch
        "{not json",
        "",
        json.dumps(_record("bon")),
        json.dumps(_record("mot")),  # the same name again: skipped
    ]
    source = tmp_path / "datasets.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = cli.invoke(ckan, ["longan", "bulk-load", str(source), "--agency", "so-y-te",
                               "--batch", "2"])
    assert result.exit_code == 1, result.output
    assert "dòng 3 ba:" in result.output and "dòng 4 -: Không phải JSON" in result.output
    assert "3 đã tạo, 1 đã có sẵn, 2 bị từ chối" in result.output
    model.Session.remove()
    rows = {pkg.name: pkg for pkg in model.Session.query(model.Package)
            if pkg.type == "dataset"}
    assert set(rows) == {"mot", "hai", "bon"}  # nothing of "ba"
    org_id = model.Group.get("so-y-te").id
    assert all(pkg.owner_org == org_id and pkg.private for pkg in rows.values())
    assert {wf.state_of_package(pkg) for pkg in rows.values()} == {wf.DRAFT}
    assert len(rows["mot"].resources) == 1
    assert _names_in_search() == {"mot", "hai", "bon"}

    source.write_text(json.dumps(_record("ba")) + "\n" + lines[1] + "\n", encoding="utf-8")
    result = cli.invoke(ckan, ["longan", "bulk-load", str(source), "--agency", "so-y-te"])
    assert result.exit_code == 0, result.output
    assert "1 đã tạo, 1 đã có sẵn, 0 bị từ chối" in result.output
    assert _names_in_search() == {"mot", "hai", "ba", "bon"}

    result = cli.invoke(ckan, ["longan", "bulk-load", str(source), "--agency", "khong-co"])
    assert result.exit_code == 2 and "Không có cơ quan khong-co" in result.output


def test_a_trusted_publish_needs_the_review_fields(app):
    org = factories.Organization(name="cuc-thong-ke", image_url="")
    site_user = helpers.call_action("get_site_user")["name"]
    incomplete = _record("thieu-lien-he")
    del incomplete["contact_points"]
    records = [(1, _record("day-du", owner_org="cuc-thong-ke")),
               (2, {**incomplete, "owner_org": org["id"]})]
    with app.flask_app.app_context():
        report = bulk_load.load(records, site_user, state=wf.PUBLISHED)
    assert report.created == ["day-du"]
    assert [(line, name, sorted(problems)) for line, name, problems in report.errors] == [
        (2, "thieu-lien-he", ["contact_points"])]
    shown = helpers.call_action("package_show", id="day-du")
    assert shown["workflow_state"] == wf.PUBLISHED and not shown["private"]
    assert [step["to"] for step in wf.history(shown["id"])] == [wf.PUBLISHED]
    found = helpers.call_action("package_search", q="name:day-du")
    assert found["count"] == 1


def _solr_document(pkg_id: str) -> dict:
    from ckan.lib import search

    search.commit()
    found = search.make_connection().search(q=f'id:"{pkg_id}"', fl="*")
    assert len(found.docs) == 1
    return {key: value for key, value in found.docs[0].items()
            if key not in ("indexed_ts", "_version_")}


def _statements_of(action) -> int:
    with recorded_statements() as seen:
        action()
    return len(seen)


def test_the_bulk_index_document_is_the_one_of_a_normal_reindex(app):
    """The bulk path dictizes from the session, leaves out the workflow history (dropped from
    the index anyway) and reads the link-check results once per batch: the Solr document is
    CKAN's own, with five queries less per dataset."""
    from ckan.lib import search

    from ckanext.longan_opendata.linkcheck import results

    factories.Organization(name="so-y-te", image_url="")
    site_user = helpers.call_action("get_site_user")["name"]
    record = _record("mot", owner_org="so-y-te", tags=[{"name": "dan-so"}, {"name": "an-toan"}],
                     resources=[{"name": f"Tệp {k}", "url": f"http://127.0.0.1:9/{k}.csv",
                                 "format": "CSV"} for k in range(3)])
    with app.flask_app.app_context():
        bulk_load.load([(1, record)], site_user, state=wf.PUBLISHED)
    pkg = model.Package.get("mot")
    resource = pkg.resources[1]
    results.save(resource.id, pkg.id, {"url": resource.url, "status": "broken",
                                       "http_status": 404})
    with app.flask_app.test_request_context():
        from_session = _statements_of(lambda: bulk_load.index_batch([pkg.id], [pkg.id]))
        from_bulk = _solr_document(pkg.id)
        from_show = _statements_of(lambda: bulk_load.index_batch([pkg.id]))
        assert _solr_document(pkg.id) == from_bulk
        search.rebuild(pkg.id)  # CKAN's own path: package_show with the history, a query each
        from_ckan = _solr_document(pkg.id)

    assert from_bulk == from_ckan
    assert from_session <= from_show - 5, (from_session, from_show)
    validated = json.loads(from_bulk["validated_data_dict"])
    assert validated["workflow_state"] == wf.PUBLISHED
    assert "workflow_history" not in validated
    assert [tag["name"] for tag in validated["tags"]] == ["an-toan", "dan-so"]
    assert len(validated["resources"]) == 3
    assert wf.history(pkg.id)  # the history is there, only not indexed
