"""Validators of the ``reuse`` schema: its links and the datasets it uses."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.longan_opendata import workflow

__all__ = ["get_validators"]

MAX_DATASETS = 20


def get_validators() -> dict[str, Any]:
    return {"longan_reuse_url": longan_reuse_url, "longan_reuse_datasets": longan_reuse_datasets}


def longan_reuse_url(value: Any) -> Any:
    """An http(s) address of at most 500 characters."""
    if value in (None, "") or value is tk.missing:
        return value
    parsed = urlparse(str(value))
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(str(value)) > 500:
        raise tk.Invalid(tk._("Link: give an address starting with http:// or https://"))
    return value


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise tk.Invalid(tk._("Datasets used: expected a list of datasets")) from None
        else:
            value = [v.strip() for v in text.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise tk.Invalid(tk._("Datasets used: expected a list of datasets"))
    return [v for v in value if v.strip()]


def longan_reuse_datasets(value: Any) -> str:
    """Published datasets (names or ids; at least one, at most 20), stored as JSON names."""
    refs = [] if value is tk.missing or value is None else _as_list(value)
    if not refs:
        raise tk.Invalid(tk._("Datasets used: name at least one dataset of the portal"))
    if len(refs) > MAX_DATASETS:
        raise tk.Invalid(tk._("Datasets used: at most {n}").format(n=MAX_DATASETS))
    names: list[str] = []
    for ref in refs:
        pkg = model.Package.get(ref)
        if (pkg is None or pkg.state != "active" or pkg.type != "dataset"
                or not workflow.is_public_state(workflow.state_of_package(pkg))):
            raise tk.Invalid(tk._("Datasets used: no published dataset “{ref}”").format(ref=ref))
        if pkg.name not in names:
            names.append(pkg.name)
    return json.dumps(names)
