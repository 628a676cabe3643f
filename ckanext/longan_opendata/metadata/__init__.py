"""The catalogue's metadata rules: the scheming schema's code lists, administrative units (before
and after 1 July 2025), licences, Vietnamese slugs, validators, the review check, search indexing
and query folding, and the licence pages."""
from __future__ import annotations

from typing import Any

__all__ = ["get_blueprints", "get_helpers", "get_validators"]


def get_validators() -> dict[str, Any]:
    from . import validators
    return validators.get_validators()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return [views.blueprint]
