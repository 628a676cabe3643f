"""SHACL validation of the portal's DCAT-AP 3 catalogue (pyshacl).

Used by the tests (with ``tests/dcat/dcat-ap-3-longan.shapes.ttl``) and by
``ckan longan validate-dcat`` (with the official DCAT-AP 3.0.0 shapes when given).
"""
from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from rdflib import Graph
from rdflib.namespace import SH

#: The official DCAT-AP 3.0.0 files that a conformant catalogue passes (shapes + class ranges),
#: and the recommended properties (warnings).
OFFICIAL_SHAPES = ("shapes.ttl", "range.ttl", "shapes_recommended.ttl")


@dataclass
class Finding:
    shape_file: str
    severity: str          # "Violation" | "Warning" | "Info"
    focus: str
    path: str
    message: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    @property
    def violations(self) -> list[Finding]:
        return self.of("Violation")

    @property
    def warnings(self) -> list[Finding]:
        return self.of("Warning")

    def summary(self) -> collections.Counter:
        """(severity, shape file, property) → count."""
        return collections.Counter((f.severity, f.shape_file, f.path) for f in self.findings)


def validate(data: Graph, shape_files: Iterable[str | Path]) -> Report:
    """Validate ``data`` against each shape file in turn (never merged: the official files
    reuse node names)."""
    import pyshacl  # a dev/ops dependency, only needed here

    report = Report()
    for shape_file in shape_files:
        shapes = Graph().parse(str(shape_file), format="turtle")
        _conforms, results, _text = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", allow_warnings=True)
        for result in results.subjects(SH.resultSeverity, None):
            report.findings.append(Finding(
                shape_file=Path(shape_file).name,
                severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                focus=str(results.value(result, SH.focusNode)),
                path=_short(results.value(result, SH.resultPath)),
                message=str(results.value(result, SH.resultMessage) or ""),
            ))
    return report


def _short(path: object) -> str:
    if path is None:
        return "-"
    text = str(path)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[-1]
    return text


def fetch_catalogue(base_url: str, timeout: float = 30, max_pages: int = 1000) -> Graph:
    """Every page of ``{base_url}/catalog.ttl`` of a running portal, as one graph."""
    graph = Graph()
    url = base_url.rstrip("/") + "/catalog.ttl"
    for page in range(1, max_pages + 1):
        response = requests.get(url, params={"page": page}, timeout=timeout)
        if response.status_code == 404 and page > 1:
            break
        response.raise_for_status()
        before = len(graph)
        page_graph = Graph().parse(data=response.text, format="turtle")
        graph += page_graph
        if len(graph) == before or not _has_next_page(page_graph):
            break
    return graph


def _has_next_page(graph: Graph) -> bool:
    hydra = "http://www.w3.org/ns/hydra/core#"
    return any(str(p) in (hydra + "next", hydra + "nextPage") for p in graph.predicates())


def shape_files(directory: str | Path | None, own: str | Path | None = None) -> list[Path]:
    """The official shape files found in ``directory`` (and our own file, if given)."""
    files: list[Path] = []
    if directory:
        folder = Path(directory)
        missing = [name for name in OFFICIAL_SHAPES if not (folder / name).is_file()]
        if missing:
            raise FileNotFoundError(f"{folder}: missing {', '.join(missing)}")
        files.extend(folder / name for name in OFFICIAL_SHAPES)
    if own:
        files.append(Path(own))
    return files
