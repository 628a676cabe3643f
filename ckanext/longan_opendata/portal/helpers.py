"""Template helpers of the public portal (home, dataset page, statistics, API guide)."""
from __future__ import annotations

import datetime as dt
import json
import shlex
from typing import Any
from urllib.parse import urlencode

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.longan_opendata.metadata import codelists, licenses
from ckanext.longan_opendata.metadata.helpers import current_language
from ckanext.longan_opendata.portal import boxes, usage

__all__ = ["get_helpers", "chart_data", "api_guide_examples"]

_FORMAT_CLASSES = {
    "CSV": "csv", "XLSX": "xls", "XLS": "xls", "JSON": "json", "GEOJSON": "json",
    "XML": "xml", "PDF": "pdf", "API": "api", "ZIP": "zip", "SHP": "geo", "KML": "geo",
}


def longan_stats() -> dict[str, Any]:
    """The cached figures of ``longan_stats`` (public datasets only)."""
    return tk.get_action("longan_stats")({"user": ""}, {})


def longan_home_limit() -> int:
    return int(tk.config.get("ckanext.longan_opendata.portal.home_datasets"))


def longan_newest_datasets(limit: int | None = None) -> list[dict[str, Any]]:
    limit = limit or longan_home_limit()
    result = tk.get_action("package_search")(
        {"user": ""}, {"rows": limit, "sort": "metadata_created desc",
                       "fl": "id,name,title,notes,organization,metadata_created,res_format"})
    return result["results"]


def longan_org_titles() -> dict[str, str]:
    """Agency name → title (active agencies)."""
    rows = model.Session.query(model.Group.name, model.Group.title).filter(
        model.Group.state == "active", model.Group.is_organization.is_(True))
    return {name: title or name for name, title in rows}


def longan_usage(package_id: str) -> dict[str, Any]:
    """Views and downloads of a dataset, with downloads per resource."""
    return usage.package_usage(package_id)


def longan_dataset_boxes(pkg: dict[str, Any]) -> dict[str, Any]:
    """The boxes of a dataset's page filled by other packages, cached for a public dataset
    (see :mod:`ckanext.longan_opendata.portal.boxes`)."""
    return boxes.dataset_boxes(pkg)


