"""Metadata and data quality (issue #11): a score per dataset in MQA's five dimensions plus
freshness, explained in Vietnamese, shown where people look, and reported to the agencies.

- :mod:`.indicators` the indicator table (data: id, dimension, points, label, how to fix);
  :mod:`.dcat_shapes` the DCAT-AP 3 check; :mod:`.score` sums, rates and explains;
- :mod:`.links` the link checker's results (package :mod:`..linkcheck`);
- :mod:`.search` the score in the search index (sort, facet); :mod:`.snapshot` the full rescore
  and the history table; :mod:`.report` the agencies' reports;
- :mod:`.action`, :mod:`.auth`, :mod:`.views`, :mod:`.helpers`, :mod:`.cli`
  (``ckan longan quality snapshot|report``).

Other packages import only this module.
"""
from __future__ import annotations

from typing import Any

from .search import before_dataset_index, facets, label_facet_items

__all__ = ["before_dataset_index", "facets", "get_actions", "get_auth_functions",
           "get_blueprints", "get_helpers", "label_facet_items"]


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return views.get_blueprints()
