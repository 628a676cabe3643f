"""Metadata validation: the full check a dataset must pass before it is submitted for review.

Drafts may be saved incomplete; :func:`validate_for_review` applies every rule.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context

__all__ = ["validate_for_review"]

REVIEW_REQUIRED = ("title", "notes", "owner_org", "license_id")


def validate_for_review(context: Context, data_dict: dict[str, Any]) -> None:
    """Raise ``tk.ValidationError`` naming each field that keeps ``data_dict`` from review."""
    errors = {
        field: [tk._("Missing value")]
        for field in REVIEW_REQUIRED if not data_dict.get(field)
    }
    if errors:
        raise tk.ValidationError(errors)
