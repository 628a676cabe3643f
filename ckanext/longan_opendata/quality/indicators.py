"""The quality indicators, as data: one table (:data:`INDICATORS`) that the score, the
methodology page, the dataset page and the reports all read.

Five dimensions follow data.europa.eu's Metadata Quality Assessment (MQA) with its points,
adapted to this schema; a sixth, *freshness*, compares the last update with the declared
frequency (as data.gouv.fr does: next update due = last update + frequency, one day of grace).
Two indicators go beyond MQA: the declared format matches the bytes (link checker) and the
English title and description (bilingual catalogue).

Each check takes a :class:`Facts` (the dataset dictionary, the link checker's results of its
resources, today) and returns the share of the points earned (0…1), or ``None`` when the
indicator cannot be computed (no resource checked yet, an irregular frequency): it is then
skipped, out of the maximum, and the breakdown says so (as opendata.swiss does).
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ckanext.longan_opendata.quality import dcat_shapes

__all__ = ["DIMENSIONS", "INDICATORS", "Facts", "Indicator", "by_id"]


def _(msgid: str) -> str:
    """Marks a message for extraction; translated where it is shown (``tk._``)."""
    return msgid


#: dimension id → English label (translated where shown)
DIMENSIONS: dict[str, str] = {
    "findability": _("Findability"),
    "accessibility": _("Accessibility"),
    "interoperability": _("Interoperability"),
    "reusability": _("Reusability"),
    "contextuality": _("Contextuality"),
    "freshness": _("Freshness"),
}

#: rating id → English label (MQA's)
RATING_LABELS: dict[str, str] = {"excellent": _("Excellent"), "good": _("Good"),
                                 "sufficient": _("Sufficient"), "bad": _("Bad")}

#: formats without a proprietary specification, and formats a program can read
NON_PROPRIETARY = frozenset({"csv", "json", "xml", "geojson", "ods", "rdf", "txt", "api"})
MACHINE_READABLE = frozenset({"csv", "json", "xml", "geojson", "ods", "rdf", "xlsx", "shp",
                              "api"})
#: grace days after the update is due (data.gouv.fr)
GRACE_DAYS = 1


@dataclass
class Facts:
    """What the checks read: the dataset, its link-check results (resource id → result), today."""
    pkg: dict[str, Any]
    links: dict[str, dict[str, Any]]
    today: dt.date

    @property
    def resources(self) -> list[dict[str, Any]]:
        return [r for r in self.pkg.get("resources") or [] if isinstance(r, dict)]

    def formats(self) -> list[str]:
        return [(r.get("format") or "").strip().lower() for r in self.resources]

    @functools.cached_property
    def dcat(self) -> dcat_shapes.Conformance:
        return dcat_shapes.check(self.pkg, licence_url(self.pkg))


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    points: int
    label: str        # English msgid
    fix: str          # English msgid: how to earn the points
    check: Callable[[Facts], float | None]


# ---------------------------------------------------------------------------------------------
# the checks

def _filled(value: Any) -> bool:
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    return value not in (None, "", "[]", "{}")


def _present(field: str) -> Callable[[Facts], float]:
    return lambda facts: 1.0 if _filled(facts.pkg.get(field)) else 0.0


def _keywords(facts: Facts) -> float:
    return 1.0 if _filled(facts.pkg.get("tags")) or _filled(facts.pkg.get("tag_string")) else 0.0


def _temporal(facts: Facts) -> float:
    return 1.0 if _filled(facts.pkg.get("temporal_start")) or _filled(
        facts.pkg.get("temporal_end")) else 0.0


def _bilingual(facts: Facts) -> float:
    return (_filled(facts.pkg.get("title_en")) + _filled(facts.pkg.get("notes_en"))) / 2


def _share(items: list[bool]) -> float:
    return sum(items) / len(items) if items else 0.0


def _links_answer(downloads_only: bool) -> Callable[[Facts], float | None]:
    """Share of the checked resources (downloadable ones only, if asked) that answer."""
    def check(facts: Facts) -> float | None:
        results = [facts.links[r["id"]] for r in facts.resources
                   if r.get("id") in facts.links
                   and (not downloads_only or _is_download(r))]
        if not results:
            return None
        return _share([res.get("status") != "broken" for res in results])
    return check


def _is_download(resource: dict[str, Any]) -> bool:
    return bool(resource.get("url")) and (resource.get("access_type") or "download") != "api"


def _download_present(facts: Facts) -> float:
    return 1.0 if any(_is_download(r) for r in facts.resources) else 0.0


def _format_matches(facts: Facts) -> float | None:
    checked = [facts.links[r["id"]] for r in facts.resources if r.get("id") in facts.links
               and facts.links[r["id"]].get("format_ok") is not None]
    if not checked:
        return None
    return _share([bool(res.get("format_ok")) for res in checked])


def _formats(predicate: Callable[[str], bool]) -> Callable[[Facts], float]:
    return lambda facts: _share([predicate(fmt) for fmt in facts.formats()])


@functools.cache
def _known_formats() -> dict[str, dict[str, Any]]:
    from ckanext.longan_opendata.metadata import codelists
    return {entry["value"].lower(): entry for entry in codelists.entries("formats")}


def _media_type(fmt: str) -> bool:
    from ckanext.longan_opendata.dcat.profiles.common import MEDIA_TYPES
    return fmt in {code.lower() for code in MEDIA_TYPES}


@functools.cache
def _licences() -> dict[str, dict[str, Any]]:
    path = importlib.resources.files("ckanext.longan_opendata.schemas") / "licenses.json"
    return {lic["id"]: lic for lic in json.loads(path.read_text(encoding="utf-8"))}


def licence_url(pkg: dict[str, Any]) -> str | None:
    known = _licences().get(pkg.get("license_id") or "")
    return pkg.get("license_url") or (known or {}).get("url") or None


def _licence_vocabulary(facts: Facts) -> float:
    known = _licences().get(facts.pkg.get("license_id") or "")
    return 1.0 if known and known.get("url") else 0.0


def _access_rights(facts: Facts) -> float:
    # the profile states dct:accessRights PUBLIC for every dataset that declares no personal data
    return 1.0 if facts.pkg.get("contains_personal_data") == "no" else 0.0


def _contact(facts: Facts) -> float:
    points = facts.pkg.get("contact_points") or []
    return 1.0 if any(isinstance(c, dict) and (c.get("email") or c.get("phone"))
                      for c in points) else 0.0


def _byte_size(facts: Facts) -> float:
    return _share([_filled(r.get("size")) for r in facts.resources])


def _dcat_mandatory(facts: Facts) -> float:
    return 1.0 if facts.dcat.conforms else 0.0


def _dcat_recommended(facts: Facts) -> float:
    return facts.dcat.recommended_share


# ---------------------------------------------------------------------------------------------
# freshness

def last_update(pkg: dict[str, Any]) -> dt.date | None:
    """The latest of the dataset's change and its resources' data changes (``last_modified``,
    set when a file is uploaded or replaced)."""
    stamps = [pkg.get("metadata_modified")] + [
        r.get("last_modified") for r in pkg.get("resources") or [] if isinstance(r, dict)]
    dates = []
    for stamp in stamps:
        if isinstance(stamp, str) and stamp:
            try:
                dates.append(dt.date.fromisoformat(stamp[:10]))
            except ValueError:
                continue
    return max(dates) if dates else None


def frequency_days(code: str | None) -> int | None:
    from ckanext.longan_opendata.metadata import codelists
    entry = codelists.entry("frequencies", code) if code else None
    return entry.get("days") if entry else None


def overdue_days(pkg: dict[str, Any], today: dt.date) -> int | None:
    """Days past the expected next update (+ grace); ``None`` when nothing is expected."""
    days = frequency_days(pkg.get("frequency"))
    updated = last_update(pkg)
    if days is None or updated is None:
        return None
    return max(0, (today - updated).days - days - GRACE_DAYS)


def _fresh(facts: Facts) -> float | None:
    """Full points on time; half while less than one period late; none after.
    "never": static data, always fresh; "irregular": no expected date, skipped;
    no frequency declared: no points (declare one)."""
    code = facts.pkg.get("frequency")
    if not code:
        return 0.0
    if code == "never":
        return 1.0
    days = frequency_days(code)
    if days is None:
        return None
    late = overdue_days(facts.pkg, facts.today)
    if late is None:
        return None
    if late == 0:
        return 1.0
    return 0.5 if late <= days else 0.0


# ---------------------------------------------------------------------------------------------
# the table

INDICATORS: tuple[Indicator, ...] = (
    Indicator("keywords", "findability", 30, _("Keywords"),
              _("Add keywords (tags) that users would search for."), _keywords),
    Indicator("themes", "findability", 30, _("Themes"),
              _("Choose at least one theme."), _present("theme")),
    Indicator("spatial", "findability", 20, _("Administrative units"),
              _("Choose the province or communes the data covers."), _present("spatial_units")),
    Indicator("temporal", "findability", 20, _("Temporal coverage"),
              _("Give the period the data covers (start or end date)."), _temporal),
    Indicator("bilingual", "findability", 10, _("English title and description"),
              _("Add the English title and description."), _bilingual),
    Indicator("access_url_ok", "accessibility", 50, _("Resource links answer"),
              _("Repair or replace the resource links that do not answer."),
              _links_answer(downloads_only=False)),
    Indicator("download_url", "accessibility", 20, _("Download link present"),
              _("Add a resource that can be downloaded (a file, not only an API)."),
              _download_present),
    Indicator("download_url_ok", "accessibility", 30, _("Download links answer"),
              _("Repair the download links that do not answer."),
              _links_answer(downloads_only=True)),
    Indicator("format", "interoperability", 20, _("Format given"),
              _("Give the format of every resource."),
              _formats(bool)),
    Indicator("media_type", "interoperability", 10, _("Media type known"),
              _("Use a format with a registered media type (CSV, JSON, XLSX…)."),
              _formats(_media_type)),
    Indicator("format_vocabulary", "interoperability", 10, _("Format from the EU vocabulary"),
              _("Choose the format from the list instead of typing it."),
              _formats(lambda fmt: bool(_known_formats().get(fmt, {}).get("uri")))),
    Indicator("non_proprietary", "interoperability", 20, _("Non-proprietary format"),
              _("Also publish the data in an open format (CSV, JSON, ODS)."),
              _formats(lambda fmt: fmt in NON_PROPRIETARY)),
    Indicator("machine_readable", "interoperability", 20, _("Machine-readable format"),
              _("Publish tables as CSV, XLSX or JSON rather than PDF."),
              _formats(lambda fmt: fmt in MACHINE_READABLE)),
    Indicator("dcat_ap", "interoperability", 20, _("DCAT-AP 3 mandatory properties"),
              _("Give a description and a link for every resource (DCAT-AP 3 mandatory)."),
              _dcat_mandatory),
    Indicator("dcat_ap_recommended", "interoperability", 10,
              _("DCAT-AP 3 recommended properties"),
              _("Fill the properties DCAT-AP 3 recommends (see the list below)."),
              _dcat_recommended),
    Indicator("format_matches", "interoperability", 10, _("Declared format matches the file"),
              _("Correct the declared format so that it matches the file."), _format_matches),
    Indicator("licence", "reusability", 20, _("Licence"),
              _("Choose a licence."), _present("license_id")),
    Indicator("licence_vocabulary", "reusability", 10, _("Licence from the portal's list"),
              _("Choose a licence from the portal's list of open licences."),
              _licence_vocabulary),
    Indicator("access_rights", "reusability", 15, _("Access rights"),
              _("Declare whether the data contains personal data."), _access_rights),
    Indicator("contact_point", "reusability", 20, _("Contact point"),
              _("Give a contact point with an e-mail address or a phone number."), _contact),
    Indicator("publisher", "reusability", 10, _("Publishing agency"),
              _("Choose the publishing agency."), _present("owner_org")),
    Indicator("rights", "contextuality", 5, _("Legal basis"),
              _("Name the document that requires or permits publication."),
              _present("legal_basis")),
    Indicator("byte_size", "contextuality", 5, _("File size"),
              _("Give the size of each file."), _byte_size),
    Indicator("issued", "contextuality", 5, _("Date of publication"),
              _("The portal records it when the dataset is created."),
              _present("metadata_created")),
    Indicator("modified", "contextuality", 5, _("Date of last change"),
              _("The portal records it on every change."), _present("metadata_modified")),
    Indicator("up_to_date", "freshness", 40, _("Updated as often as declared"),
              _("Update the data (or correct the declared frequency)."), _fresh),
)


@functools.cache
def by_id() -> dict[str, Indicator]:
    return {indicator.id: indicator for indicator in INDICATORS}


def max_points() -> int:
    return sum(indicator.points for indicator in INDICATORS)
