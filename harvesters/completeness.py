"""Harvested metadata made complete, or marked incomplete (issue 11, item 5).

What a source's config does not give, the harvest derives where it can:

- the **contact point** from the agency (the source's organisation: its name, e-mail, phone);
- the **English title** from a bilingual title "Tiếng Việt / English" (a table comment or the
  config's ``title``); a table's or endpoint's ``title_en`` overrides it;
- the **temporal coverage** from the column named by the table's or endpoint's
  ``temporal_column``: its minimum and maximum at the source (SQL: ``min``/``max`` on the
  source database; API: over the records), a date, a timestamp, a year (``2024`` → 1 January to
  31 December) or an ISO text; ``temporal_start``/``temporal_end`` given in the config win.

Whatever is still missing of what the workflow requires before submission
(:func:`ckanext.longan_opendata.workflow.missing_review_fields`) is written in the dataset's
``harvest_review_missing`` field (comma-separated names, empty when complete), listed on the
harvest job page, and readable by the quality report: a harvested dataset is never passed off
as complete.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from typing import Any

from ckanext.longan_opendata import workflow

__all__ = ["MARK_FIELD", "TEMPORAL_KEY", "complete", "incomplete_datasets", "mark", "period",
           "records_period", "split_bilingual"]

MARK_FIELD = "harvest_review_missing"
TEMPORAL_KEY = "temporal_column"
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_ASCII = re.compile(r"^[\x20-\x7e]+$")


def _bounds(value: Any) -> tuple[str, str] | None:
    """(first day, last day) a value stands for: a date, a year, a month or an ISO text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat(), value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _YEAR.match(text) and int(text) >= 1000:
        return f"{text}-01-01", f"{text}-12-31"
    month = _MONTH.match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        last = calendar.monthrange(int(month.group(1)), int(month.group(2)))[1]
        return f"{text}-01", f"{text}-{last:02d}"
    if _DAY.match(text):
        try:
            day = dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None
        return day, day
    return None


def period(values: Any) -> dict[str, str] | None:
    """``{temporal_start, temporal_end}`` covering ``values`` (those that are not dates are
    ignored); None when none is."""
    starts, ends = [], []
    for value in values:
        found = _bounds(value)
        if found:
            starts.append(found[0])
            ends.append(found[1])
    if not starts:
        return None
    return {"temporal_start": min(starts), "temporal_end": max(ends)}


def records_period(spool_path: str, column: str) -> dict[str, str] | None:
    """:func:`period` of ``column`` over the records of a JSON-lines spool file."""
    low: tuple[str, str] | None = None
    high: tuple[str, str] | None = None
    with open(spool_path, encoding="utf-8") as lines:
        for line in lines:
            found = _bounds(json.loads(line).get(column))
            if found:
                low = found if low is None or found[0] < low[0] else low
                high = found if high is None or found[1] > high[1] else high
    if low is None or high is None:
        return None
    return {"temporal_start": low[0], "temporal_end": high[1]}


def split_bilingual(title: str | None) -> tuple[str, str] | None:
    """'Dân số theo xã / Population by commune' → (Vietnamese, English); None otherwise."""
    parts = (title or "").split(" / ")
    if len(parts) == 2 and all(p.strip() for p in parts) and _ASCII.match(parts[1].strip()):
        return parts[0].strip(), parts[1].strip()
    return None


def _agency_contact(owner_org: str | None) -> dict[str, str] | None:
    """The organisation's name, email and phone (its scheming fields, stored as extras), read
    from the model: ``organization_show`` would also count its datasets in Solr, twice, for
    every harvested table."""
    from ckan import model

    org = model.Group.get(owner_org) if owner_org else None
    if org is None:
        return None
    extras = org.extras or {}
    contact = {key: (value or "").strip() for key, value in
               (("name", org.title), ("email", extras.get("email")),
                ("phone", extras.get("phone")))}
    if not contact["name"] or not (contact["email"] or contact["phone"]):
        return None
    return {key: value for key, value in contact.items() if value}


def complete(meta: dict[str, Any], owner_org: str | None,
             temporal: dict[str, str] | None) -> dict[str, Any]:
    """``meta`` with what the source did not give derived (see the module's docstring)."""
    meta = dict(meta)
    for key, value in (temporal or {}).items():
        if not meta.get(key):
            meta[key] = value
    if not meta.get("contact_points"):
        contact = _agency_contact(owner_org)
        if contact:
            meta["contact_points"] = [contact]
    both = split_bilingual(meta.get("title"))
    if both:
        meta["title"] = both[0]
        meta.setdefault("title_en", both[1])
    return meta


def mark(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a dataset about to be saved) with :data:`MARK_FIELD` set to what it lacks."""
    missing = workflow.missing_review_fields(data)
    return {**data, MARK_FIELD: ",".join(missing)}


def incomplete_datasets(job_id: str) -> list[dict[str, Any]]:
    """The datasets of a harvest job that lack review fields: ``{id, name, title, missing}``."""
    from ckan import model
    from ckanext.harvest.model import HarvestObject

    package_ids = {row.package_id for row in model.Session.query(HarvestObject.package_id)
                   .filter(HarvestObject.harvest_job_id == job_id,
                           HarvestObject.package_id.isnot(None))}
    found = []
    for package in model.Session.query(model.Package).filter(
            model.Package.id.in_(package_ids), model.Package.state == "active"):
        missing = (package.extras or {}).get(MARK_FIELD) or ""
        if missing:
            found.append({"id": package.id, "name": package.name, "title": package.title,
                          "missing": missing.split(",")})
    return sorted(found, key=lambda d: d["title"] or d["name"])
