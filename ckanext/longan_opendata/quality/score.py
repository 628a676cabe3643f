"""The score of one dataset: the indicators of :mod:`.indicators` summed, a rating as MQA's
bands, and the explanation (per dimension, per indicator, "fix first" list) in the user's
language.

:func:`evaluate` is the fast path (no translation, no database), used for the Solr index and
the full rescore; :func:`explain` adds the texts for the action and the pages.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.quality import dcat_shapes
from ckanext.longan_opendata.quality.indicators import (
    DIMENSIONS,
    INDICATORS,
    RATING_LABELS,
    Facts,
)

__all__ = ["RATINGS", "Score", "evaluate", "explain", "rating"]

#: MQA's bands (of 405 points) as shares of the computable maximum: Excellent 351–405,
#: Good 221–350, Sufficient 121–220, Bad 0–120
RATINGS: tuple[tuple[str, float], ...] = (
    ("excellent", 351 / 405), ("good", 221 / 405), ("sufficient", 121 / 405), ("bad", 0.0))


@dataclass
class Score:
    score: int
    max: int
    rating: str
    earned: dict[str, int | None]     # indicator id → points earned, None if skipped
    facts: Facts

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max) if self.max else 0


def rating(score: int, maximum: int) -> str:
    share = score / maximum if maximum else 0.0
    return next(name for name, floor in RATINGS if share >= floor - 1e-9)


def evaluate(pkg: dict[str, Any], links: dict[str, dict[str, Any]] | None = None,
             today: dt.date | None = None) -> Score:
    """Score ``pkg`` (a ``package_show`` dictionary) with its link-check results."""
    facts = Facts(pkg=pkg, links=links or {}, today=today or dt.date.today())
    earned: dict[str, int | None] = {}
    for indicator in INDICATORS:
        share = indicator.check(facts)
        earned[indicator.id] = None if share is None else round(indicator.points * share)
    total = sum(p for p in earned.values() if p is not None)
    maximum = sum(i.points for i in INDICATORS if earned[i.id] is not None)
    return Score(score=total, max=maximum, rating=rating(total, maximum), earned=earned,
                 facts=facts)


def _missing_dcat(result: Score) -> list[str]:
    conf = result.facts.dcat
    names = []
    for node, prop in conf.mandatory_missing + conf.recommended_missing:
        short = prop.replace(dcat_shapes.DCAT, "dcat:").replace(dcat_shapes.DCT, "dct:")
        names.append(short if node == "dataset" else f"{short} ({tk._('resource')} {node[:8]})")
    return names


def explain(result: Score) -> dict[str, Any]:
    """The answer of ``longan_quality_show``: texts in the current language."""
    indicators, dimensions = [], {}
    for indicator in INDICATORS:
        points = result.earned[indicator.id]
        dim = dimensions.setdefault(indicator.dimension, {
            "id": indicator.dimension, "label": tk._(DIMENSIONS[indicator.dimension]),
            "score": 0, "max": 0})
        if points is not None:
            dim["score"] += points
            dim["max"] += indicator.points
        indicators.append({
            "id": indicator.id, "dimension": indicator.dimension,
            "label": tk._(indicator.label), "points": points, "max": indicator.points,
            "skipped": points is None,
            "status": "skipped" if points is None else (
                "ok" if points == indicator.points else "partial" if points else "missing"),
            "note": tk._("Not computable yet: no resource has been checked")
            if points is None and indicator.dimension != "freshness"
            else tk._("Irregular updates: no date is expected") if points is None else "",
            "fix": tk._(indicator.fix),
        })
    fix_first = sorted(
        ({"id": i["id"], "label": i["label"], "fix": i["fix"], "gain": i["max"] - i["points"]}
         for i in indicators if not i["skipped"] and i["points"] < i["max"]),
        key=lambda item: (-item["gain"], item["id"]))
    return {
        "score": result.score, "max": result.max, "percent": result.percent,
        "rating": result.rating, "rating_label": tk._(RATING_LABELS[result.rating]),
        "dimensions": list(dimensions.values()), "indicators": indicators,
        "fix_first": fix_first, "dcat_missing": _missing_dcat(result),
        "skipped": [i["id"] for i in indicators if i["skipped"]],
    }
