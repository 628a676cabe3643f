"""Blueprints of the portal, one module per concern; add new ones to ``get_blueprints``."""
from __future__ import annotations

from flask import Blueprint

from ckanext.longan_opendata.views import harvest, licenses, portal


def get_blueprints() -> list[Blueprint]:
    return [licenses.blueprint, portal.portal, harvest.harvest]
