"""``/giay-phep``: the licences of the portal explained in plain Vietnamese (and English)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.metadata import licenses

blueprint = Blueprint("longan_licenses", __name__)


@blueprint.route("/giay-phep")
def index() -> str:
    return tk.render("longan/metadata/licenses.html",
                     {"licenses": licenses.portal_licenses().values()})


@blueprint.route("/giay-phep/<license_id>")
def read(license_id: str) -> str:
    license_ = licenses.portal_licenses().get(license_id)
    if license_ is None:
        return tk.abort(404, tk._("Licence not found"))
    return tk.render("longan/metadata/license.html", {"license": license_})
