"""The ``longan_opendata`` plugin: wires the portal's parts into CKAN."""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from ckanext.longan_opendata import (
    i18n,
    logic,
    logs,
    workflow,
    workflow_helpers,
    workflow_mail,
    workflow_views,
)


@tk.blanket.actions(logic.get_actions)
@tk.blanket.auth_functions(logic.get_auth_functions)
@tk.blanket.validators(logic.get_validators)
@tk.blanket.cli
@tk.blanket.blueprints(workflow_views.get_blueprints)
@tk.blanket.helpers(workflow_helpers.get_helpers)
@tk.blanket.config_declarations
class LonganOpendataPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPermissionLabels)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.ISignal)

    # IConfigurer (runs before CKAN's start-up Solr check, so its log is already tidied)
    def update_config(self, config: CKANConfig):
        logs.install()
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")

    # ITranslation: the catalogues live in the root ``i18n/`` folder, shipped as a package
    def i18n_directory(self) -> str:
        return os.path.dirname(os.path.abspath(i18n.__file__))

    def i18n_domain(self) -> str:
        return "ckanext-longan_opendata"

    # IPermissionLabels: only published datasets are public (issue 5)
    def get_dataset_labels(self, dataset_obj):
        return workflow.WorkflowPermissionLabels().get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj):
        return workflow.WorkflowPermissionLabels().get_user_dataset_labels(user_obj)

    # IPackageController: workflow state and history in package_show, not in the index
    def after_dataset_show(self, context, pkg_dict):
        workflow.after_dataset_show(context, pkg_dict)

    def before_dataset_index(self, pkg_dict):
        return workflow.before_dataset_index(pkg_dict)

    # ISignal: e-mails on workflow transitions
    def get_signal_subscriptions(self):
        return workflow_mail.get_subscriptions()
