"""The settings of a harvest source that both harvesters read: its JSON config and the dataset
metadata it gives (``defaults`` and per-table or per-endpoint keys, named as the portal's dataset
schema names them), checked before anything connects.

A problem is a :class:`ConfigError` whose message names the config key, so the source form can
show it next to the field that is wrong: ``err(key, "English msgid", **params)``, the msgid in the
catalogue (``i18n/vi/…po``), translated when the error is shown.

Which language a harvest message is read in:

- on the source form (and the API's ``harvest_source_create``/``_update``), ``str(error)`` runs in
  the request: the reader's language;
- in the harvest consumers (gather, fetch, import: no reader), the message is stored in the
  harvest tables (``harvest_gather_error``/``harvest_object_error``) as text in the site default
  language (``ckan.locale_default``, Vietnamese: the province's harvest administrators read it
  there and the API returns it as stored); see ``LonganHarvester._save_*_error``. The texts
  harvested into datasets (descriptions, notes) are written in the site default language too.
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.lang import Message

THEMES = ("nong-nghiep", "kinh-te", "giao-duc", "nang-luong", "moi-truong", "hanh-chinh", "y-te",
          "doi-ngoai", "tu-phap", "dan-cu-xa-hoi", "khoa-hoc-cong-nghe", "giao-thong")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "semiannual", "annual", "irregular",
               "never")
LICENCES = ("vn-open-data-1.0", "CC-BY-4.0", "CC0-1.0", "ODbL-1.0")
DEFAULT_LICENCE = "vn-open-data-1.0"
TEXT_FIELDS = ("title", "title_en", "notes", "notes_en", "tag_string", "source_system",
               "legal_basis", "language", "version", "conforms_to", "data_quality_note", "name")
METADATA_FIELDS = TEXT_FIELDS + ("theme", "spatial_units", "temporal_start", "temporal_end",
                                 "frequency", "contact_points", "license_id",
                                 "contains_personal_data", "in_series")
_UNIT = re.compile(r"^(old-80|old-\d{3}|old-\d{5}|new-72|new-\d{5})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ConfigError(ValueError):
    """A source config problem naming the config key (``key``); ``str()`` translates it into the
    language of the moment (``"url: URL không hợp lệ"``)."""

    def __init__(self, message: Message | Exception | str, key: str | None = None):
        super().__init__(message)
        self.message = message
        self.key = key

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else str(self.message)


def err(key: str, msgid: str, /, **params: Any) -> ConfigError:
    """The problem of the config key ``key``: ``msgid`` is the English message, a literal that
    the catalogue translates, with ``%(name)s`` for each of ``params``.

    ``raise err("url", "invalid URL")``;
    ``raise err(path, "unknown licence '%(value)s'", value=value)``.
    """
    return ConfigError(Message(msgid, **params), key)


def slugify(text: str) -> str:
    """'Dân số theo xã' → 'dan-so-theo-xa' (the portal's slugs)."""
    from ckanext.longan_opendata.metadata.slug import slugify as portal_slugify

    return portal_slugify(text) or "bo-du-lieu"



# ------------------------------------------------------------------------------------- metadata
def validate_metadata(meta: Any, where: str) -> None:
    """Check dataset metadata keys and codes (``where`` names the config key)."""
    if not isinstance(meta, dict):
        raise err(where, "must be a JSON object")
    for key, value in meta.items():
        path = f"{where}.{key}"
        if key not in METADATA_FIELDS:
            raise err(path, "not a known metadata field")
        if key in TEXT_FIELDS and not isinstance(value, str):
            raise err(path, "must be a string")
        if key == "theme":
            bad = [t for t in _as_list(value) if t not in THEMES]
            if bad:
                raise err(path, "unknown theme code %(codes)s", codes=bad)
        if key == "spatial_units":
            bad = [u for u in _as_list(value) if not isinstance(u, str) or not _UNIT.match(u)]
            if bad:
                raise err(path, "invalid administrative unit code %(codes)s", codes=bad)
        if key == "frequency" and value not in FREQUENCIES:
            raise err(path, "unknown frequency '%(value)s'", value=value)
        if key == "license_id" and value not in LICENCES:
            raise err(path, "unknown licence '%(value)s'", value=value)
        if key in ("temporal_start", "temporal_end") and (
                not isinstance(value, str) or not _ISO_DATE.match(value)):
                raise err(path, "must be YYYY-MM-DD")
        if key == "in_series" and not all(isinstance(v, str) and v for v in _as_list(value)):
            raise err(path, "must be a series name or a list of names")
        if key == "contains_personal_data" and value not in ("yes", "no"):
            raise err(path, "must be 'yes' or 'no'")
        if key == "contact_points" and (
                not isinstance(value, list) or not all(isinstance(c, dict) for c in value)):
                raise err(path, "must be a list of {name, email, phone}")
        if key == "name" and slugify(value) != value:
            raise err(path, "only lowercase ASCII letters, digits and '-'")


def validate_temporal_column(item: dict[str, Any], where: str) -> None:
    """``temporal_column`` (the date column the temporal coverage is derived from): a name."""
    value = item.get("temporal_column")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise err(f"{where}.temporal_column", "must be the name of a date column")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def validate_common(config: dict[str, Any]) -> None:
    if "defaults" in config:
        validate_metadata(config["defaults"], "defaults")
    validate_bool(config, "auto_publish", True)
    for forbidden in ("password", "api_key", "client_secret", "token"):
        if forbidden in config:
            raise err(forbidden, "secrets must not be stored in the source config; use *_env or "
                      "*_file")



def validate_column_types(types: Any, known: dict[str, str], where: str) -> None:
    """Each declared column type (``{"column": "type"}``) must be one of ``known``."""
    for col, kind in (types or {}).items():
        if kind not in known:
            raise err(f"{where}.{col}", "unsupported type '%(kind)s'", kind=kind)


def validate_bool(config: dict[str, Any], key: str, default: bool) -> None:
    if not isinstance(config.get(key, default), bool):
        raise err(key, "must be true or false")


def check_connection_enabled() -> bool:
    return tk.asbool(tk.config.get("ckanext.longan_opendata.harvest.check_connection", True))


def load_config(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise err("config", "not valid JSON (%(error)s)", error=exc) from exc
    if not isinstance(config, dict):
        raise err("config", "must be a JSON object")
    return config

