"""Template helpers: code-list choices for the scheming form, and display names."""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.longan_opendata.metadata import codelists, units

Field = dict[str, Any]


def current_language() -> str:
    """The language of the current request; the site's default outside a request."""
    try:
        return tk.h.lang() or "vi"
    except (RuntimeError, AttributeError):
        return tk.config.get("ckan.locale_default") or "vi"



def longan_theme_choices(field: Field) -> list[dict[str, Any]]:
    return codelists.scheming_choices("themes")


def longan_frequency_choices(field: Field) -> list[dict[str, Any]]:
    return codelists.scheming_choices("frequencies")


def longan_language_choices(field: Field) -> list[dict[str, Any]]:
    return codelists.scheming_choices("languages")


def longan_personal_data_choices(field: Field) -> list[dict[str, Any]]:
    return codelists.scheming_choices("personal_data")


def longan_access_type_choices(field: Field) -> list[dict[str, Any]]:
    return codelists.scheming_choices("access_types")


def longan_encoding_choices(field: Field) -> list[dict[str, Any]]:
    return codelists.scheming_choices("encodings")


def longan_unit_choices(field: Field) -> list[dict[str, Any]]:
    """Current units first (Tây Ninh and its communes), then those before 1 July 2025."""
    return list(_unit_choices())


@functools.cache
def _unit_choices() -> tuple[dict[str, Any], ...]:
    # the unit table never changes while the process runs: build the 299 choices once, not on
    # every validation and form (it cost ~0.3 s per package_create on a busy machine)
    era_label = {
        units.NEW: {"vi": "hiện nay", "en": "current"},
        units.OLD: {"vi": "trước 1/7/2025", "en": "before 1 July 2025"},
    }
    order = {"province": 0, "district": 1, "commune": 2}
    ordered = sorted(units.catalogue().values(),
                     key=lambda u: (u.era != units.NEW, order[u.level], u.full_name()))
    return tuple(
        {"value": u.code,
         "label": {lang: f"{u.full_name()} ({era_label[u.era][lang]})" for lang in ("vi", "en")}}
        for u in ordered
    )


def longan_unit_name(code: str) -> str:
    return units.name(code)


def longan_code_label(list_name: str, value: str) -> str:
    """Label of a code in the user's language, e.g. ``("themes", "y-te")`` → "Y tế"."""
    return codelists.label(list_name, value, current_language())


def longan_license_title(license_: dict[str, Any]) -> str:
    return license_.get("title_en") if current_language() == "en" and license_.get("title_en") \
        else license_["title"]


def longan_license_summary(license_: dict[str, Any]) -> str:
    return license_.get(f"summary_{current_language()}") or license_.get("summary_vi", "")


def get_helpers() -> dict[str, Any]:
    return {
        name: fn for name, fn in globals().items()
        if name.startswith("longan_") and callable(fn)
    }
