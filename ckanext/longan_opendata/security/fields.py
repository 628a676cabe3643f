"""Checks of the free-text fields of the public forms (data requests, feedback): type, required,
length, e-mail shape. Each error is a :class:`ckan.plugins.toolkit.ValidationError` under the
field's key, with a message in the user's language that names the field by its label."""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from . import params

__all__ = ["bounded_text", "email"]

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")


def bounded_text(data_dict: dict[str, Any], field: str, label: str, limit: int,
                 required: bool = True) -> str:
    """The stripped text of ``field`` (``label`` is an English msgid), at most ``limit``
    characters; required unless ``required`` is False."""
    value = params.optional_text(data_dict, field).strip()
    if required and not value:
        params.refuse(field, tk._("“%(label)s” is required") % {"label": tk._(label)})
    if len(value) > limit:
        params.refuse(field, tk._("“%(label)s” must be at most %(limit)s characters long")
                      % {"label": tk._(label), "limit": limit})
    return value


def email(data_dict: dict[str, Any], field: str, label: str, required: bool = False) -> str:
    """An e-mail address (lower-cased domain), or "" when absent and not required."""
    value = bounded_text(data_dict, field, label, 254, required=required)
    if value and not _EMAIL.match(value):
        params.refuse(field, tk._("“%(label)s” is not a valid e-mail address")
                      % {"label": tk._(label)})
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}" if value else ""
