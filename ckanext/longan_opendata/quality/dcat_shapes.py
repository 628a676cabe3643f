"""DCAT-AP 3.0.0 conformance of one dataset, cheap enough to score 10,000 datasets.

Running pyshacl on each dataset's graph costs ~0.3 s to build the graph with ckanext-dcat plus
the validation itself: far too slow for a rescore of the whole catalogue. What varies from one
dataset to the next in the portal's DCAT output is *which properties are present*: the profile's
shape of each value (IRIs, language tags, datatypes) is fixed, and ``tests/dcat/test_rdf.py``
already proves that the profile's output has no violation of the official shapes when the data is
there. So this module

1. reads the cardinality constraints (``sh:minCount``) on ``dcat:Dataset`` and
   ``dcat:Distribution`` from the official shape files (``shapes.ttl``: mandatory,
   ``shapes_recommended.ttl``: recommended), once per process;
2. projects a dataset dictionary onto the DCAT properties that the portal's profile
   (``dcat/profiles/dcat_ap_3.py``) emits for it (:func:`dataset_properties`);
3. reports the missing mandatory and recommended properties per node.

``tests/quality/test_dcat_shapes.py`` proves that the result equals pyshacl's on the real graph
of the same datasets. Without the shape files (a deployment without ``shared/``) the built-in
copy of the same constraints (:data:`FALLBACK`) is used.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.metadata import codelists

log = logging.getLogger(__name__)

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
DCATAP = "http://data.europa.eu/r5r/"
SHAPES_OPTION = "ckanext.longan_opendata.quality.dcat_shapes_dir"
DATASET, DISTRIBUTION = "Dataset", "Distribution"

#: properties the portal's profile never emits (no field for them): left out of the points
PORTAL_GAPS = frozenset({DCATAP + "availability"})

#: (class, property IRI, level) as found in the 3.0.0 files; used when the files are not there
FALLBACK: frozenset[tuple[str, str, str]] = frozenset({
    (DATASET, DCT + "title", "mandatory"), (DATASET, DCT + "description", "mandatory"),
    (DISTRIBUTION, DCAT + "accessURL", "mandatory"),
    *((DATASET, p, "recommended") for p in (
        DCAT + "contactPoint", DCAT + "distribution", DCAT + "keyword", DCT + "publisher",
        DCT + "spatial", DCT + "temporal", DCAT + "theme")),
    *((DISTRIBUTION, p, "recommended") for p in (
        DCT + "description", DCATAP + "availability", DCT + "format", DCT + "license")),
})


@dataclass
class Conformance:
    """Missing properties: (node, property IRI) pairs; node is "dataset" or a resource id."""
    mandatory_missing: list[tuple[str, str]] = field(default_factory=list)
    recommended_missing: list[tuple[str, str]] = field(default_factory=list)
    recommended_total: int = 0

    @property
    def conforms(self) -> bool:
        return not self.mandatory_missing

    @property
    def recommended_share(self) -> float:
        if not self.recommended_total:
            return 1.0
        return 1 - len(self.recommended_missing) / self.recommended_total


def _default_dir() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "shared" / "dcat-ap-3.0.0",
                      here.parents[4] / "shared" / "dcat-ap-3.0.0"):
        if (candidate / "shapes.ttl").is_file():
            return candidate
    return None


@functools.cache
def constraints(directory: str | None = None) -> frozenset[tuple[str, str, str]]:
    """(class, property, level) of every ``sh:minCount`` ≥ 1 on datasets and distributions."""
    folder = Path(directory) if directory else _default_dir()
    if folder is None or not (folder / "shapes.ttl").is_file():
        log.info("DCAT-AP shapes not found: using the built-in copy of their cardinalities")
        return FALLBACK
    from rdflib import Graph
    from rdflib.namespace import SH

    found: set[tuple[str, str, str]] = set()
    for name, level in (("shapes.ttl", "mandatory"), ("shapes_recommended.ttl", "recommended")):
        graph = Graph().parse(str(folder / name), format="turtle")
        for shape, target in graph.subject_objects(SH.targetClass):
            cls = str(target).rsplit("#", 1)[-1]
            if cls not in (DATASET, DISTRIBUTION):
                continue
            for prop in graph.objects(shape, SH.property):
                minimum = graph.value(prop, SH.minCount)
                if minimum is not None and int(minimum) >= 1:
                    found.add((cls, str(graph.value(prop, SH.path)), level))
    return frozenset(found)


def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    return value not in (None, "", "[]", "{}")


def dataset_properties(pkg: dict[str, Any]) -> set[str]:
    """The properties the portal's profile gives the ``dcat:Dataset`` node of ``pkg``."""
    present = {DCT + "title", DCT + "identifier", DCT + "issued", DCT + "modified"}
    rules = {
        DCT + "description": pkg.get("notes"),
        DCAT + "keyword": pkg.get("tags") or pkg.get("tag_string"),
        DCAT + "theme": pkg.get("theme"),
        DCT + "spatial": pkg.get("spatial_units"),
        DCT + "temporal": [pkg.get("temporal_start"), pkg.get("temporal_end")],
        DCAT + "contactPoint": pkg.get("contact_points"),
        DCT + "publisher": pkg.get("owner_org"),
        DCAT + "distribution": pkg.get("resources"),
    }
    return present | {prop for prop, value in rules.items() if _filled(value)}


@functools.cache
def _format_iris() -> dict[str, str]:
    return {code.lower(): iri for code in codelists.values("formats")
            if (iri := codelists.uri("formats", code))}


def distribution_properties(resource: dict[str, Any], licence_url: str | None) -> set[str]:
    """The properties of the ``dcat:Distribution`` node of ``resource``."""
    present: set[str] = set()
    if resource.get("url"):
        present.add(DCAT + "accessURL")
    if _filled(resource.get("description")):
        present.add(DCT + "description")
    if (resource.get("format") or "").strip().lower() in _format_iris():
        present.add(DCT + "format")
    if licence_url:
        present.add(DCT + "license")
    return present


def check(pkg: dict[str, Any], licence_url: str | None) -> Conformance:
    """The missing mandatory and recommended properties of ``pkg`` and its resources."""
    rules = constraints(tk.config.get(SHAPES_OPTION) or None)
    result = Conformance()
    nodes = [("dataset", DATASET, dataset_properties(pkg))] + [
        (res.get("id") or str(i), DISTRIBUTION, distribution_properties(res, licence_url))
        for i, res in enumerate(pkg.get("resources") or [])]
    for node, cls, present in nodes:
        for rule_cls, prop, level in sorted(rules):
            if rule_cls != cls or prop in PORTAL_GAPS and level == "recommended":
                continue
            if level == "recommended":
                result.recommended_total += 1
            if prop not in present:
                missing = (result.mandatory_missing if level == "mandatory"
                           else result.recommended_missing)
                missing.append((node, prop))
    return result
