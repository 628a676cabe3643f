"""The portal's licences (``schemas/licenses.json``): the provincial open-data terms (default),
CC-BY-4.0, CC0-1.0 and ODbL-1.0, each with a Vietnamese and English summary."""
from __future__ import annotations

import functools
import importlib.resources
import json
from typing import Any

from ckan.common import CKANConfig

DEFAULT_LICENSE = "vn-open-data-1.0"


def _path() -> str:
    return str(importlib.resources.files("ckanext.longan_opendata.schemas") / "licenses.json")


def use_portal_licenses(config: CKANConfig) -> None:
    """Point CKAN's licence register at our list unless the site chose another one."""
    if not config.get("licenses_group_url"):
        config["licenses_group_url"] = "file://" + _path()


@functools.cache
def portal_licenses() -> dict[str, dict[str, Any]]:
    with open(_path(), encoding="utf-8") as fh:
        return {lic["id"]: lic for lic in json.load(fh)}
