"""The DCAT-AP 3 feeds: /catalog.ttl and /dataset/<name>.ttl|.rdf|.jsonld with our profile,
validated with the project's own SHACL shapes (and the official ones when available)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.profiles.base import DCAT, DCT, FOAF, RDF, SKOS, VCARD
from rdflib import Graph, Literal, URIRef

from ckanext.longan_opendata.dcat import validate as dcat_validate
from tests.dcat.conftest import SHAPES

EU = "http://publications.europa.eu/resource/authority/"
SITE = "http://test.ckan.net"
SPDX_NS = "http://spdx.org/rdf/terms#"


def official_shapes_dir() -> Path | None:
    """The official DCAT-AP 3.0.0 shapes: $DCAT_AP_SHAPES, or shared/ beside the checkout."""
    candidates = [os.environ.get("DCAT_AP_SHAPES"),
                  Path(__file__).resolve().parents[3] / "shared" / "dcat-ap-3.0.0",
                  "/work/shared/dcat-ap-3.0.0"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "shapes.ttl").is_file():
            return Path(candidate)
    return None


def get_graph(app, url: str, fmt: str) -> Graph:
    response = app.get(url)
    assert response.status_code == 200, url
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


def by_title(catalogue, title: str) -> dict:
    return next(d for d in catalogue["datasets"] if d["title"] == title)


def test_catalogue_has_zero_violations_of_our_shapes(catalogue, app):
    graph = get_graph(app, "/catalog.ttl", "turtle")
    report = dcat_validate.validate(graph, [SHAPES])
    assert report.violations == [], [(f.focus, f.path, f.message) for f in report.violations]
    # The warnings left are what our data cannot say: no availability field, resources
    # without a description, no bounding box for post-2025 units, no API description.
    assert {f.path for f in report.warnings} <= {
        "availability", "description", "bbox", "endpointDescription"}
    counts = report.summary()
    assert counts[("Warning", SHAPES.rsplit("/", 1)[-1], "availability")] == 9  # distributions
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 6

    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert graph.value(catalog, DCT.title) == Literal("Cổng dữ liệu mở tỉnh Long An", lang="vi")
    assert graph.value(catalog, DCT.description).language == "vi"
    assert graph.value(catalog, DCT.language) == URIRef(EU + "language/VIE")
    assert graph.value(catalog, DCT.license) == URIRef(f"{SITE}/giay-phep/vn-open-data-1.0")
    publisher = graph.value(catalog, DCT.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Ủy ban nhân dân tỉnh Tây Ninh", lang="vi")
    assert len(list(graph.objects(catalog, DCAT.dataset))) == 6
    assert len(list(graph.objects(catalog, DCAT.service))) == 1

    # The shapes can fail: what stock profiles emit (untagged title, codes for vocabularies)
    # is caught.
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCT.title, None))
    graph.add((dataset, DCT.title, Literal("Không có nhãn ngôn ngữ")))  # untagged
    graph.add((dataset, DCAT.theme, Literal("y-te")))                    # code, not IRI
    graph.add((dataset, DCT.accrualPeriodicity, Literal("annual")))
    report = dcat_validate.validate(graph, [SHAPES])
    assert {"title", "theme", "accrualPeriodicity"} <= {f.path for f in report.violations}


def test_dataset_feeds(catalogue, app):
    dataset = by_title(catalogue, "Diện tích và sản lượng thanh long")
    for suffix, fmt in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")):
        check_dataset_graph(dataset, get_graph(app, f"/dataset/{dataset['name']}.{suffix}", fmt))
    check_population_and_api(catalogue, app)


def check_dataset_graph(dataset: dict, graph: Graph) -> None:
    ref = URIRef(f"{SITE}/dataset/{dataset['id']}")
    assert dcat_validate.validate(graph, [SHAPES]).violations == []

    assert (ref, DCT.title, Literal("Diện tích và sản lượng thanh long", lang="vi")) in graph
    assert (ref, DCT.title, Literal("Dragon fruit area and output", lang="en")) in graph
    assert (ref, DCAT.keyword, Literal("thanh long", lang="vi")) in graph
    assert set(graph.objects(ref, DCAT.theme)) == {URIRef(EU + "data-theme/AGRI"),
                                                   URIRef(EU + "data-theme/ECON")}
    assert graph.value(ref, DCT.accrualPeriodicity) == URIRef(EU + "frequency/QUARTERLY")
    assert graph.value(ref, DCT.language) == URIRef(EU + "language/VIE")
    assert graph.value(ref, DCT.conformsTo) == URIRef(
        "https://specs.frictionlessdata.io/table-schema/")

    places = set(graph.objects(ref, DCT.spatial))
    old_province, new_province = URIRef(f"{SITE}/dia-ban/old-80"), URIRef(f"{SITE}/dia-ban/new-80")
    assert places == {old_province, new_province, URIRef(f"{SITE}/dia-ban/new-27694")}
    assert (old_province, RDF.type, DCT.Location) in graph
    assert graph.value(old_province, DCT.identifier) == Literal("80")
    assert graph.value(old_province, SKOS.prefLabel) == Literal("Tỉnh Long An", lang="vi")
    assert graph.value(old_province, DCT.isReplacedBy) == new_province
    assert graph.value(new_province, SKOS.prefLabel) == Literal("Tỉnh Tây Ninh", lang="vi")
    assert graph.value(old_province, DCAT.bbox) is not None

    period = graph.value(ref, DCT.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2020-01-01"
    assert str(graph.value(period, DCAT.endDate)) == "2024-12-31"

    card = graph.value(ref, DCAT.contactPoint)
    assert (card, RDF.type, VCARD.Kind) in graph
    assert graph.value(card, VCARD.fn) == Literal("Phòng Thống kê", lang="vi")
    assert graph.value(card, VCARD.hasEmail) == URIRef("mailto:thongke@longan.gov.vn")
    assert graph.value(card, VCARD.hasTelephone) == URIRef("tel:+84-272-3826-123")

    publisher = graph.value(ref, DCT.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal("Cục Thống kê tỉnh Long An", lang="vi")
    assert graph.value(publisher, DCT.identifier) == Literal("000.00.34.H41")
    assert graph.value(publisher, FOAF.mbox) == URIRef("mailto:thongke@longan.gov.vn")
    assert graph.value(publisher, FOAF.homepage) == URIRef("https://thongke.longan.gov.vn")

    distributions = list(graph.objects(ref, DCAT.distribution))
    assert len(distributions) == 2
    formats = {graph.value(d, DCT["format"]) for d in distributions}
    assert formats == {URIRef(EU + "file-type/XLSX"), URIRef(EU + "file-type/JSON")}
    for distribution in distributions:
        assert graph.value(distribution, DCT.license) == URIRef(
            f"{SITE}/giay-phep/vn-open-data-1.0")
        assert graph.value(distribution, DCAT.downloadURL) == graph.value(
            distribution, DCAT.accessURL)
        media = graph.value(distribution, DCAT.mediaType)
        assert str(media).startswith("https://www.iana.org/assignments/media-types/")
    json_dist = next(d for d in distributions
                     if graph.value(d, DCT["format"]) == URIRef(EU + "file-type/JSON"))
    checksum = graph.value(json_dist, URIRef(SPDX_NS + "checksum"))
    assert graph.value(checksum, URIRef(SPDX_NS + "algorithm")) == URIRef(
        SPDX_NS + "checksumAlgorithm_md5")


def check_population_and_api(catalogue, app) -> None:
    population = by_title(catalogue, "Dân số trung bình phân theo huyện")
    graph = get_graph(app, f"/dataset/{population['name']}.ttl", "turtle")
    ref = URIRef(f"{SITE}/dataset/{population['id']}")
    assert str(graph.value(ref, DCAT.version)) == "2024.1"
    assert str(graph.value(ref, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))) == "2024.1"
    assert (ref, DCT.description, Literal("Yearly average population of the districts.",
                                          lang="en")) in graph
    old_district = URIRef(f"{SITE}/dia-ban/old-794")
    assert graph.value(old_district, DCT.identifier) == Literal("794")
    assert len(list(graph.objects(old_district, DCT.isReplacedBy))) >= 1

    dossiers = by_title(catalogue, "Hồ sơ dịch vụ công trực tuyến")
    graph = get_graph(app, f"/dataset/{dossiers['name']}.ttl", "turtle")
    ref = URIRef(f"{SITE}/dataset/{dossiers['id']}")
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    service = services[0]
    assert graph.value(service, DCAT.endpointURL) == URIRef("https://api.example.com/dvc/ho-so")
    assert graph.value(service, DCAT.servesDataset) == ref
    api = next(graph.subjects(DCAT.accessService, service))
    assert graph.value(api, DCAT.downloadURL) is None
    assert graph.value(ref, DCT.conformsTo) is not None  # a free-text standard, as a node
    assert graph.value(api, DCT.license) == URIRef(
        "https://creativecommons.org/publicdomain/zero/1.0/")


def test_official_dcat_ap_3_shapes(catalogue, app):
    """Zero violations of the official shapes.ttl + range.ttl (bar the known byteSize fault of
    the 3.0.0 shapes, SEMICeu/DCAT-AP#422); recommended-shape warnings counted."""
    folder = official_shapes_dir()
    if folder is None:
        pytest.skip("official DCAT-AP 3.0.0 shapes not available (set DCAT_AP_SHAPES)")
    graph = get_graph(app, "/catalog.ttl", "turtle")
    report = dcat_validate.validate(graph, dcat_validate.shape_files(folder))
    real = [f for f in report.violations if f.path != "byteSize"]
    assert real == [], [(f.shape_file, f.focus, f.path, f.message) for f in real]
    assert len(report.violations) <= 1  # the one resource with a size
    counts = report.summary()
    print("\nofficial DCAT-AP 3.0.0 shapes:", dict(counts))
    assert {f.path for f in report.warnings} <= {
        "availability", "description", "bbox", "endpointDescription"}


def test_parse_dataset_gives_our_fields_back(catalogue):
    """In-process round trip: our graph → RDFParser with our profiles → our schema's fields."""
    source = by_title(catalogue, "Cơ sở khám chữa bệnh")
    data = RDFSerializer().serialize_dataset(source, _format="turtle")
    parser = RDFParser()
    parser.parse(data, _format="turtle")
    parsed = next(iter(parser.datasets()))
    for key in ("title", "notes", "frequency", "license_id", "temporal_start", "temporal_end"):
        assert parsed[key] == source[key], key
    assert parsed["language"] == "vi"
    assert parsed["contains_personal_data"] == "no"
    assert parsed["theme"] == source["theme"]
    assert parsed["spatial_units"] == source["spatial_units"]
    assert sorted(parsed["contact_points"], key=lambda c: c["name"]) == sorted(
        ({"name": c["name"], "email": c.get("email", ""), "phone": c.get("phone", "")}
         for c in source["contact_points"]), key=lambda c: c["name"])
    assert {t["name"] for t in parsed["tags"]} == {t["name"] for t in source["tags"]}
    assert [(r["url"], r["format"], r["access_type"]) for r in parsed["resources"]] == [
        (r["url"], r["format"], r.get("access_type") or "download") for r in source["resources"]]
