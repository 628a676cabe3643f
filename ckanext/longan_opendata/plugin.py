"""The ``longan_opendata`` plugin: wires the portal's packages into CKAN.

Each package (one concern each: :mod:`.metadata`, :mod:`.workflow`, :mod:`.portal`, :mod:`.dcat`)
exposes what it registers through ``get_actions()``, ``get_auth_functions()``,
``get_validators()``, ``get_helpers()`` and ``get_blueprints()`` (merged by :mod:`.registry`);
the ``ckan longan`` commands are gathered in :mod:`.cli`. This class only gathers; it holds no
logic.
"""
from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation
from ckanext.xloader.interfaces import IXloader
from flask import Flask

from ckanext.longan_opendata import (
    datarequests,
    dcat,
    feedback,
    follow,
    harvesters,
    i18n,
    linkcheck,
    metadata,
    portal,
    preferences,
    quality,
    registry,
    reuses,
    security,
    series,
    workflow,
)
from ckanext.longan_opendata.harvesters import queue as harvest_queue
from ckanext.longan_opendata.harvesters import search_commit as harvest_search_commit
from ckanext.longan_opendata.metadata import licenses, search
from ckanext.longan_opendata.ops import disk, logs, unavailable
from ckanext.longan_opendata.portal import assets as portal_assets
from ckanext.longan_opendata.portal import cache as portal_cache
from ckanext.longan_opendata.security import netguard

#: the packages whose actions, auth functions, validators, helpers and blueprints CKAN gets
PACKAGES: tuple[ModuleType, ...] = (metadata, workflow, portal, dcat, harvesters, preferences,
                                    security, linkcheck, quality, datarequests, feedback, series,
                                    follow, reuses)


def _gathered(hook: str) -> dict[str, Any]:
    return registry.merged(getattr(package, hook)() for package in PACKAGES
                           if hasattr(package, hook))


def _blueprints() -> list[Any]:
    return [bp for package in PACKAGES if hasattr(package, "get_blueprints")
            for bp in package.get_blueprints()]


@tk.blanket.actions(lambda: _gathered("get_actions"))
@tk.blanket.auth_functions(lambda: _gathered("get_auth_functions"))
@tk.blanket.validators(lambda: _gathered("get_validators"))
@tk.blanket.helpers(lambda: _gathered("get_helpers"))
@tk.blanket.blueprints(_blueprints)
@tk.blanket.cli
@tk.blanket.config_declarations
class LonganOpendataPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.ISignal)
    p.implements(IXloader, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IUploader, inherit=True)

    # IUploader: a full disk refuses the upload cleanly (no half-written file, no 500)
    def get_resource_uploader(self, data_dict: dict[str, Any]) -> Any:
        return disk.resource_uploader(data_dict)

    def get_uploader(self, upload_to: str, old_filename: str | None = None) -> Any:
        return None  # CKAN's own for images

    # IXloader: xloader fetches a resource's URL from the server; no internal address
    def can_upload(self, resource_id: str) -> bool:
        return netguard.resource_url_allowed(resource_id)

    # IMiddleware: checks of every request (NUL bytes, CSRF exemptions that stuck, rate limits),
    # security headers, cacheable public pages
    def make_middleware(self, app: Any, config: CKANConfig) -> Any:
        if isinstance(app, Flask):
            security.install(app)
            portal_cache.install(app)
            portal_assets.install(app, config)
            unavailable.install(app)  # 503 pages when PostgreSQL or Solr is down
        return app

    # IConfigurer (runs before CKAN's start-up Solr check, so its log is already tidied)
    def update_config(self, config: CKANConfig):
        logs.install()
        licenses.use_portal_licenses(config)
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "longan_opendata")
        harvest_queue.keep_consumers_blocking()
        harvest_queue.survive_redis_outages()
        harvest_search_commit.install()

    # ITranslation: the catalogues live in the root ``i18n/`` folder, shipped as a package
    def i18n_directory(self) -> str:
        return os.path.dirname(os.path.abspath(i18n.__file__))

    def i18n_domain(self) -> str:
        return "ckanext-longan_opendata"

    # IFacets
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return quality.facets(search.facets(facets_dict))

    # IPackageController (workflow: state and history in package_show; the index keeps the
    # public history only)
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return quality.before_dataset_index(
            search.index_fields(workflow.before_dataset_index(pkg_dict)))

    def after_dataset_show(self, context, pkg_dict: dict[str, Any]) -> None:
        workflow.after_dataset_show(context, pkg_dict)

    def after_dataset_create(self, context, pkg_dict: dict[str, Any]) -> None:
        workflow.after_dataset_write(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict: dict[str, Any]) -> None:
        workflow.after_dataset_write(context, pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.normalise_query(search_params)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return quality.label_facet_items(search.label_facet_items(
            workflow.after_dataset_search(search_results)))

    # IPermissionLabels: only published datasets are public
    _labels = workflow.WorkflowPermissionLabels()

    def get_dataset_labels(self, dataset_obj):
        return self._labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj):
        return self._labels.get_user_dataset_labels(user_obj)

    # ISignal: e-mails on workflow transitions; the dataset pages' cached boxes after a reuse
    # changed
    def get_signal_subscriptions(self):
        return registry.merged_subscriptions((workflow.get_signal_subscriptions(),
                                              portal.get_signal_subscriptions()))
