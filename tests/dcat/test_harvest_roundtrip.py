"""DCAT round trip against a real HTTP server.

Our portal is served by gunicorn in a subprocess (127.0.0.1, a free port) on the sandbox's
databases and Solr core; in the test process ckanext-dcat's ``dcat_rdf`` harvester runs its
gather, fetch and import stages against ``/catalog.ttl`` of that server, like "another CKAN" with
our schema would.

Decision: the harvesting side uses the SAME test database, and imports into a second
organisation (the harvest source's owner). A second CKAN database would need a second schema
migration and Solr site per run (CI has one test database); the same database is safe because the
harvested copies get new ids and names (the harvester's unique-name rule) and live in another
organisation, so source and copy are compared side by side. The served catalogue is read once,
before the import, so the copies never feed back into it.
"""
from __future__ import annotations

import pytest
from ckan.tests import factories
from ckanext.dcat.harvesters import DCATRDFHarvester
from ckanext.dcat.processors import RDFSerializer
from ckanext.dcat.profiles.base import DCT, FOAF
from ckanext.dcat.utils import dataset_uri
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job
from click.testing import CliRunner
from rdflib import Graph, URIRef

from ckanext.longan_opendata.dcat import cli as dcat_cli
from tests.dcat.conftest import SHAPES
from tests.served import serve_portal


@pytest.fixture()
def served_portal(catalogue, request, tmp_path):
    """gunicorn serving the portal on the test databases; yields its base URL."""
    with serve_portal(request.config.getoption("ckan_ini"), tmp_path) as url:
        yield url


def resource_key(resource: dict) -> tuple:
    """What a distribution must keep; a checksum may gain its algorithm (``md5:…``)."""
    return (resource["url"], resource["format"], resource.get("name"),
            resource.get("access_type") or "download",
            (resource.get("hash") or "").rsplit(":", 1)[-1])


def test_dcat_rdf_harvester_gets_our_datasets_back(catalogue, served_portal):
    # `ckan longan validate-dcat` on the served catalogue (same server, saves a start-up)
    runner = CliRunner()
    result = runner.invoke(dcat_cli.validate_dcat, [served_portal, "--own-shapes", SHAPES])
    assert result.exit_code == 0, result.output
    assert "vi phạm: 0" in result.output  # in the site default language (vi)
    bad = runner.invoke(dcat_cli.validate_dcat, [served_portal, "--shapes", "/nonexistent"])
    assert bad.exit_code != 0 and "không tìm thấy tệp SHACL" in bad.output

    receiver = factories.Organization(name="cong-du-lieu-quoc-gia",
                                      title="Cổng dữ liệu quốc gia (bản sao)")
    source = HarvestSourceObj(url=served_portal + "/catalog.ttl", source_type="dcat_rdf",
                              config='{"rdf_format": "text/turtle"}', owner_org=receiver["id"])
    results = run_harvest_job(HarvestJobObj(source=source, run=False), DCATRDFHarvester())
    assert len(results) == len(catalogue["datasets"])
    errors = {guid: r["errors"] for guid, r in results.items() if r["state"] != "COMPLETE"}
    assert errors == {}

    harvested = {r["dataset"]["title"]: r["dataset"] for r in results.values()}
    for source in catalogue["datasets"]:
        copy = harvested[source["title"]]
        assert copy["id"] != source["id"]
        assert copy["owner_org"] == receiver["id"]
        for key in ("title", "notes", "theme", "frequency", "license_id", "spatial_units",
                    "temporal_start", "temporal_end"):
            assert copy.get(key) == source.get(key), (source["title"], key)
        for key in ("title_en", "notes_en", "version", "conforms_to"):
            assert copy.get(key) == source.get(key), (source["title"], key)
        assert copy["contains_personal_data"] == "no"
        # the publishing agency travels as the dataset's original publisher
        extras = {e["key"]: e["value"] for e in copy.get("extras") or []}
        publisher = next(o for o in catalogue["orgs"] if o["id"] == source["owner_org"])
        assert extras.get("publisher_name") == publisher["title"], source["title"]
        # …and the copy's own DCAT names the original agency as publisher, not the receiver
        graph = Graph().parse(data=RDFSerializer().serialize_dataset(copy, _format="turtle"),
                              format="turtle")
        agent = graph.value(URIRef(dataset_uri(copy)), DCT.publisher)
        assert str(graph.value(agent, FOAF.name)) == publisher["title"]
        # distributions (RDF keeps no order)
        assert sorted(resource_key(r) for r in copy["resources"]) == sorted(
            resource_key(r) for r in source["resources"])
        assert sorted(c["name"] for c in copy["contact_points"]) == sorted(
            c["name"] for c in source["contact_points"])

