"""The quality API: a dataset's score and its explanation, the methodology (the indicator
table), the dashboard figures and an agency's report."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.longan_opendata.quality import links, report, score, search, snapshot
from ckanext.longan_opendata.quality.indicators import DIMENSIONS, INDICATORS
from ckanext.longan_opendata.security import params as checks

__all__ = ["get_actions"]


def _required_id(data_dict: DataDict, field: str = "id") -> str:
    return checks.text(data_dict, field).strip()


def _agency(value: str) -> model.Group:
    org = model.Group.get(value)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(tk._("Agency not found"))
    return org


@tk.side_effect_free
def longan_quality_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The quality score of a dataset, explained: points per dimension and indicator, the
    indicators skipped (not computable yet) and what to fix first.

    Anyone who may read the dataset (``package_show``) may read its score.

    :param id: the dataset's id or name
    :type id: string
    :returns: ``score``, ``max`` (the points of the indicators that could be computed),
        ``percent``, ``rating`` (``excellent`` | ``good`` | ``sufficient`` | ``bad``, MQA's
        bands) and ``rating_label``; ``dimensions`` (list of ``{id, label, score, max}``);
        ``indicators`` (list of ``{id, dimension, label, points, max, skipped, status, note,
        fix}``, ``points`` null when skipped); ``fix_first`` (list of ``{id, label, fix,
        gain}``, most points gained first); ``dcat_missing`` (DCAT-AP 3 properties missing);
        ``skipped`` (indicator ids)
    :rtype: dictionary
    """
    dataset_id = _required_id(data_dict)
    tk.check_access("longan_quality_show", context, {"id": dataset_id})
    pkg = tk.get_action("package_show")(
        {"user": context.get("user", ""), "ignore_auth": True}, {"id": dataset_id})
    checked = links.results_for([r.get("id") for r in pkg.get("resources") or []])
    result = score.explain(score.evaluate(pkg, checked))
    result["id"], result["name"] = pkg["id"], pkg["name"]
    return result


@tk.side_effect_free
def longan_quality_methodology(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The scoring method: the indicator table the score is computed from.

    :returns: ``dimensions`` (list of ``{id, label, max}``), ``indicators`` (list of ``{id,
        dimension, label, points, fix}``), ``max``, ``ratings`` (list of ``{id, label,
        from_percent}``)
    :rtype: dictionary
    """
    tk.check_access("longan_quality_methodology", context, data_dict)
    return {
        "dimensions": [{"id": dim, "label": tk._(label),
                        "max": sum(i.points for i in INDICATORS if i.dimension == dim)}
                       for dim, label in DIMENSIONS.items()],
        "indicators": [{"id": i.id, "dimension": i.dimension, "label": tk._(i.label),
                        "points": i.points, "fix": tk._(i.fix)} for i in INDICATORS],
        "max": sum(i.points for i in INDICATORS),
        "ratings": [{"id": name, "label": tk._(score.RATING_LABELS[name]),
                     "from_percent": round(100 * floor)} for name, floor in score.RATINGS],
    }


def _org_titles() -> dict[str, dict[str, str]]:
    rows = model.Session.query(model.Group.id, model.Group.name, model.Group.title).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active")
    return {gid: {"name": name, "title": title or name} for gid, name, title in rows}


@tk.side_effect_free
def longan_quality_dashboard(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Quality of the public catalogue: agencies ranked (latest snapshot), ratings, the worst
    datasets (search index) and the trend (snapshots).

    :param owner_org: only this agency's trend and worst datasets (optional)
    :type owner_org: string
    :param rows: how many worst datasets (default 10, at most 100)
    :type rows: int
    :returns: ``agencies`` (list of ``{owner_org, name, title, rank, datasets, percent,
        ratings, dimensions}``, best first), ``worst`` (list of ``{name, title, percent,
        rating}``), ``ratings`` (rating → public datasets), ``trend`` (list of ``{day,
        percent, datasets}``), ``snapshot_day``
    :rtype: dictionary
    """
    tk.check_access("longan_quality_dashboard", context, data_dict)
    rows = checks.integer(data_dict, "rows", default=10, minimum=1, maximum=100)
    org_ref = checks.optional_text(data_dict, "owner_org")
    org = _agency(org_ref).id if org_ref else None
    titles = _org_titles()
    agencies = snapshot.agency_averages(public_only=True)
    for agency in agencies:
        agency.update(titles.get(agency["owner_org"] or "", {"name": "", "title": ""}))
    anonymous: Context = {"user": "", "ignore_auth": False}  # type: ignore[typeddict-item]
    fq = f'+owner_org:"{org}"' if org else ""
    worst = tk.get_action("package_search")(anonymous, {
        "q": "*:*", "fq": fq, "rows": rows, "sort": f"{search.SORT_FIELD} asc, name asc",
        "facet.field": [search.FACET_RATING], "facet": "true"})
    return {
        "agencies": agencies,
        "worst": [{"name": d["name"], "title": d.get("title"),
                   **(d.get("longan_quality") or {})} for d in worst["results"]],
        "ratings": worst.get("facets", {}).get(search.FACET_RATING, {}),
        "trend": snapshot.trend(org),
        "snapshot_day": (day.isoformat() if (day := snapshot.latest_day()) else None),
    }


@tk.side_effect_free
def longan_quality_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An agency's quality report (its members and sysadmins): broken links, outdated datasets
    and the lowest scores, each with the link to fix it (drafts included).

    :param id: the agency's id or name
    :type id: string
    :returns: ``agency``, ``datasets``, ``average_percent``, ``broken_links``, ``outdated``,
        ``lowest``, ``report_url``, ``generated``
    :rtype: dictionary
    """
    org = _agency(_required_id(data_dict))
    tk.check_access("longan_quality_report", context, {"id": org.id})
    return report.build(org)


def get_actions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "longan_quality_show", "longan_quality_methodology", "longan_quality_dashboard",
        "longan_quality_report")}
