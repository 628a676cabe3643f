"""Metadata validation: the full check a dataset must pass before it is submitted for review.

Drafts may be saved incomplete; :func:`validate_for_review` applies every rule: the schema's
validators (as on any save) plus the fields ``schemas/dataset.yaml`` marks ``review_required``,
a temporal coverage, and at least one resource.
"""
from __future__ import annotations

from typing import Any

import ckan.lib.plugins as lib_plugins
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context
from ckanext.scheming.helpers import scheming_get_dataset_schema

__all__ = ["missing_review_fields", "validate_for_review", "review_problems",
           "review_field_problems", "CONTAINERS"]

#: dataset types that hold no data themselves (a series' data are its editions; a reuse links
#: to the datasets it uses)
CONTAINERS: tuple[str, ...] = ("dataset_series", "reuse")


def _label(text: Any) -> str:
    """A schema label in the language messages are in (the request's; English outside one)."""
    if not isinstance(text, dict):
        return str(text)
    lang = tk.h.lang() if tk.request else "en"
    return text.get(lang) or text.get("en") or next(iter(text.values()))


def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    return value not in (None, "", "[]", "{}")


def review_problems(context: Context, data_dict: dict[str, Any]) -> dict[str, list[str]]:
    """Errors by field name (messages in the user's language) that keep the dataset from review."""
    dataset_type = data_dict.get("type") or "dataset"
    package_plugin = lib_plugins.lookup_package_plugin(dataset_type)
    schema = package_plugin.update_package_schema()
    # a metadata check, not a permission check: validate as the site user
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    validation_context = {"session": model.Session, **context, "ignore_auth": True,
                          "user": site_user}
    _, errors = lib_plugins.plugin_validate(
        package_plugin, validation_context, {"type": dataset_type, **data_dict}, schema,
        "package_update")
    problems: dict[str, list[str]] = {
        key: value for key, value in errors.items() if value and key != "resources"}
    if errors.get("resources"):
        problems["resources"] = [tk._("A resource is not valid; edit it to see why")]

    for name, messages in review_field_problems(dataset_type, data_dict).items():
        problems.setdefault(name, []).extend(messages)
    return problems


def review_field_problems(dataset_type: str, data_dict: dict[str, Any]) -> dict[str, list[str]]:
    """What review asks beyond the schema's validators (the fields marked ``review_required``,
    a temporal coverage, a resource), by field name: for a caller whose ``package_create`` is
    about to validate ``data_dict`` against the schema anyway (the bulk load)."""
    problems: dict[str, list[str]] = {}
    scheming = scheming_get_dataset_schema(dataset_type) or {"dataset_fields": []}
    for field in scheming["dataset_fields"]:
        name = field["field_name"]
        if field.get("review_required") and not _filled(data_dict.get(name)):
            problems.setdefault(name, []).append(
                tk._("{field}: required before the dataset is submitted for review").format(
                    field=_label(field["label"])))
    if dataset_type in CONTAINERS:  # a series has editions, not data of its own
        return problems
    if not _filled(data_dict.get("temporal_start")) and not _filled(data_dict.get("temporal_end")):
        problems.setdefault("temporal_start", []).append(
            tk._("Give the period the data covers (start or end date)"))
    if not data_dict.get("resources"):
        problems.setdefault("resources", []).append(
            tk._("Add at least one resource (a file or an API) before submitting for review"))
    return problems


def validate_for_review(context: Context, data_dict: dict[str, Any]) -> None:
    """Raise ``tk.ValidationError`` naming each field that keeps ``data_dict`` from review."""
    problems = review_problems(context, data_dict)
    if problems:
        raise tk.ValidationError(problems)


def missing_review_fields(pkg_dict: dict[str, Any]) -> list[str]:
    """The names of the fields that keep ``pkg_dict`` from review (sorted; empty: complete).

    The same check as :func:`validate_for_review` (the form's), for a dataset dict such as
    ``package_show`` returns or a harvester is about to save.
    """
    return sorted(review_problems({}, pkg_dict))
