"""The search documents of the bulk load: CKAN's own, sent to Solr once per batch, made without
reading back from the database what ``package_create`` has just saved.

CKAN indexes a dataset from ``package_show`` (``package_show_default_and_custom_schemas``),
whose ``package_dictize`` reads the resources, tags, groups, organisation and relationships
again, six queries per dataset. For a dataset the loader has just created without groups or
relationships, CKAN's session still holds all of it (``expire_on_commit`` is off):
:func:`dictize_from_session` makes the same dictionary from those objects, and everything else
stays CKAN's (``package_show`` with its hooks, the show validation of both schemas, then
``index_package``). The documents are unchanged (``tests/ops/test_bulk_load.py`` compares one
with CKAN's own reindex); the public workflow history the documents keep is read once per batch
(:func:`~ckanext.longan_opendata.workflow.history_left_out`), and so are the link-check results
of the quality score (:func:`~ckanext.longan_opendata.quality.links.prefetched`).
"""
from __future__ import annotations

import contextlib
import copy
from collections.abc import Collection, Iterator
from typing import Any

from ckan import model
from ckan.lib import dictization as d
from ckan.lib import search
from ckan.lib.dictization import model_dictize
from ckan.types import Context

from ckanext.longan_opendata import workflow as wf

__all__ = ["dictize_from_session", "index_batch"]


def dictize_from_session(pkg: model.Package, context: Context,
                         include_plugin_data: bool = False,
                         organizations: dict[str, Any] | None = None) -> dict[str, Any]:
    """``package_dictize`` of a dataset without groups and relationships, from the objects in
    the session (its resources and tags) instead of six queries.

    :param organizations: the dictized organisations by id, read once for a batch (filled as
        they are read)
    """
    result = d.table_dictize(pkg, context)
    if result.get("title"):
        result["title"] = result["title"].strip()
    plugin_data = result.pop("plugin_data", None)
    if include_plugin_data:
        result["plugin_data"] = copy.deepcopy(plugin_data) if plugin_data else plugin_data
    result["resources"] = model_dictize.resource_list_dictize(list(pkg.resources_all), context)
    result["num_resources"] = len(result["resources"])
    tags = [dict(d.table_dictize(pt.tag, context), state=pt.state) for pt in pkg.package_tags
            if pt.state == "active" or not context.get("active", True)]
    result["tags"] = sorted(tags, key=lambda tag: tag["name"])
    result["num_tags"] = len(tags)
    for tag in result["tags"]:
        tag["display_name"] = tag["name"]
    result["extras"] = [{"key": k, "value": v} for k, v in (result["extras"] or {}).items()]
    context["with_capacity"] = False
    result["groups"] = []
    organizations = {} if organizations is None else organizations
    if pkg.owner_org and pkg.owner_org not in organizations:
        org = model.Session.get(model.Group, pkg.owner_org)
        organizations[pkg.owner_org] = (
            {k: v for k, v in d.table_dictize(org, context).items() if k != "extras"}
            if org is not None and org.state == "active" else None)
    org_dict = organizations.get(pkg.owner_org) if pkg.owner_org else None
    result["organization"] = copy.deepcopy(org_dict)
    result["relationships_as_subject"] = []
    result["relationships_as_object"] = []
    result["isopen"] = pkg.isopen()
    result["type"] = pkg.type or "dataset"
    if pkg.license and pkg.license.url:
        result["license_url"] = pkg.license.url
        result["license_title"] = pkg.license.title.split("::")[-1]
    elif pkg.license:
        result["license_title"] = pkg.license.title
    else:
        result["license_title"] = pkg.license_id
    result["metadata_modified"] = pkg.metadata_modified.isoformat()
    result["metadata_created"] = (pkg.metadata_created.isoformat() if pkg.metadata_created
                                  else None)
    return result


@contextlib.contextmanager
def _dictized_from_session(ids: Collection[str]) -> Iterator[None]:
    """``package_show`` dictizes the datasets ``ids`` from the session (see the module), each
    organisation read once."""
    real = model_dictize.package_dictize
    organizations: dict[str, Any] = {}

    def package_dictize(pkg: model.Package, context: Context,
                        include_plugin_data: bool = False) -> dict[str, Any]:
        if pkg is not None and pkg.id in ids:
            return dictize_from_session(pkg, context, include_plugin_data, organizations)
        return real(pkg, context, include_plugin_data)

    model_dictize.package_dictize = package_dictize
    try:
        yield
    finally:
        model_dictize.package_dictize = real


def index_batch(ids: list[str], from_session: Collection[str] = ()) -> None:
    """Index datasets in one Solr update request, not committed (CKAN's ``rebuild`` sends one
    request per dataset). The documents are CKAN's own (``index_package``), made without the
    per-dataset queries whose answer they do not keep or that the session already answers.

    :param from_session: the ids of datasets created by this process's session without groups
        or relationships (dictized from the session, see :func:`dictize_from_session`)
    """
    if not ids:
        return
    from ckan.logic import package_show_default_and_custom_schemas

    from ckanext.longan_opendata.quality import links

    index = search.index_for("Package")
    collected: list[dict[str, Any]] = []
    real_connection = search.index.make_connection

    class Collect:  # stands in for the Solr connection while the documents are built
        def add(self, docs: list[dict[str, Any]], **kwargs: object) -> None:
            collected.extend(docs)

    search.index.make_connection = lambda *a, **k: Collect()
    try:
        with wf.history_left_out(ids), links.prefetched(ids), \
                _dictized_from_session(frozenset(from_session)):
            for pkg_id in ids:
                default, custom = package_show_default_and_custom_schemas(
                    {"ignore_auth": True}, pkg_id)
                index.index_package(dict(default, with_custom_schema=custom), defer_commit=True)
    finally:
        search.index.make_connection = real_connection
    search.common.make_connection().add(collected, commit=False)
