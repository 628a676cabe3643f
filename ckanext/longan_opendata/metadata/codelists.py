"""The portal's code lists (``schemas/codelists.yaml``): themes, frequencies, languages…

Each entry has a ``value`` (the stored code), a bilingual ``label`` and, where DCAT needs it, the
``uri`` of the EU vocabulary concept.
"""
from __future__ import annotations

import functools
import importlib.resources
from typing import Any

import yaml

Entry = dict[str, Any]


@functools.cache
def _lists() -> dict[str, list[Entry]]:
    path = importlib.resources.files("ckanext.longan_opendata.schemas") / "codelists.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def entries(name: str) -> list[Entry]:
    """All entries of the code list ``name`` (e.g. ``"themes"``)."""
    return _lists()[name]


def entry(name: str, value: str) -> Entry | None:
    return next((e for e in entries(name) if e["value"] == value), None)


def values(name: str) -> list[str]:
    return [e["value"] for e in entries(name)]


def label(name: str, value: str, lang: str = "vi") -> str:
    """The label of ``value`` in ``lang`` (Vietnamese, then English, then the code)."""
    found = entry(name, value)
    if not found:
        return value
    text = found["label"]
    if isinstance(text, dict):
        return text.get(lang) or text.get("vi") or text.get("en") or value
    return str(text)


def uri(name: str, value: str) -> str | None:
    found = entry(name, value)
    return found.get("uri") if found else None


def scheming_choices(name: str) -> list[Entry]:
    """Choices in the form ckanext-scheming expects (``value`` and language-dict ``label``)."""
    return [{"value": e["value"], "label": e["label"]} for e in entries(name)]
