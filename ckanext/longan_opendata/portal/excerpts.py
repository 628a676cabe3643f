"""The plain-text excerpts of dataset descriptions in dataset lists, made once per text.

Every dataset in a list (search page, agency page, home page) shows an excerpt of its
description: CKAN's ``h.markdown_extract`` renders the Markdown to HTML, cleans it and shortens
it, for each dataset on each view (about 0.15 ms each, 3 ms for a page of twenty). The same
datasets come back page after page, so the chained helper below remembers the excerpts of the
last :data:`REMEMBERED` descriptions of a worker process; the excerpt of a text never changes,
so there is nothing to expire. A description longer than :data:`LONGEST` characters is not
kept, which bounds the memory to a few megabytes.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk

__all__ = ["get_helpers"]

#: how many (description, length) excerpts a worker process remembers
REMEMBERED = 2048
#: descriptions longer than this (characters) are shortened each time, never kept
LONGEST = 4000


@functools.lru_cache(maxsize=REMEMBERED, typed=True)  # a Markup text apart from a str
def _remembered(make: Callable[..., Any], text: str, extract_length: int) -> Any:
    return make(text, extract_length=extract_length)


@tk.chained_helper
def markdown_extract(next_helper: Callable[..., Any], text: str,
                     extract_length: int = 190) -> Any:
    """CKAN's ``markdown_extract`` (plain text of Markdown, shortened to ``extract_length``),
    remembered for the descriptions seen last."""
    if (isinstance(text, str) and len(text) <= LONGEST and isinstance(extract_length, int)):
        return _remembered(next_helper, text, extract_length)
    return next_helper(text, extract_length=extract_length)


def get_helpers() -> dict[str, Any]:
    return {"markdown_extract": markdown_extract}
