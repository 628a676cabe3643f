"""The ``longan_opendata`` plugin: wires the portal's parts into CKAN."""
from __future__ import annotations

import os
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation
from ckanext.xloader.interfaces import IXloader

from ckanext.longan_opendata import (
    harvest_queue,
    helpers,
    i18n,
    licenses,
    logic,
    logs,
    netguard,
    portal_helpers,
    search,
    views,
    workflow,
    workflow_helpers,
    workflow_mail,
    workflow_views,
)


@tk.blanket.actions(logic.get_actions)
@tk.blanket.auth_functions(logic.get_auth_functions)
@tk.blanket.validators(logic.get_validators)
@tk.blanket.helpers(lambda: {**helpers.get_helpers(), **portal_helpers.get_helpers(),
                             **workflow_helpers.get_helpers()})
@tk.blanket.blueprints(lambda: [*views.get_blueprints(), *workflow_views.get_blueprints()])
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

    # IXloader: xloader fetches a resource's URL from the server; no internal address (issue 16)
    def can_upload(self, resource_id: str) -> bool:
        return netguard.resource_url_allowed(resource_id)

    # IConfigurer (runs before CKAN's start-up Solr check, so its log is already tidied)
    def update_config(self, config: CKANConfig):
        logs.install()
        licenses.use_portal_licenses(config)
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "longan_opendata")
        harvest_queue.keep_consumers_blocking()

    # ITranslation: the catalogues live in the root ``i18n/`` folder, shipped as a package
    def i18n_directory(self) -> str:
        return os.path.dirname(os.path.abspath(i18n.__file__))

    def i18n_domain(self) -> str:
        return "ckanext-longan_opendata"

    # IFacets
    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str) -> dict[str, Any]:
        return search.facets(facets_dict)

    # IPackageController (workflow: state and history in package_show, history not indexed)
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.index_fields(workflow.before_dataset_index(pkg_dict))

    def after_dataset_show(self, context, pkg_dict: dict[str, Any]) -> None:
        workflow.after_dataset_show(context, pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.normalise_query(search_params)

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return search.label_facet_items(search_results)

    # IPermissionLabels: only published datasets are public (issue 5)
    def get_dataset_labels(self, dataset_obj):
        return workflow.WorkflowPermissionLabels().get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj):
        return workflow.WorkflowPermissionLabels().get_user_dataset_labels(user_obj)

    # ISignal: e-mails on workflow transitions
    def get_signal_subscriptions(self):
        return workflow_mail.get_subscriptions()
