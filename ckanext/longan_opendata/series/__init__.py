"""Dataset series (issue 12): yearbooks and periodic surveys as one ``dataset_series`` with its
editions, on top of ckanext-dataset-series (type ``dataset_series``, ``in_series``, the
``series_navigation`` of ``package_show``) and ckanext-dcat's DCAT-AP 3 series output.

What the portal adds: :mod:`.validators` who may put a dataset in a series (a steward of the
series' agency: the extension's own rule asks for ``package_update`` on the series, which the
publish workflow refuses on a published series); :mod:`.action` the ordered editions
(``longan_series_editions``); :mod:`.helpers` the series page and the edition navigation.
A series goes through the same publish workflow as a dataset (its ``workflow_state``).
"""
from __future__ import annotations

from typing import Any

__all__ = ["SERIES_TYPE", "get_actions", "get_auth_functions", "get_helpers", "get_validators"]

#: the dataset type of a series (ckanext-dataset-series' and ckanext-dcat's)
SERIES_TYPE = "dataset_series"


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_validators() -> dict[str, Any]:
    from . import validators
    return validators.get_validators()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()
