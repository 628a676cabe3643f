"""URL names from Vietnamese titles.

"Danh sách trường học – Đường bộ" → "danh-sach-truong-hoc-duong-bo".

CKAN's ``munge_title_to_name`` drops Vietnamese letters ("Đường bộ" → "ng-b"); here every letter
loses its tone and vowel marks (NFD decomposition), and đ/Đ become d.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

MAX_LENGTH = 100  # CKAN's limit for dataset and organisation names
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII form of Vietnamese text: "Đường Bộ" → "duong bo"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    """A CKAN-valid name (``[a-z0-9-]``, at most ``max_length`` characters) from ``text``."""
    slug = _NOT_ALLOWED.sub("-", fold(text)).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")


def unique_slug(text: str, taken: Callable[[str], bool], max_length: int = MAX_LENGTH) -> str:
    """``slugify(text)``, with ``-2``, ``-3``… appended while ``taken(name)`` says it is used."""
    base = slugify(text, max_length) or "bo-du-lieu"
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
