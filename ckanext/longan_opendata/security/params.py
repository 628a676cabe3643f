"""Type checks of action parameters, made before any work.

The API accepts JSON, so a parameter documented as a string may arrive as a number, a list or an
object, and a string may hold a NUL byte that PostgreSQL refuses with an error. Each check raises
:class:`ckan.plugins.toolkit.ValidationError` under the parameter's name (409 in the API, a form
error or 400 on a page), with a message in the user's language that names the parameter.
"""
from __future__ import annotations

from typing import Any, NoReturn

import ckan.plugins.toolkit as tk

__all__ = ["text", "optional_text", "boolean", "integer", "text_list", "solr_query", "refuse"]

_TRUE = {"true", "yes", "on", "y", "t", "1"}
_FALSE = {"false", "no", "off", "n", "f", "0"}


def refuse(field: str, message: str) -> NoReturn:
    """Raise a ValidationError of ``field`` (the message is already translated)."""
    raise tk.ValidationError({field: [message]})


def _check_text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        refuse(field, tk._('The parameter “%(field)s” must be text') % {"field": field})
    if "\x00" in value:
        refuse(field, tk._('The parameter “%(field)s” must not contain a NUL character')
               % {"field": field})
    return value


def text(data_dict: dict[str, Any], field: str) -> str:
    """A required string parameter (an id or a name): present, a string, no NUL byte."""
    value = (data_dict or {}).get(field)
    if value in (None, ""):
        refuse(field, tk._('The parameter “%(field)s” is required') % {"field": field})
    return _check_text(value, field)


def optional_text(data_dict: dict[str, Any], field: str, default: str = "") -> str:
    """An optional string parameter: absent or null gives ``default``."""
    value = (data_dict or {}).get(field)
    if value is None:
        return default
    return _check_text(value, field)


def boolean(data_dict: dict[str, Any], field: str, default: bool | None = False) -> bool | None:
    """A boolean parameter: JSON true/false, or the strings CKAN's ``asbool`` knows."""
    value = (data_dict or {}).get(field)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    refuse(field, tk._('The parameter “%(field)s” must be true or false') % {"field": field})


def integer(data_dict: dict[str, Any], field: str, default: int, minimum: int = 0,
            maximum: int | None = None) -> int:
    """A whole number parameter (a JSON number or a string of digits) within bounds."""
    value = (data_dict or {}).get(field)
    if value is None or value == "":
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None or number < minimum or (maximum is not None and number > maximum):
        bounds = {"field": field, "min": minimum, "max": maximum}
        refuse(field, (tk._('The parameter “%(field)s” must be a whole number from %(min)s '
                            'to %(max)s') if maximum is not None else
                       tk._('The parameter “%(field)s” must be a whole number of at least '
                            '%(min)s')) % bounds)
    return number  # type: ignore[return-value]


def text_list(data_dict: dict[str, Any], field: str) -> list[str]:
    """A list of strings (ids or names), each without a NUL byte; absent gives ``[]``."""
    value = (data_dict or {}).get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(v, str) and "\x00" not in v for v in value):
        refuse(field, tk._('The parameter “%(field)s” must be a list of texts (ids or names)')
               % {"field": field})
    return value


def solr_query(data_dict: dict[str, Any], field: str = "q") -> str:
    """A free-text search query: text without NUL and without Solr local parameters
    (``{!lucene}``, ``{!func}``…), which would change the query parser."""
    value = optional_text(data_dict, field)
    if "{!" in value:
        refuse(field, tk._('The parameter “%(field)s” must not contain Solr local parameters '
                           '("{!…}")') % {"field": field})
    return value
