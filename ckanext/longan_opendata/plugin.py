"""The ``longan_opendata`` plugin: wires the portal's parts into CKAN."""
from __future__ import annotations

import os

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.common import CKANConfig
from ckan.lib.plugins import DefaultTranslation

from ckanext.longan_opendata import i18n, logic, logs, portal_helpers, portal_views


@tk.blanket.actions(logic.get_actions)
@tk.blanket.auth_functions(logic.get_auth_functions)
@tk.blanket.validators(logic.get_validators)
@tk.blanket.helpers(portal_helpers.get_helpers)
@tk.blanket.blueprints(portal_views.get_blueprints)
@tk.blanket.cli
@tk.blanket.config_declarations
class LonganOpendataPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)

    # IConfigurer (runs before CKAN's start-up Solr check, so its log is already tidied)
    def update_config(self, config: CKANConfig):
        logs.install()
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "longan_opendata")

    # ITranslation: the catalogues live in the root ``i18n/`` folder, shipped as a package
    def i18n_directory(self) -> str:
        return os.path.dirname(os.path.abspath(i18n.__file__))

    def i18n_domain(self) -> str:
        return "ckanext-longan_opendata"
