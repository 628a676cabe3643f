"""What the portal's RDF profiles share: vocabularies, IRIs of units, licences and phone numbers,
unit geometry, code-list look-ups."""
from __future__ import annotations

import functools
import re

from ckanext.dcat.utils import catalog_uri
from rdflib import URIRef

from ckanext.longan_opendata.metadata import codelists, units

VI, EN = "vi", "en"
EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME_SCHEME = URIRef(EU + "data-theme")
PUBLIC_ACCESS = URIRef(EU + "access-right/PUBLIC")
REGIONAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
LICENCE_TYPES = {  # ADMS licence types of our licences
    "vn-open-data-1.0": ("Attribution",),
    "CC-BY-4.0": ("Attribution",),
    "CC0-1.0": ("PublicDomain",),
    "ODbL-1.0": ("Attribution", "ShareAlike"),
}
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"
IANA = "https://www.iana.org/assignments/media-types/"
MEDIA_TYPES = {  # format code → IANA media type
    "CSV": "text/csv", "JSON": "application/json", "XML": "application/xml",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "GeoJSON": "application/geo+json", "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "PDF": "application/pdf", "RDF": "application/rdf+xml", "SHP": "application/zip",
}
CHECKSUM_ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
SPDX_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_"
SCHEMES = {  # concept schemes of the vocabularies we use, with their titles
    EU + "data-theme": "Data theme",
    EU + "frequency": "Frequency",
    EU + "language": "Language",
    EU + "file-type": "File type",
    EU + "access-right": "Access right",
    "http://purl.org/adms/licencetype/1.0": "ADMS licence type",
    "http://purl.org/adms/publishertype/1.0": "ADMS publisher type",
}
UNIT_PATH = "/dia-ban/"
UNIT_IRI = re.compile(r"/dia-ban/((?:old|new)-\d+)$")
DEFAULT_DESCRIPTION = ("Danh mục dữ liệu mở của các cơ quan nhà nước tỉnh Long An "
                       "(nay thuộc tỉnh Tây Ninh).")


def site_url() -> str:
    return catalog_uri().rstrip("/")


def unit_iri(code: str) -> URIRef:
    """The stable IRI of an administrative unit, e.g. ``{site_url}/dia-ban/old-794``."""
    return URIRef(f"{site_url()}{UNIT_PATH}{code}")


def licence_iri(license_id: str | None, license_url: str | None) -> URIRef | None:
    """The licence document's IRI (relative licence pages made absolute)."""
    if not license_url:
        return None
    if license_url.startswith("/"):
        license_url = site_url() + license_url
    return URIRef(license_url)


def tel_iri(phone: str) -> URIRef:
    """``0272 3826 123`` → ``tel:+84-272-3826-123`` (RFC 3966, separators kept as ``-``)."""
    number = re.sub(r"[\s.()]+", "-", phone.strip()).strip("-")
    if number.startswith("0"):
        number = "+84-" + number[1:]
    return URIRef("tel:" + number)


def phone_from_tel(value: str) -> str:
    number = value.removeprefix("tel:")
    if number.startswith("+84-"):
        number = "0" + number[4:]
    return number.replace("-", " ")


@functools.cache
def _unit_geometry() -> dict[str, tuple[float, float, str | None]]:
    """Portal unit code → (lat, lon, bounds "lat,lon – lat,lon" or None), from the same library
    as :mod:`units` (``vietnamadminunits``)."""
    found: dict[str, tuple[float, float, str | None]] = {}
    for row in units._rows(
            "SELECT provinceCode, provinceLat, provinceLon, provinceBounds, districtCode, "
            "districtLat, districtLon, districtBounds, wardCode, wardLat, wardLon, wardBounds "
            "FROM admin_units_legacy WHERE provinceKey = ?", units.LEGACY_PROVINCE_KEY):
        for level in ("province", "district", "ward"):
            found.setdefault(f"{units.OLD}-{row[level + 'Code']}",
                             (row[level + "Lat"], row[level + "Lon"], row[level + "Bounds"]))
    for row in units._rows(
            "SELECT provinceCode, provinceLat, provinceLon, wardCode, wardLat, wardLon "
            "FROM admin_units WHERE provinceKey = ?", units.CURRENT_PROVINCE_KEY):
        found.setdefault(f"{units.NEW}-{row['provinceCode']}",
                         (row["provinceLat"], row["provinceLon"], None))
        found.setdefault(f"{units.NEW}-{row['wardCode']}", (row["wardLat"], row["wardLon"], None))
    return found


def _wkt_bbox(bounds: str) -> str | None:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", bounds)]
    if len(numbers) != 4:
        return None
    lat1, lon1, lat2, lon2 = numbers
    return (f"POLYGON(({lon1} {lat1}, {lon2} {lat1}, {lon2} {lat2}, {lon1} {lat2}, "
            f"{lon1} {lat1}))")


def _by_uri(name: str) -> dict[str, str]:
    return {e["uri"]: e["value"] for e in codelists.entries(name) if e.get("uri")}

