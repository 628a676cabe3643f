"""Dataset pages embed schema.org Dataset JSON-LD (ckanext-dcat structured_data, our profile)."""
from __future__ import annotations

import json
import re

from ckanext.dcat.profiles.base import RDF, SCHEMA
from rdflib import Graph, Literal, URIRef


def test_dataset_page_embeds_schema_org_dataset(catalogue, app):
    dataset = next(d for d in catalogue["datasets"] if d["title"] == "Cơ sở khám chữa bệnh")
    html = app.get(f"/dataset/{dataset['name']}").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    json.loads(blocks[0])  # valid JSON
    graph = Graph().parse(data=blocks[0], format="json-ld")
    ref = next(graph.subjects(RDF.type, SCHEMA.Dataset))
    assert graph.value(ref, SCHEMA.name) == Literal("Cơ sở khám chữa bệnh")
    assert graph.value(ref, SCHEMA.description) == Literal("Danh sách bệnh viện, trạm y tế xã.")
    assert graph.value(ref, SCHEMA.inLanguage) == Literal("vi")
    assert graph.value(ref, SCHEMA.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(graph.value(ref, SCHEMA.temporalCoverage)) == "2020-01-01/2025-06-30"
    assert {str(k) for k in graph.objects(ref, SCHEMA.keywords)} == {"y tế"}

    place = graph.value(ref, SCHEMA.spatialCoverage)
    assert str(place).endswith("/dia-ban/old-794")
    assert graph.value(place, SCHEMA.name) == Literal("Thành phố Tân An")
    assert graph.value(place, SCHEMA.identifier) == Literal("794")
    theme = graph.value(ref, SCHEMA.about)
    assert theme == URIRef("http://publications.europa.eu/resource/authority/data-theme/HEAL")
    assert graph.value(theme, SCHEMA.name) == Literal("Y tế")

    publisher = graph.value(ref, SCHEMA.publisher)
    assert graph.value(publisher, SCHEMA.name) == Literal("Sở Y tế tỉnh Long An")
    contacts = {(str(graph.value(c, SCHEMA.name)), str(graph.value(c, SCHEMA.email) or ""),
                 str(graph.value(c, SCHEMA.telephone) or ""))
                for c in graph.objects(publisher, SCHEMA.contactPoint)}
    assert contacts == {("Văn phòng Sở Y tế", "syt@longan.gov.vn", ""),
                        ("Phòng Nghiệp vụ", "", "0272 3821 456")}
    download = graph.value(ref, SCHEMA.distribution)
    assert graph.value(download, SCHEMA.encodingFormat) == Literal("application/geo+json")
    assert graph.value(download, SCHEMA.url) == Literal("http://example.com/co-so.geojson")
