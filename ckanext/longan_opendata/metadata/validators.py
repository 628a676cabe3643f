"""Validators of the dataset schema (``schemas/dataset.yaml``).

Messages are English msgids translated through the extension's catalogue, so that a form shows
them in the user's language and the API in the language of its URL (``/api/…`` Vietnamese by
default, ``/en/api/…`` English).
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, FlattenDataDict, FlattenErrorDict, FlattenKey

from ckanext.longan_opendata.metadata import slug

_missing = tk.missing
PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{6,18}[0-9]$")
AGENCY_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
CHECKSUM = re.compile(r"^(?:(?:md5|sha1|sha256|sha512):)?[0-9a-fA-F]{32,128}$")
TABLE_SCHEMA_TYPES = {
    "string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
    "year", "yearmonth", "duration", "geopoint", "geojson", "any",
}


def longan_nfc(value: Any) -> Any:
    """Store Vietnamese text in composed form (NFC), however the user's keyboard typed it."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _name_from_title(table: Any, key: FlattenKey, data: FlattenDataDict,
                     errors: FlattenErrorDict) -> None:
    """An empty ``name`` becomes a slug of the title, unique in ``table``."""
    if data.get(key) not in (None, "", _missing):
        return
    title = data.get(("title",))
    if not title or title is _missing:
        errors[key].append(tk._("Missing value"))
        raise tk.StopOnError
    own_id = data.get(("id",))

    def taken(name: str) -> bool:
        query = model.Session.query(table.id).filter(table.name == name)
        if own_id and own_id is not _missing:
            query = query.filter(table.id != own_id)
        return query.first() is not None

    data[key] = slug.unique_slug(str(title), taken)


def longan_name_from_title(key: FlattenKey, data: FlattenDataDict,
                           errors: FlattenErrorDict, context: Context) -> None:
    """Dataset names: a unique slug of the title when none is given; a given name is kept."""
    _name_from_title(model.Package, key, data, errors)


def longan_group_name_from_title(key: FlattenKey, data: FlattenDataDict,
                                 errors: FlattenErrorDict, context: Context) -> None:
    """Organisation names, as for datasets."""
    _name_from_title(model.Group, key, data, errors)


def longan_agency_code(value: Any) -> Any:
    """Electronic identifier of an agency (Decision 20/2020/QĐ-TTg): ``000.00.00.H00``."""
    if value in (None, "", _missing):
        return value
    code = str(value).strip().upper()
    if not AGENCY_CODE.match(code):
        raise tk.Invalid(tk._("Not a valid agency code: expected the form 000.00.00.H00"))
    return code


def longan_not_before_start(key: FlattenKey, data: FlattenDataDict,
                            errors: FlattenErrorDict, context: Context) -> None:
    """``temporal_end`` must not be before ``temporal_start`` (both already ISO dates)."""
    end = data.get(key)
    start = data.get(key[:-1] + ("temporal_start",))
    if end in (None, "", _missing) or start in (None, "", _missing):
        return
    if str(end)[:10] < str(start)[:10]:
        errors[key].append(tk._("The end date must not be before the start date"))


def longan_phone(value: Any) -> Any:
    if value in (None, "", _missing):
        return value
    if not PHONE.match(str(value).strip()):
        raise tk.Invalid(tk._("Not a valid phone number (digits, spaces, + . - and brackets)"))
    return str(value).strip()


def longan_checksum(value: Any) -> Any:
    if value in (None, "", _missing):
        return value
    if not CHECKSUM.match(str(value).strip()):
        raise tk.Invalid(tk._("Not a valid checksum: hexadecimal digits, optionally prefixed "
                              "with md5:, sha1:, sha256: or sha512:"))
    return str(value).strip()


def longan_contact_points_complete(key: FlattenKey, data: FlattenDataDict,
                                   errors: FlattenErrorDict, context: Context) -> None:
    """Each contact point has a name and a way to reach it (email or phone).

    A schema-level ``after_validators`` entry: scheming gives repeating fields no validator
    of their own.
    """
    prefix = "contact_points"
    indexes = sorted({k[1] for k in data if len(k) == 3 and k[0] == prefix})
    for i in indexes:
        def value(sub: str, i: int = i) -> Any:
            found = data.get((prefix, i, sub))
            return None if found in ("", _missing) else found
        if not value("name"):
            errors.setdefault((prefix, i, "name"), []).append(tk._("Missing value"))
        if not value("email") and not value("phone"):
            errors.setdefault((prefix, i, "email"), []).append(
                tk._("Give an email address or a phone number"))


def longan_table_schema(value: Any) -> Any:
    """A Frictionless Table Schema: ``fields`` with unique names and known types."""
    if value in (None, "", _missing):
        return value
    schema = value
    if isinstance(value, str):
        try:
            schema = json.loads(value)
        except ValueError as err:
            raise tk.Invalid(tk._("Not valid JSON: {error}").format(error=err)) from err
    problems = _table_schema_problems(schema)
    if problems:
        raise tk.Invalid("; ".join(problems))
    return json.dumps(schema, ensure_ascii=False)


def _table_schema_problems(schema: Any) -> list[str]:
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) \
            or not schema["fields"]:
        return [tk._("A Table Schema is a JSON object with a non-empty list \"fields\"")]
    problems, names = [], []
    for n, field in enumerate(schema["fields"], start=1):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) \
                or not field["name"].strip():
            problems.append(tk._("Field {n} has no name").format(n=n))
            continue
        names.append(field["name"])
        kind = field.get("type", "string")
        if not isinstance(kind, str):
            problems.append(tk._("Field \"{name}\": \"type\" must be text").format(
                name=field["name"]))
        elif kind not in TABLE_SCHEMA_TYPES:
            problems.append(tk._("Field \"{name}\" has an unknown type \"{type}\"").format(
                name=field["name"], type=kind))
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(tk._("Field names must be unique: {names}").format(
            names=", ".join(duplicates)))
    keys = schema.get("primaryKey", [])
    keys = [keys] if isinstance(keys, str) else keys
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        problems.append(tk._("\"primaryKey\" must be a field name or a list of field names"))
        keys = []
    for key in keys:
        if key not in names:
            problems.append(tk._("The primary key \"{name}\" is not a field").format(name=key))
    return problems


def get_validators() -> dict[str, Any]:
    return {
        "longan_nfc": longan_nfc,
        "longan_name_from_title": longan_name_from_title,
        "longan_group_name_from_title": longan_group_name_from_title,
        "longan_agency_code": longan_agency_code,
        "longan_not_before_start": longan_not_before_start,
        "longan_phone": longan_phone,
        "longan_checksum": longan_checksum,
        "longan_contact_points_complete": longan_contact_points_complete,
        "longan_table_schema": longan_table_schema,
    }
