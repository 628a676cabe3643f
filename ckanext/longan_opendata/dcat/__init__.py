"""DCAT-AP 3 and schema.org output of the catalogue (:mod:`.profiles`, ckanext-dcat profiles
registered as entry points), the dataset page's structured data, SHACL validation and
``ckan longan validate-dcat``."""
from __future__ import annotations

from typing import Any

__all__ = ["get_helpers"]


def get_helpers() -> dict[str, Any]:
    from . import structured_data
    return structured_data.get_helpers()
