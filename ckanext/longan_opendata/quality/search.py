"""The score in the search index: a sort "chất lượng" and a facet by rating.

``before_dataset_index`` scores the dataset (the fast path, no translation) and adds
``quality_percent`` (zero-padded string, so that CKAN's stock Solr schema sorts it through its
catch-all string field: ``sort=quality_percent desc``), ``vocab_quality_rating`` (a facet) and a
``longan_quality`` summary inside the indexed dictionary, so that ``package_search`` results
carry their score without a second query.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.quality import links, score

__all__ = ["FACET_RATING", "SORT_FIELD", "before_dataset_index", "facets", "label_facet_items",
           "sort_options", "summary"]

log = logging.getLogger(__name__)

SORT_FIELD = "quality_percent"
FACET_RATING = "vocab_quality_rating"


def summary(result: score.Score) -> dict[str, Any]:
    return {"score": result.score, "max": result.max, "percent": result.percent,
            "rating": result.rating}


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Add the quality fields to the Solr document of a dataset."""
    raw = pkg_dict.get("validated_data_dict")
    if not raw or pkg_dict.get("type", "dataset") != "dataset":
        return pkg_dict
    try:
        data = json.loads(raw)
        resource_ids = [r.get("id") for r in data.get("resources") or []]
        result = score.evaluate(data, links.results_for(resource_ids, data.get("id")))
    except Exception:  # a scoring fault must never keep a dataset out of the index
        log.exception("quality: could not score %s", pkg_dict.get("id"))
        return pkg_dict
    data["longan_quality"] = summary(result)
    pkg_dict["validated_data_dict"] = json.dumps(data)
    pkg_dict[SORT_FIELD] = f"{result.percent:03d}"
    pkg_dict[FACET_RATING] = [result.rating]
    return pkg_dict


def facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The rating facet "chất lượng", after the portal's own."""
    return {**facets_dict, FACET_RATING: tk._("Quality")}


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """Rating codes shown as their labels."""
    from ckanext.longan_opendata.quality.score import RATING_LABELS
    items = search_results.get("search_facets", {}).get(FACET_RATING, {}).get("items", [])
    for item in items:
        item["display_name"] = tk._(RATING_LABELS.get(item["name"], item["name"]))
    return search_results


def sort_options() -> list[tuple[str, str]]:
    """The search page's extra sort orders (label, Solr sort)."""
    return [(tk._("Quality (best first)"), f"{SORT_FIELD} desc"),
            (tk._("Quality (worst first)"), f"{SORT_FIELD} asc")]
