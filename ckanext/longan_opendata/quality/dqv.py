"""The score in the DCAT output, as W3C Data Quality Vocabulary (DQV) measurements, as
data.europa.eu publishes its MQA results: each dataset node gets ``dqv:hasQualityMeasurement``
for the total score and each dimension, each measurement naming its metric
(``{site}/chat-luong#score`` or ``#<dimension>``, in ``#dimension-<dimension>``: anchors of
the methodology page) and its value in points."""
from __future__ import annotations

from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ckanext.longan_opendata.quality import links, score
from ckanext.longan_opendata.quality.indicators import DIMENSIONS, INDICATORS

__all__ = ["DQV", "add_measurements"]

DQV = Namespace("http://www.w3.org/ns/dqv#")


def _metric(g: Graph, site: str, metric_id: str, dimension: str | None) -> URIRef:
    ref = URIRef(f"{site}/chat-luong#{metric_id}")
    g.add((ref, RDF.type, DQV.Metric))
    if dimension:
        g.add((ref, DQV.inDimension, URIRef(f"{site}/chat-luong#dimension-{dimension}")))
    return ref


def add_measurements(g: Graph, dataset_ref: Node, dataset_dict: dict[str, Any],
                     site: str) -> None:
    """Add the dataset's quality measurements (total and per dimension) to ``g``."""
    checked = links.results_for([r.get("id") for r in dataset_dict.get("resources") or []])
    result = score.evaluate(dataset_dict, checked)
    g.bind("dqv", DQV)
    for old in list(g.objects(dataset_ref, DQV.hasQualityMeasurement)):
        g.remove((old, None, None))
        g.remove((dataset_ref, DQV.hasQualityMeasurement, old))
    values = {"score": (result.score, None)}
    for dim in DIMENSIONS:
        values[dim] = (sum(result.earned[i.id] or 0 for i in INDICATORS if i.dimension == dim),
                       dim)
    for metric_id, (points, dimension) in values.items():
        measurement = BNode()
        g.add((dataset_ref, DQV.hasQualityMeasurement, measurement))
        g.add((measurement, RDF.type, DQV.QualityMeasurement))
        g.add((measurement, DQV.isMeasurementOf, _metric(g, site, metric_id, dimension)))
        g.add((measurement, DQV.value, Literal(points, datatype=XSD.integer)))
