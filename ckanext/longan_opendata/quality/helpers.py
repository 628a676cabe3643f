"""Template helpers of the quality score (``h.longan_quality_*``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from markupsafe import Markup

from ckanext.longan_opendata.quality import links, score, search, snapshot

__all__ = ["get_helpers"]

BADGE_CLASSES = {"excellent": "bg-success", "good": "bg-primary",
                 "sufficient": "bg-warning text-dark", "bad": "bg-danger"}


def longan_quality(pkg: dict[str, Any]) -> dict[str, Any]:
    """The explained score of a dataset the page already shows (same as
    ``longan_quality_show``, without reading the dataset again)."""
    checked = links.results_for([r.get("id") for r in pkg.get("resources") or []])
    return score.explain(score.evaluate(pkg, checked))


def longan_quality_summary(pkg: dict[str, Any]) -> dict[str, Any]:
    """``{score, max, percent, rating}``: indexed with a search result, else computed."""
    found = pkg.get("longan_quality")
    if isinstance(found, dict) and "rating" in found:
        return found
    return search.summary(score.evaluate(pkg, {}))


_BADGE = Markup(
    '<a class="badge {css} longan-quality-badge" data-rating="{rating}" data-percent="{percent}"'
    ' href="{url}" title="{score_word}: {score}/{max}">{word}: {label} · {percent}%</a>')


def longan_quality_badge(pkg: dict[str, Any]) -> Markup:
    """The quality badge of a dataset (``longan/quality/badge.html``), for lists: the link and
    its words are made once per request, not once per dataset."""
    words = getattr(tk.g, "_longan_quality_badge_words", None)
    if words is None:
        words = {"url": tk.h.url_for("longan_quality.methodology"),
                 "score_word": tk._("Quality score"), "word": tk._("Quality"),
                 "labels": {rating: longan_quality_rating_label(rating)
                            for rating in BADGE_CLASSES}}
        tk.g._longan_quality_badge_words = words
    q = longan_quality_summary(pkg)
    rating = q.get("rating") or ""
    label = words["labels"].get(rating) or longan_quality_rating_label(rating)
    return _BADGE.format(css=longan_quality_badge_class(rating), rating=rating,
                         percent=q.get("percent"), url=words["url"],
                         score_word=words["score_word"], score=q.get("score"), max=q.get("max"),
                         word=words["word"], label=label)


def longan_quality_badge_class(rating: str) -> str:
    return BADGE_CLASSES.get(rating, "bg-secondary")


def longan_quality_rating_label(rating: str) -> str:
    return tk._(score.RATING_LABELS.get(rating, rating))


def longan_quality_dimension_label(dimension: str) -> str:
    from ckanext.longan_opendata.quality.indicators import DIMENSIONS
    return tk._(DIMENSIONS.get(dimension, dimension))


def longan_quality_sorting() -> list[tuple[str, str]]:
    return search.sort_options()


def longan_quality_may_fix(pkg: dict[str, Any]) -> bool:
    """Whether the current user is a steward of the dataset's agency (and so sees what to fix,
    even where the workflow lets only a reviewer edit a published dataset)."""
    from ckanext.longan_opendata import workflow
    user = tk.current_user.name if tk.current_user.is_authenticated else None
    return bool(user) and workflow.is_steward(user, pkg.get("owner_org"))


def longan_quality_agency(org_id: str) -> dict[str, Any] | None:
    """The agency's line of the ranking (latest snapshot, public datasets), with the number of
    agencies ranked; ``None`` before the first snapshot."""
    ranking = snapshot.agency_averages(public_only=True)
    found = next((a for a in ranking if a["owner_org"] == org_id), None)
    if found:
        found = {**found, "of": len(ranking)}
    return found


def longan_quality_may_report(org_id: str) -> bool:
    return bool(tk.h.check_access("longan_quality_report", {"id": org_id}))


def get_helpers() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "longan_quality", "longan_quality_summary", "longan_quality_badge",
        "longan_quality_badge_class",
        "longan_quality_rating_label", "longan_quality_dimension_label",
        "longan_quality_sorting", "longan_quality_may_fix",
        "longan_quality_agency", "longan_quality_may_report")}