def longan_organization_box(org_id: str) -> dict[str, Any]:
    """The agency of a dataset's page as its sidebar box shows it (``organization_show``
    without the members, followers, dataset count and groups the box does not show)."""
    try:
        return tk.get_action("organization_show")({}, {
            "id": org_id, "include_datasets": False, "include_dataset_count": False,
            "include_users": False, "include_groups": False, "include_followers": False,
            "include_member_count": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {}


def longan_licence_plain(license_id: str | None) -> str:
    """What the licence lets you do, in plain words, in the visitor's language."""
    found = licenses.portal_licenses().get(license_id or "")
    return tk.h.longan_license_summary(found) if found else ""


def longan_format_class(fmt: str | None) -> str:
    return "fmt-" + _FORMAT_CLASSES.get((fmt or "").strip().upper(), "other")


def longan_download_url(resource: dict[str, Any]) -> str:
    return tk.h.url_for("longan_portal.download", resource_id=resource["id"])


def longan_datastore_resource(pkg: dict[str, Any]) -> dict[str, Any] | None:
    return next((r for r in pkg.get("resources", []) if r.get("datastore_active")), None)


def longan_resource_views(resource_id: str) -> list[dict[str, Any]]:
    """Views of a resource that the visitor may see (table preview first)."""
    try:
        views = tk.get_action("resource_view_list")({}, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return []
    return sorted(views, key=lambda v: v.get("view_type") != "datatables_view")


def longan_api_examples(resource_id: str, query: str = "") -> dict[str, str]:
    """Ready-to-run ``curl`` and Python examples of ``datastore_search`` on one resource."""
    api = tk.h.url_for("api.action", ver=3, logic_function="datastore_search", qualified=True)
    params = {"resource_id": resource_id, "limit": 5}
    if query:
        params["q"] = query
    curl = "curl -sS -G " + shlex.quote(api) + "".join(
        f" --data-urlencode {shlex.quote(f'{k}={v}')}" for k, v in params.items())
    python = (
        "import json\n"
        "import urllib.parse\n"
        "import urllib.request\n\n"
        f"params = urllib.parse.urlencode({params!r})\n"
        f"with urllib.request.urlopen({api!r} + \"?\" + params) as answer:\n"
        "    result = json.load(answer)[\"result\"]\n"
        "print(result[\"total\"])\n"
        "for record in result[\"records\"]:\n"
        "    print(record)\n"
    )
    return {"curl": curl, "python": python, "url": api}


def longan_citation(pkg: dict[str, Any]) -> str:
    """A citation of the dataset: agency (year). Title. Portal. URL (accessed on …)."""
    org = (pkg.get("organization") or {}).get("title") or ""
    year = (pkg.get("metadata_created") or "")[:4]
    url = tk.h.url_for("dataset.read", id=pkg["name"], qualified=True)
    today = dt.date.today()
    if current_language() == "en":
        accessed = f"accessed {today.isoformat()}"
        portal = "Long An open data portal"
    else:
        accessed = f"truy cập ngày {today.day:02d}/{today.month:02d}/{today.year}"
        portal = "Cổng dữ liệu mở tỉnh Long An"
    return f"{org} ({year}). {pkg.get('title', '')}. {portal}. {url} ({accessed})."


def chart_data(stats: dict[str, Any]) -> dict[str, Any]:
    """Series of the ``/thong-ke`` charts, with labels instead of codes."""
    titles = longan_org_titles()

    def pairs(counts: dict[str, int], name) -> dict[str, list]:
        return {"labels": [name(code) for code in counts], "values": list(counts.values())}

    months = stats.get("published_per_month", [])
    return {
        "agency": pairs(stats.get("by_agency", {}), lambda c: titles.get(c, c)),
        "theme": pairs(stats.get("by_theme", {}),
                       lambda c: codelists.label("themes", c, current_language())),
        "format": pairs(stats.get("by_format", {}), str),
        "month": {"labels": [m["month"] for m in months],
                  "values": [m["count"] for m in months]},
    }


_SQL_EXAMPLE = 'SELECT * FROM "{table}" LIMIT 5'


def api_guide_examples() -> dict[str, Any]:
    """Examples of the API guide, built on a real public dataset when there is one."""
    api = tk.h.url_for("api.action", ver=3, logic_function="package_search", qualified=True)
    base = api.rsplit("/", 1)[0]
    found = tk.get_action("package_search")(
        {"user": ""}, {"rows": 50, "sort": "metadata_created desc"})["results"]
    dataset = next((p for p in found if longan_datastore_resource(p)), found[0] if found else None)
    name = dataset["name"] if dataset else "ten-bo-du-lieu"
    resource = longan_datastore_resource(dataset) if dataset else None
    resource_id = resource["id"] if resource else "MA-TAI-NGUYEN"
    site = tk.h.url_for("home.index", qualified=True).rstrip("/")
    examples = {
        "search": "curl -sS " + shlex.quote(f"{base}/package_search?q=dan%20so&rows=5"),
        "show": "curl -sS " + shlex.quote(f"{base}/package_show?id={name}"),
        "stats": "curl -sS " + shlex.quote(f"{base}/longan_stats"),
        "dcat": "curl -sS " + shlex.quote(f"{site}/dataset/{name}.ttl"),
        "catalog": "curl -sS " + shlex.quote(f"{site}/catalog.ttl"),
        "datastore": longan_api_examples(resource_id),
    }
    if tk.asbool(tk.config.get("ckan.datastore.sqlsearch.enabled")):
        # an example shown to the reader, run by the DataStore's read-only SQL user
        examples["sql"] = ("curl -sS -G " + shlex.quote(f"{base}/datastore_search_sql")
                           + " --data-urlencode "
                           + shlex.quote("sql=" + _SQL_EXAMPLE.format(table=resource_id)))
    return {"dataset": dataset, "resource": resource, "examples": examples, "base": base + "/",
            "examples_json": json.dumps(examples, ensure_ascii=False)}


def longan_facet_items(name: str, search_facets: dict[str, Any]) -> list[dict[str, Any]]:
    """Facet items of the search page, each with the ``href`` that adds or removes it.

    What ``h.add_url_param``/``h.remove_url_param`` give, but with the page's URL built once
    (they call ``url_for`` for every link).
    """
    items = tk.h.get_facet_items_dict(name, search_facets)
    if not items:
        return []
    blueprint, view = tk.get_endpoint()
    endpoint = f"{getattr(tk.g, 'controller', blueprint)}.{getattr(tk.g, 'action', view)}"
    base = getattr(tk.g, "_longan_facet_base", None)  # the same for every facet of the page
    if base is None or base[0] != endpoint:
        base = (endpoint, tk.h.url_for(endpoint, **dict(tk.request.view_args or {})))
        tk.g._longan_facet_base = base
    url = base[1]
    params = [(k, v) for k, v in tk.request.args.items(multi=True) if k != "page"]
    adding = url + "?" + (urlencode(params) + "&" if params else "")  # + the item's own pair

    def href(item: dict[str, Any]) -> str:
        if not item["active"]:
            return adding + urlencode([(name, item["name"])])
        kept = [(k, v) for k, v in params if not (k == name and v == item["name"])]
        return url + "?" + urlencode(kept) if kept else url

    return [dict(item, href=href(item)) for item in items]


def get_helpers() -> dict[str, Any]:
    return {
        "longan_facet_items": longan_facet_items,
        "longan_stats": longan_stats,
        "longan_home_limit": longan_home_limit,
        "longan_newest_datasets": longan_newest_datasets,
        "longan_org_titles": longan_org_titles,
        "longan_usage": longan_usage,
        "longan_dataset_boxes": longan_dataset_boxes,
        "longan_organization_box": longan_organization_box,
        "longan_licence_plain": longan_licence_plain,
        "longan_format_class": longan_format_class,
        "longan_download_url": longan_download_url,
        "longan_datastore_resource": longan_datastore_resource,
        "longan_resource_views": longan_resource_views,
        "longan_api_examples": longan_api_examples,
        "longan_citation": longan_citation,
    }
