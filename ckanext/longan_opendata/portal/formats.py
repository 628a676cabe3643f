"""Dates and numbers in the reader's language (Babel, through flask-babel's locale of the request):
"2 tháng 12, 2026" and "1.234.567" in Vietnamese, "December 2, 2026" and "1,234,567" in English.

These are for people (pages, charts, the CSV/JSON the portal writes for readers); the API keeps
ISO 8601 dates and plain numbers. CKAN's own ``h.render_datetime`` is chained so that every CKAN
page (the dataset page's activity stream and "Last updated" rows included) writes its dates in the
reader's order too: CKAN's "MMMM d, YYYY" pattern reads "tháng 12 2, 2026" in Vietnamese.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
import flask_babel

__all__ = ["get_helpers", "longan_date", "longan_has_value", "longan_number", "longan_percent"]


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def longan_date(value: Any, with_hours: bool = False, length: str = "long") -> str:
    """A date (a ``datetime``, ``date`` or ISO 8601 text) in the reader's language and order:
    "2 tháng 12, 2026" / "December 2, 2026" (``length`` "short": "2/12/26" / "12/2/26"); with the
    time of day (in ``ckan.display_timezone``) if ``with_hours``. Empty for no date."""
    when = _as_datetime(value)
    if when is None:
        return ""
    if isinstance(when, dt.datetime) and when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)  # CKAN stores UTC without a zone
    text = flask_babel.format_date(when, length)
    if with_hours and isinstance(when, dt.datetime):
        text += ", " + flask_babel.format_time(when, "short")
    return text


def longan_number(value: Any, digits: int | None = None) -> str:
    """A number with the reader's separators: 1.234.567 (vi), 1,234,567 (en); ``digits`` fixes the
    decimals. Text that is not a number is returned as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if digits is not None:
        return flask_babel.format_decimal(value, format="#,##0." + "0" * digits if digits
                                          else "#,##0")
    return flask_babel.format_decimal(value)


def longan_percent(share: float | None) -> str:
    """A share (0.756) as a percentage in the reader's language: "76%" / "76 %"."""
    return "" if share is None else flask_babel.format_percent(share)


def longan_has_value(value: Any) -> bool:
    """Whether a dataset field has something to show: not None, not blank text, not an empty list
    or object (nor a list of empty entries)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return any(longan_has_value(v) for v in value)
    if isinstance(value, dict):
        return any(longan_has_value(v) for v in value.values())
    return True


@tk.chained_helper
def render_datetime(next_helper: Callable[..., str], datetime_: Any, date_format: str | None = None,
                    with_hours: bool = False, with_seconds: bool = False) -> str:
    """CKAN's helper, with its default patterns replaced by the reader's (an explicit
    ``date_format`` or ``with_seconds`` keeps CKAN's)."""
    if date_format or with_seconds or _as_datetime(datetime_) is None:
        return next_helper(datetime_, date_format, with_hours, with_seconds)
    return longan_date(datetime_, with_hours=with_hours)


def get_helpers() -> dict[str, Any]:
    return {"longan_date": longan_date, "longan_number": longan_number,
            "longan_percent": longan_percent, "longan_has_value": longan_has_value,
            "render_datetime": render_datetime}
