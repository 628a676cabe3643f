"""The settings of a harvest source that both harvesters read: its JSON config and the dataset
metadata it gives (``defaults`` and per-table or per-endpoint keys, named as the portal's dataset
schema names them), checked before anything connects.

A problem is a :class:`ConfigError` whose message names the config key, in Vietnamese and English,
so the source form can show it next to the field that is wrong.
"""
from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk

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
    """A source config problem, with a bilingual message naming the key."""


def err(key: str, vi: str, en: str) -> ConfigError:
    return ConfigError(f"{key}: {vi} / {en}")


def slugify(text: str) -> str:
    """'Dân số theo xã' → 'dan-so-theo-xa' (the portal's slugs)."""
    from ckanext.longan_opendata.metadata.slug import slugify as portal_slugify

    return portal_slugify(text) or "bo-du-lieu"



# ------------------------------------------------------------------------------------- metadata
def validate_metadata(meta: Any, where: str) -> None:
    """Check dataset metadata keys and codes (``where`` names the config key)."""
    if not isinstance(meta, dict):
        raise err(where, "phải là một đối tượng JSON", "must be a JSON object")
    for key, value in meta.items():
        path = f"{where}.{key}"
        if key not in METADATA_FIELDS:
            raise err(path, "không phải trường siêu dữ liệu đã biết", "not a known metadata field")
        if key in TEXT_FIELDS and not isinstance(value, str):
            raise err(path, "phải là chuỗi", "must be a string")
        if key == "theme":
            bad = [t for t in _as_list(value) if t not in THEMES]
            if bad:
                raise err(path, f"mã lĩnh vực không hợp lệ {bad}", f"unknown theme code {bad}")
        if key == "spatial_units":
            bad = [u for u in _as_list(value) if not isinstance(u, str) or not _UNIT.match(u)]
            if bad:
                raise err(path, f"mã đơn vị hành chính không hợp lệ {bad}",
                          f"invalid administrative unit code {bad}")
        if key == "frequency" and value not in FREQUENCIES:
            raise err(path, f"tần suất không hợp lệ '{value}'", f"unknown frequency '{value}'")
        if key == "license_id" and value not in LICENCES:
            raise err(path, f"giấy phép không hợp lệ '{value}'", f"unknown licence '{value}'")
        if key in ("temporal_start", "temporal_end") and (
                not isinstance(value, str) or not _ISO_DATE.match(value)):
                raise err(path, "phải có dạng YYYY-MM-DD", "must be YYYY-MM-DD")
        if key == "in_series" and not all(isinstance(v, str) and v for v in _as_list(value)):
            raise err(path, "phải là tên chuỗi dữ liệu hoặc danh sách tên",
                      "must be a series name or a list of names")
        if key == "contains_personal_data" and value not in ("yes", "no"):
            raise err(path, "phải là 'yes' hoặc 'no'", "must be 'yes' or 'no'")
        if key == "contact_points" and (
                not isinstance(value, list) or not all(isinstance(c, dict) for c in value)):
                raise err(path, "phải là danh sách {name, email, phone}",
                          "must be a list of {name, email, phone}")
        if key == "name" and slugify(value) != value:
            raise err(path, "chỉ gồm chữ thường không dấu, số và '-'",
                      "only lowercase ASCII letters, digits and '-'")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def validate_common(config: dict[str, Any]) -> None:
    if "defaults" in config:
        validate_metadata(config["defaults"], "defaults")
    validate_bool(config, "auto_publish", True)
    for forbidden in ("password", "api_key", "client_secret", "token"):
        if forbidden in config:
            raise err(forbidden, "không được ghi bí mật trong cấu hình nguồn; dùng *_env hoặc "
                      "*_file", "secrets must not be stored in the source config; use *_env or "
                      "*_file")



def validate_column_types(types: Any, known: dict[str, str], where: str) -> None:
    """Each declared column type (``{"column": "type"}``) must be one of ``known``."""
    for col, kind in (types or {}).items():
        if kind not in known:
            raise err(f"{where}.{col}", f"kiểu không hỗ trợ '{kind}'", f"unsupported type '{kind}'")


def validate_bool(config: dict[str, Any], key: str, default: bool) -> None:
    if not isinstance(config.get(key, default), bool):
        raise err(key, "phải là true hoặc false", "must be true or false")


def check_connection_enabled() -> bool:
    return tk.asbool(tk.config.get("ckanext.longan_opendata.harvest.check_connection", True))


def load_config(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        config = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"config: không phải JSON hợp lệ ({exc}) / not valid JSON") from exc
    if not isinstance(config, dict):
        raise ConfigError("config: phải là một đối tượng JSON / must be a JSON object")
    return config

