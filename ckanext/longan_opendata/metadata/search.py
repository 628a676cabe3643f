"""Search: what the portal adds to each dataset's Solr document, and the facets.

CKAN's Solr schema folds accents and case in its ``text`` fields (ASCIIFoldingFilter, which also
turns đ into d), so "dan so", "DÂN SỐ" and "Dân số" match alike once the text is in composed form
(NFC): decomposed input ("a" + combining marks, as some keyboards send) would be split apart by
the word-delimiter filter, so titles, descriptions and queries are normalised here. Codes that
need facets go to multi-valued ``vocab_*`` string fields, and their names (unit names, theme
labels) to ``text``, so that typing "Tân An" or "y tế" finds them.
"""
from __future__ import annotations

import json
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.metadata import codelists, units

FACET_THEME = "vocab_theme"
FACET_UNITS_NEW = "vocab_spatial_units"
FACET_UNITS_OLD = "vocab_spatial_units_old"
FACET_FREQUENCY = "vocab_frequency"
_TEXT_FIELDS = ("title", "notes", "title_en", "notes_en")


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [value]
    return [v for v in value or [] if isinstance(v, str)]


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_index``: facet fields, searchable names, NFC text."""
    validated = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    themes = _as_list(validated.get("theme"))
    unit_codes = _as_list(validated.get("spatial_units"))
    for field in _TEXT_FIELDS:
        if field in pkg_dict:
            pkg_dict[field] = _nfc(pkg_dict[field])
    pkg_dict[FACET_THEME] = themes
    pkg_dict[FACET_UNITS_NEW] = sorted(units.current_units(unit_codes))
    pkg_dict[FACET_UNITS_OLD] = sorted(units.legacy_units(unit_codes))
    if validated.get("frequency"):
        pkg_dict[FACET_FREQUENCY] = [validated["frequency"]]
    searchable = [validated.get("title_en"), validated.get("notes_en")]
    searchable += [codelists.label("themes", t, lang) for t in themes for lang in ("vi", "en")]
    all_units = set(unit_codes) | set(pkg_dict[FACET_UNITS_NEW]) | set(pkg_dict[FACET_UNITS_OLD])
    searchable += [units.name(code) for code in all_units]
    text = pkg_dict.get("text") or []
    pkg_dict["text"] = (text if isinstance(text, list) else [text]) + [
        _nfc(s) for s in searchable if s]
    return pkg_dict


def normalise_query(search_params: dict[str, Any]) -> dict[str, Any]:
    """``before_dataset_search``: queries in NFC, like the indexed text."""
    for key in ("q", "fq"):
        if isinstance(search_params.get(key), str):
            search_params[key] = _nfc(search_params[key])
    return search_params


def facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset facets, in the order of the search page, with translated titles."""
    return {
        FACET_THEME: tk._("Themes"),
        "organization": tk._("Organizations"),
        FACET_UNITS_NEW: tk._("Administrative units"),
        FACET_UNITS_OLD: tk._("Units before 1 July 2025"),
        "res_format": tk._("Formats"),
        "license_id": tk._("Licenses"),
        FACET_FREQUENCY: tk._("Update frequency"),
        **{k: v for k, v in facets_dict.items() if k not in ("groups", "tags")},
        "tags": tk._("Tags"),
    }


def label_facet_items(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: facet items show names, not codes."""
    lang = tk.h.lang() if tk.request else tk.config.get("ckan.locale_default")
    naming = {
        FACET_THEME: lambda code: codelists.label("themes", code, lang),
        FACET_FREQUENCY: lambda code: codelists.label("frequencies", code, lang),
        FACET_UNITS_NEW: units.name,
        FACET_UNITS_OLD: units.name,
    }
    for field, display in naming.items():
        for item in search_results.get("search_facets", {}).get(field, {}).get("items", []):
            item["display_name"] = display(item["name"])
    return search_results
