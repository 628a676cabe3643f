"""The public portal's own pages: ``/thong-ke`` (statistics), ``/huong-dan-api`` (API guide),
``/dia-ban/<code>`` (an administrative unit) and
``/tai-ve/<resource_id>`` (download link that counts, then redirects), plus the usage counter
hooked after every request (see :mod:`ckanext.longan_opendata.portal.usage`).
"""
from __future__ import annotations

import json
import os
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from flask import Blueprint, Response, request, send_from_directory

from ckanext.longan_opendata.portal import helpers as portal_helpers
from ckanext.longan_opendata.portal import usage
from ckanext.longan_opendata.security import csrf

__all__ = ["portal"]

portal = Blueprint("longan_portal", __name__)

# endpoints whose successful answer is a dataset view or a download
_VIEW_ENDPOINTS = {"dataset.read"}
_DOWNLOAD_ENDPOINTS = {"resource.download", "datastore.dump"}


def _anonymous() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def statistics() -> str:
    stats = tk.get_action("longan_stats")(_anonymous(), {})
    charts = portal_helpers.chart_data(stats)
    return tk.render("longan/portal/stats.html", {
        "stats": stats, "charts": charts, "charts_json": json.dumps(charts, ensure_ascii=False)})


def api_guide() -> str:
    return tk.render("longan/portal/api_guide.html",
                     {"examples": portal_helpers.api_guide_examples()})


_LEVELS = {"province": "Province", "district": "District level", "commune": "Commune level"}


def unit_page(code: str) -> str:
    """``/dia-ban/<code>``: an administrative unit (the IRI of the DCAT output), its parent,
    sub-units, what it became or came from on 1 July 2025, and the datasets covering it."""
    from ckanext.longan_opendata.metadata import search, units

    unit = units.get(code)
    if unit is None:
        return tk.abort(404, tk._('There is no administrative unit with the code "{code}".')
                        .format(code=code))
    facet = search.FACET_UNITS_NEW if unit.era == units.NEW else search.FACET_UNITS_OLD
    found = tk.get_action("package_search")(_anonymous(), {
        "fq": f'{facet}:"{code}"', "rows": 20, "sort": "metadata_modified desc",
        "fl": "id,name,title,organization,metadata_modified"})
    catalogue = units.catalogue()
    if unit.era == units.OLD:
        related = [catalogue[c] for c in unit.successors if c in catalogue]
    else:
        related = [u for u in catalogue.values() if code in u.successors and u.level != "province"]
    children = sorted((u for u in catalogue.values() if u.parent == code), key=lambda u: u.name)
    return tk.render("longan/portal/unit.html", {
        "unit": unit, "level": tk._(_LEVELS[unit.level]),
        "parent": catalogue.get(unit.parent) if unit.parent else None,
        "children": children, "related": sorted(related, key=lambda u: u.full_name()),
        "datasets": found["results"], "count": found["count"],
        "search_url": tk.h.url_for("dataset.search", **{facet: code})})


def download(resource_id: str) -> Response:
    """Count a download of an external resource and send the visitor to its address."""
    resource = model.Resource.get(resource_id) if "\x00" not in resource_id else None
    package = resource.package if resource else None
    if (not resource or resource.state != "active" or not package
            or package.state != "active" or package.private or not resource.url):
        return tk.abort(404, tk._("Resource not found"))
    url = tk.h.url_for("resource.download", id=package.name, resource_id=resource.id,
                       qualified=True) if resource.url_type == "upload" else resource.url
    if resource.url_type == "datastore":
        url = tk.h.url_for("datastore.dump", resource_id=resource.id, qualified=True)
    elif resource.url_type != "upload" and not usage.is_robot(request.user_agent.string):
        # uploads and DataStore dumps are counted when they are served
        usage.record(usage.DOWNLOAD, resource.id, package.id)
    return tk.redirect_to(url)


def datatables_images(path: str) -> Response:
    """The images that datatables_view's stylesheet points to.

    CKAN 2.12 bundles that stylesheet into ``/webassets/ckanext-datatablesview/`` without
    rewriting its relative ``url(vendor/FontAwesome/images/…)``, which then answers 404 (a
    console error under every table preview); serve them from the plugin's own folder.
    """
    import ckanext.datatablesview as datatablesview

    folder = os.path.join(os.path.dirname(datatablesview.__file__),
                          "assets", "vendor", "FontAwesome", "images")
    return send_from_directory(folder, path, max_age=86400)


def _usable(value: object) -> str:
    """An id from the URL as a lookup key: "" for anything PostgreSQL would refuse (NUL)."""
    return value if isinstance(value, str) and "\x00" not in value else ""


def _shown_package() -> model.Package | None:
    """The dataset ``dataset.read`` showed (CKAN keeps it in ``g.pkg``): no second lookup."""
    package = getattr(tk.g, "pkg", None)
    return package if isinstance(package, model.Package) else None


def _count(response: Response) -> Response:
    """After each request: count dataset pages and downloads served without error."""
    endpoint = request.endpoint
    if (request.method != "GET" or response.status_code >= 400
            or endpoint not in _VIEW_ENDPOINTS | _DOWNLOAD_ENDPOINTS
            or usage.is_robot(request.user_agent.string)):
        return response
    args = request.view_args or {}
    if endpoint in _VIEW_ENDPOINTS:
        package = _shown_package() or model.Package.get(_usable(args.get("id")))
        if package and package.state == "active" and not package.private:
            usage.count_view(package.id)
    else:
        resource = model.Resource.get(_usable(args.get("resource_id")))
        if resource and resource.package and not resource.package.private:
            usage.record(usage.DOWNLOAD, resource.id, resource.package_id)
    return response


portal.add_url_rule("/thong-ke", view_func=statistics)
portal.add_url_rule("/huong-dan-api", view_func=api_guide)
portal.add_url_rule("/tai-ve/<resource_id>", view_func=download)
portal.add_url_rule("/dia-ban/<code>", view_func=unit_page)
portal.add_url_rule(
    "/webassets/ckanext-datatablesview/vendor/FontAwesome/images/<path:path>",
    view_func=datatables_images)
portal.after_app_request(_count)
portal.before_request(csrf.protect)  # no POST view yet; any future form is protected
