"""``longan_dcat_ap_3``: the portal's DCAT-AP 3 RDF profile for ckanext-dcat.

It runs after ckanext-dcat's ``euro_dcat_ap_3`` (``ckanext.dcat.rdf.profiles = euro_dcat_ap_3
longan_dcat_ap_3``) and rewrites what that profile cannot know about our schema:

- titles, descriptions and keywords as language-tagged literals (``@vi``, ``title_en`` ``@en``);
- themes, frequency, language, formats as EU vocabulary IRIs (``schemas/codelists.yaml``), typed
  and labelled so that the DCAT-AP 3 range shapes hold;
- administrative units as ``dct:Location`` with stable IRIs ``{site_url}/dia-ban/<code>``, their
  official code, name, centroid, bounding box and, for units before 1 July 2025, their successors;
- temporal coverage, contact points (vCard), publisher (``foaf:Agent`` of the organisation),
  licence per distribution, checksums, API resources as ``dcat:DataService``;
- the catalogue's title, description, language, licence, publisher, spatial coverage.

``parse_dataset`` does the reverse, so that ckanext-dcat's ``dcat_rdf`` harvester on a CKAN with
our schema gets our fields back.
"""
from __future__ import annotations

import functools
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    FOAF,
    GSP,
    OWL,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    SPDX,
    VCARD,
    XSD,
    RDFProfile,
)
from ckanext.dcat.profiles.schemaorg import SchemaOrgProfile
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback, resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.longan_opendata import codelists, units

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


class LonganDCATAP3Profile(RDFProfile):
    """DCAT-AP 3 for the Long An portal's schema; use after ``euro_dcat_ap_3``."""

    # ---------------------------------------------------------------- helpers (graph)
    def _drop(self, subject: Node, predicate: URIRef) -> None:
        """Remove ``subject predicate *`` and the blank nodes it pointed to."""
        for obj in list(self.g.objects(subject, predicate)):
            self.g.remove((subject, predicate, obj))
            if isinstance(obj, BNode) and (None, None, obj) not in self.g:
                for p_ in list(self.g.predicates(obj, None)):
                    self._drop(obj, p_)

    def _text(self, subject: Node, predicate: URIRef, value: Any, lang: str) -> None:
        if value and str(value).strip():
            self.g.add((subject, predicate, Literal(str(value).strip(), lang=lang)))

    def _concept(self, list_name: str, code: str,
                 rdf_class: URIRef | None = None) -> URIRef | None:
        """The EU vocabulary IRI of ``code``, typed and labelled in the graph."""
        iri = codelists.uri(list_name, code)
        if not iri:
            return None
        ref = URIRef(iri)
        self.g.add((ref, RDF.type, rdf_class or SKOS.Concept))
        if rdf_class is not None:
            self.g.add((ref, RDF.type, SKOS.Concept))
        for lang in (VI, EN):
            self._text(ref, SKOS.prefLabel, codelists.label(list_name, code, lang), lang)
        self._in_scheme(ref, iri.rsplit("/", 1)[0])
        return ref

    def _in_scheme(self, ref: URIRef, scheme: str) -> None:
        scheme_ref = URIRef(scheme)
        self.g.add((ref, SKOS.inScheme, scheme_ref))
        self.g.add((scheme_ref, RDF.type, SKOS.ConceptScheme))
        self.g.set((scheme_ref, DCT.title, Literal(SCHEMES[scheme], lang=EN)))

    def _licence(self, dataset_dict: dict[str, Any]) -> URIRef | None:
        license_id = dataset_dict.get("license_id")
        ref = licence_iri(license_id, dataset_dict.get("license_url"))
        if ref is None:
            return None
        g = self.g
        g.remove((ref, DCT.type, None))
        g.add((ref, RDF.type, DCT.LicenseDocument))
        self._text(ref, DCT.title, dataset_dict.get("license_title"), VI)
        kinds = LICENCE_TYPES.get(license_id or "", ())
        if kinds:  # DCAT-AP 3 allows one dct:type
            kind = URIRef(ADMS_LICENCE_TYPE + kinds[0])
            g.add((ref, DCT.type, kind))
            g.add((kind, RDF.type, SKOS.Concept))
            g.add((kind, SKOS.prefLabel, Literal(kinds[0], lang=EN)))
            self._in_scheme(kind, "http://purl.org/adms/licencetype/1.0")
        return ref

    def _regional_authority(self, agent: Node) -> None:
        self.g.add((agent, DCT.type, REGIONAL_AUTHORITY))
        self.g.add((REGIONAL_AUTHORITY, RDF.type, SKOS.Concept))
        self.g.add((REGIONAL_AUTHORITY, SKOS.prefLabel, Literal("Regional authority", lang=EN)))
        self._in_scheme(REGIONAL_AUTHORITY, "http://purl.org/adms/publishertype/1.0")

    def _location(self, code: str) -> URIRef | None:
        unit = units.get(code)
        if unit is None:
            return None
        g, ref = self.g, unit_iri(code)
        g.add((ref, RDF.type, DCT.Location))
        g.set((ref, SKOS.prefLabel, Literal(unit.full_name(), lang=VI)))
        g.set((ref, DCT.identifier, Literal(unit.official_code)))
        if unit.parent:
            g.set((ref, DCT.isPartOf, unit_iri(unit.parent)))
        for successor in unit.successors:  # old units: the current units they became
            g.add((ref, DCT.isReplacedBy, unit_iri(successor)))
        geometry = _unit_geometry().get(code)
        if geometry and geometry[0] is not None:
            lat, lon, bounds = geometry
            g.set((ref, DCAT.centroid, Literal(f"POINT({lon} {lat})", datatype=GSP.wktLiteral)))
            bbox = _wkt_bbox(bounds) if bounds else None
            if bbox:
                g.set((ref, DCAT.bbox, Literal(bbox, datatype=GSP.wktLiteral)))
        return ref

    def _organisation(self, dataset_dict: dict[str, Any]) -> dict[str, Any] | None:
        org = dataset_dict.get("organization")
        if not org:
            return None
        cache = self.__dict__.setdefault("_longan_orgs", {})
        if org["id"] not in cache:
            try:
                cache[org["id"]] = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": org["id"], "include_datasets": False})
            except tk.ObjectNotFound:
                cache[org["id"]] = org
        found = dict(cache[org["id"]])
        for extra in found.get("extras") or []:
            found.setdefault(extra.get("key"), extra.get("value"))
        return found

    # ---------------------------------------------------------------- dataset → graph
    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        g = self.g
        g.bind("longan_unit", URIRef(site_url() + UNIT_PATH))

        for predicate, vi_key, en_key in ((DCT.title, "title", "title_en"),
                                          (DCT.description, "notes", "notes_en")):
            self._drop(dataset_ref, predicate)
            self._text(dataset_ref, predicate, dataset_dict.get(vi_key), VI)
            self._text(dataset_ref, predicate, dataset_dict.get(en_key), EN)

        self._drop(dataset_ref, DCAT.keyword)
        for tag in dataset_dict.get("tags") or []:
            self._text(dataset_ref, DCAT.keyword, tag.get("name"), VI)

        self._drop(dataset_ref, DCAT.theme)
        for code in dataset_dict.get("theme") or []:
            ref = self._concept("themes", code)
            if ref is not None:
                g.add((dataset_ref, DCAT.theme, ref))

        self._drop(dataset_ref, DCT.accrualPeriodicity)
        if dataset_dict.get("frequency"):
            ref = self._concept("frequencies", dataset_dict["frequency"], DCT.Frequency)
            if ref is not None:
                g.add((dataset_ref, DCT.accrualPeriodicity, ref))

        self._drop(dataset_ref, DCT.language)
        # The schema's default language is Vietnamese (a dataset saved by the API may lack it).
        language = self._language(dataset_dict.get("language") or VI)
        if language is not None:
            g.add((dataset_ref, DCT.language, language))

        self._drop(dataset_ref, DCT.spatial)
        for code in dataset_dict.get("spatial_units") or []:
            ref = self._location(code)
            if ref is not None:
                g.add((dataset_ref, DCT.spatial, ref))

        self._drop(dataset_ref, DCT.temporal)
        start, end = dataset_dict.get("temporal_start"), dataset_dict.get("temporal_end")
        if start or end:
            period = BNode()
            g.add((period, RDF.type, DCT.PeriodOfTime))
            if start:
                g.add((period, DCAT.startDate, Literal(str(start)[:10], datatype=XSD.date)))
            if end:
                g.add((period, DCAT.endDate, Literal(str(end)[:10], datatype=XSD.date)))
            g.add((dataset_ref, DCT.temporal, period))

        self._drop(dataset_ref, DCAT.contactPoint)
        contacts = self._contacts(dataset_dict.get("contact_points") or [])
        for contact in contacts:
            g.add((dataset_ref, DCAT.contactPoint, contact))

        publisher = self._publisher(dataset_dict, dataset_ref)

        for predicate in (DCAT.version, OWL.versionInfo):
            g.remove((dataset_ref, predicate, None))
            if dataset_dict.get("version"):
                g.add((dataset_ref, predicate, Literal(dataset_dict["version"])))

        self._drop(dataset_ref, DCT.conformsTo)
        standard = self._standard(dataset_dict.get("conforms_to"))
        if standard is not None:
            g.add((dataset_ref, DCT.conformsTo, standard))

        g.set((dataset_ref, DCT.accessRights, PUBLIC_ACCESS))
        g.add((PUBLIC_ACCESS, RDF.type, DCT.RightsStatement))
        if dataset_dict.get("name"):
            page = URIRef(f"{site_url()}/dataset/{dataset_dict['name']}")
            g.set((dataset_ref, DCAT.landingPage, page))
            g.add((page, RDF.type, FOAF.Document))

        licence = self._licence(dataset_dict)
        for resource in dataset_dict.get("resources") or []:
            self._distribution(resource, dataset_dict, dataset_ref, licence, contacts, publisher)

    def _language(self, code: str | None) -> URIRef | None:
        iri = codelists.uri("languages", code) if code else None
        if not iri:
            return None
        ref = URIRef(iri)
        self.g.add((ref, RDF.type, DCT.LinguisticSystem))
        self._in_scheme(ref, EU + "language")
        return ref

    def _standard(self, value: str | None) -> Node | None:
        if not value or not str(value).strip():
            return None
        value = str(value).strip()
        ref: Node = URIRef(value) if re.match(r"^https?://\S+$", value) else BNode()
        self.g.add((ref, RDF.type, DCT.Standard))
        if isinstance(ref, BNode):
            self._text(ref, RDFS.label, value, VI)
        return ref

    def _contacts(self, contact_points: list[dict[str, Any]]) -> list[Node]:
        found: list[Node] = []
        for point in contact_points:
            if not any(point.get(k) for k in ("name", "email", "phone")):
                continue
            card = BNode()
            self.g.add((card, RDF.type, VCARD.Kind))
            self._text(card, VCARD.fn, point.get("name"), VI)
            if point.get("email"):
                self.g.add((card, VCARD.hasEmail, URIRef("mailto:" + point["email"].strip())))
            if point.get("phone"):
                self.g.add((card, VCARD.hasTelephone, tel_iri(point["phone"])))
            found.append(card)
        return found

    def _publisher(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> Node | None:
        """The organisation as ``foaf:Agent``; for a harvested dataset, its original publisher
        (the ``publisher_*`` extras the dcat_rdf harvester keeps)."""
        extras = {e.get("key"): e.get("value") for e in dataset_dict.get("extras") or []}
        for old in list(self.g.objects(dataset_ref, DCT.publisher)):
            if isinstance(old, URIRef):
                for predicate in (FOAF.name, FOAF.mbox, DCT.type, DCT.identifier):
                    self.g.remove((old, predicate, None))
        self._drop(dataset_ref, DCT.publisher)
        if extras.get("publisher_name"):
            org: dict[str, Any] | None = {
                "title": extras["publisher_name"], "email": extras.get("publisher_email"),
                "agency_code": extras.get("publisher_identifier")}
            uri = extras.get("publisher_uri")
        else:
            org = self._organisation(dataset_dict)
            uri = publisher_uri_organization_fallback(dataset_dict) if org else None
        if not org:
            return None
        g = self.g
        ref: Node = URIRef(uri) if uri else BNode()
        for predicate in (FOAF.name, FOAF.mbox, DCT.type, DCT.identifier, FOAF.homepage,
                          VCARD.hasEmail):
            g.remove((ref, predicate, None))
        email = str(org.get("email") or "").removeprefix("mailto:").strip()
        g.add((ref, RDF.type, FOAF.Agent))
        g.add((dataset_ref, DCT.publisher, ref))
        self._text(ref, FOAF.name, org.get("title") or org.get("name"), VI)
        self._regional_authority(ref)
        if org.get("agency_code"):
            g.add((ref, DCT.identifier, Literal(org["agency_code"])))
        if email:
            g.add((ref, FOAF.mbox, URIRef("mailto:" + email)))
        if org.get("url"):
            g.add((ref, FOAF.homepage, URIRef(org["url"])))
            g.add((URIRef(org["url"]), RDF.type, FOAF.Document))
        return ref

    def _distribution(self, resource: dict[str, Any], dataset_dict: dict[str, Any],
                      dataset_ref: Node, licence: URIRef | None, contacts: list[Node],
                      publisher: Node | None) -> None:
        g = self.g
        ref = URIRef(resource_uri(resource))
        for predicate, key in ((DCT.title, "name"), (DCT.description, "description")):
            self._drop(ref, predicate)
            self._text(ref, predicate, resource.get(key), VI)
        if licence is not None:
            g.set((ref, DCT.license, licence))

        self._drop(ref, DCT["format"])
        self._drop(ref, DCAT.mediaType)
        fmt = (resource.get("format") or "").strip()
        code = next((v for v in codelists.values("formats") if v.lower() == fmt.lower()), None)
        fmt_iri = codelists.uri("formats", code) if code else None
        if fmt_iri:
            g.add((ref, DCT["format"], URIRef(fmt_iri)))
            g.add((URIRef(fmt_iri), RDF.type, DCT.MediaTypeOrExtent))
            self._in_scheme(URIRef(fmt_iri), EU + "file-type")
        if code in MEDIA_TYPES:
            media = URIRef(IANA + MEDIA_TYPES[code])
            g.add((ref, DCAT.mediaType, media))
            g.add((media, RDF.type, DCT.MediaType))

        url = resource.get("url")
        if url:
            g.set((ref, DCAT.accessURL, URIRef(url)))
            g.add((URIRef(url), RDF.type, RDFS.Resource))
        if url and resource.get("access_type") == "api":
            g.remove((ref, DCAT.downloadURL, None))
            self._data_service(ref, resource, dataset_dict, dataset_ref, licence, contacts,
                               publisher)
        elif url:
            g.set((ref, DCAT.downloadURL, URIRef(url)))

        self._drop(ref, SPDX.checksum)
        if resource.get("hash"):
            algorithm, _, value = str(resource["hash"]).rpartition(":")
            algorithm = algorithm or CHECKSUM_ALGORITHMS.get(len(value), "")
            if algorithm:
                checksum = BNode()
                g.add((checksum, RDF.type, SPDX.Checksum))
                algorithm_ref = URIRef(SPDX_ALGORITHM + algorithm)
                g.add((checksum, SPDX.algorithm, algorithm_ref))
                g.add((algorithm_ref, RDF.type, SPDX.ChecksumAlgorithm))
                g.add((checksum, SPDX.checksumValue, Literal(value.lower(),
                                                             datatype=XSD.hexBinary)))
                g.add((ref, SPDX.checksum, checksum))

    def _data_service(self, distribution: URIRef, resource: dict[str, Any],
                      dataset_dict: dict[str, Any], dataset_ref: Node,
                      licence: URIRef | None, contacts: list[Node],
                      publisher: Node | None) -> None:
        g = self.g
        ref = URIRef(str(distribution) + "#dich-vu")
        g.add((ref, RDF.type, DCAT.DataService))
        g.add((distribution, DCAT.accessService, ref))
        self._text(ref, DCT.title, resource.get("name") or dataset_dict.get("title"), VI)
        self._text(ref, DCT.description, resource.get("description"), VI)
        g.add((ref, DCAT.endpointURL, URIRef(resource["url"])))
        g.add((ref, DCAT.servesDataset, dataset_ref))
        if licence is not None:
            g.add((ref, DCT.license, licence))
        g.add((ref, DCT.accessRights, PUBLIC_ACCESS))
        for contact in contacts:
            g.add((ref, DCAT.contactPoint, contact))
        if publisher is not None:
            g.add((ref, DCT.publisher, publisher))
        for theme in g.objects(dataset_ref, DCAT.theme):
            g.add((ref, DCAT.theme, theme))
        for keyword in g.objects(dataset_ref, DCAT.keyword):
            g.add((ref, DCAT.keyword, keyword))
        for standard in g.objects(dataset_ref, DCT.conformsTo):
            g.add((ref, DCT.conformsTo, standard))
        catalog = URIRef(catalog_uri())
        if (catalog, RDF.type, DCAT.Catalog) in g:
            g.add((catalog, DCAT.service, ref))

    # ---------------------------------------------------------------- catalogue → graph
    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        g, config = self.g, tk.config
        catalog_dict = catalog_dict or {}
        for predicate in (DCT.title, DCT.description, DCT.language, DCT.publisher, DCT.license):
            self._drop(catalog_ref, predicate)
        self._text(catalog_ref, DCT.title,
                   catalog_dict.get("title") or config.get("ckan.site_title"), VI)
        self._text(catalog_ref, DCT.description,
                   catalog_dict.get("description") or config.get("ckan.site_description")
                   or DEFAULT_DESCRIPTION, VI)
        language = self._language(config.get("ckan.locale_default") or VI)
        if language is not None:
            g.add((catalog_ref, DCT.language, language))

        publisher = URIRef(site_url() + "/#co-quan-quan-ly")
        g.add((publisher, RDF.type, FOAF.Agent))
        self._text(publisher, FOAF.name,
                   config.get("ckanext.longan_opendata.dcat.publisher_name"), VI)
        if config.get("ckanext.longan_opendata.dcat.publisher_email"):
            g.add((publisher, FOAF.mbox, URIRef(
                "mailto:" + config["ckanext.longan_opendata.dcat.publisher_email"])))
        self._regional_authority(publisher)
        g.add((catalog_ref, DCT.publisher, publisher))

        licences = {lic.id: lic for lic in model.Package.get_license_register().values()}
        default = licences.get("vn-open-data-1.0")
        if default is not None:
            licence = self._licence({"license_id": default.id, "license_url": default.url,
                                     "license_title": default.title})
            if licence is not None:
                g.add((catalog_ref, DCT.license, licence))

        # The catalogue's IRI is the site URL; its home page is the page at that address.
        g.remove((catalog_ref, FOAF.homepage, None))
        homepage = URIRef(config.get("ckan.site_url", "").rstrip("/") + "/")
        g.add((catalog_ref, FOAF.homepage, homepage))
        g.add((homepage, RDF.type, FOAF.Document))
        g.add((catalog_ref, DCAT.themeTaxonomy, DATA_THEME_SCHEME))
        g.add((DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
        g.set((DATA_THEME_SCHEME, DCT.title, Literal(SCHEMES[str(DATA_THEME_SCHEME)], lang=EN)))
        for code in ("old-80", "new-80"):
            ref = self._location(code)
            if ref is not None:
                g.add((catalog_ref, DCT.spatial, ref))
        issued = model.Session.query(model.sa.func.min(model.Package.metadata_created)).filter(
            model.Package.state == "active", model.Package.private.is_(False)).scalar()
        g.remove((catalog_ref, DCT.issued, None))
        if issued is not None:
            self._add_date_triple(catalog_ref, DCT.issued, issued.isoformat())

    # ---------------------------------------------------------------- graph → dataset
    def _lang_literals(self, subject: Node, predicate: URIRef) -> dict[str, str]:
        found: dict[str, str] = {}
        for obj in self.g.objects(subject, predicate):
            if isinstance(obj, Literal):
                found.setdefault(obj.language or "", str(obj))
        return found

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        g = self.g
        for predicate, vi_key, en_key in ((DCT.title, "title", "title_en"),
                                          (DCT.description, "notes", "notes_en")):
            texts = self._lang_literals(dataset_ref, predicate)
            value = texts.get(VI) or texts.get("") or next(
                (v for k, v in texts.items() if k != EN), None) or texts.get(EN)
            if value:
                dataset_dict[vi_key] = value
            if texts.get(EN):
                dataset_dict[en_key] = texts[EN]

        themes = _by_uri("themes")
        dataset_dict["theme"] = sorted(
            {themes[str(o)] for o in g.objects(dataset_ref, DCAT.theme) if str(o) in themes})
        frequency = _by_uri("frequencies").get(
            str(g.value(dataset_ref, DCT.accrualPeriodicity) or ""))
        dataset_dict.pop("frequency", None)
        if frequency:
            dataset_dict["frequency"] = frequency
        language = next((_by_uri("languages")[str(o)] for o in g.objects(dataset_ref, DCT.language)
                         if str(o) in _by_uri("languages")), None)
        dataset_dict.pop("language", None)
        if language:
            dataset_dict["language"] = language

        codes = []
        for place in g.objects(dataset_ref, DCT.spatial):
            match = UNIT_IRI.search(str(place))
            if match and units.get(match.group(1)):
                codes.append(match.group(1))
        dataset_dict["spatial_units"] = sorted(codes)

        for period in g.objects(dataset_ref, DCT.temporal):
            for key, predicate in (("temporal_start", DCAT.startDate),
                                   ("temporal_end", DCAT.endDate)):
                value = g.value(period, predicate)
                if value is not None:
                    dataset_dict[key] = str(value)[:10]

        contacts = []
        for card in g.objects(dataset_ref, DCAT.contactPoint):
            email = g.value(card, VCARD.hasEmail)
            phone = g.value(card, VCARD.hasTelephone)
            contacts.append({
                "name": str(g.value(card, VCARD.fn) or ""),
                "email": str(email).removeprefix("mailto:") if email else "",
                "phone": phone_from_tel(str(phone)) if phone else "",
            })
        dataset_dict["contact_points"] = contacts
        dataset_dict.pop("contact", None)

        standard = g.value(dataset_ref, DCT.conformsTo)
        dataset_dict.pop("conforms_to", None)
        if isinstance(standard, URIRef):
            dataset_dict["conforms_to"] = str(standard)
        elif standard is not None and g.value(standard, RDFS.label):
            dataset_dict["conforms_to"] = str(g.value(standard, RDFS.label))
        version = g.value(dataset_ref, DCAT.version) or g.value(dataset_ref, OWL.versionInfo)
        if version:
            dataset_dict["version"] = str(version)
        # Datasets with personal data are never published, so never in a catalogue.
        dataset_dict["contains_personal_data"] = "no"
        dataset_dict.setdefault("tags", [{"name": str(k)} for k in
                                         g.objects(dataset_ref, DCAT.keyword)])

        license_id = self._licence_id(dataset_ref)
        if license_id:
            dataset_dict["license_id"] = license_id
        self._parse_resources(dataset_dict, dataset_ref)
        return dataset_dict

    def _licence_id(self, dataset_ref: Node) -> str | None:
        register = list(model.Package.get_license_register().values())
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            iri = self.g.value(distribution, DCT.license)
            if iri is None:
                continue
            for lic in register:
                url = lic.url or ""
                if url and (str(iri) == url or (url.startswith("/") and str(iri).endswith(url))):
                    return lic.id
        return None

    def _parse_resources(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        g = self.g
        formats = _by_uri("formats")
        by_ref = {r.get("distribution_ref"): r for r in dataset_dict.get("resources") or []}
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            resource = by_ref.get(str(distribution))
            if resource is None:
                continue
            titles = self._lang_literals(distribution, DCT.title)
            if titles:
                resource["name"] = titles.get(VI) or next(iter(titles.values()))
            notes = self._lang_literals(distribution, DCT.description)
            if notes:
                resource["description"] = notes.get(VI) or next(iter(notes.values()))
            fmt = formats.get(str(g.value(distribution, DCT["format"]) or ""))
            if fmt:
                resource["format"] = fmt
            service = g.value(distribution, DCAT.accessService)
            resource["access_type"] = "api" if service is not None else "download"
            url = g.value(distribution, DCAT.downloadURL) or g.value(distribution, DCAT.accessURL)
            if service is not None and g.value(service, DCAT.endpointURL) is not None:
                url = g.value(service, DCAT.endpointURL)
            if url is not None:
                resource["url"] = str(url)
            resource.pop("access_services", None)
            checksum = g.value(distribution, SPDX.checksum)
            if checksum is not None and g.value(checksum, SPDX.checksumValue) is not None:
                algorithm = str(g.value(checksum, SPDX.algorithm) or "")
                value = str(g.value(checksum, SPDX.checksumValue))
                prefix = algorithm.removeprefix(SPDX_ALGORITHM)
                resource["hash"] = f"{prefix}:{value}" if prefix in CHECKSUM_ALGORITHMS.values() \
                    else value
            resource.pop("hash_algorithm", None)
            resource.pop("license", None)


class LonganSchemaOrgProfile(SchemaOrgProfile):
    """schema.org ``Dataset`` JSON-LD of the dataset pages (ckanext-dcat's ``structured_data``),
    with our fields: English title, language, administrative units, themes, contact points,
    absolute licence URL, media types. Use as ``ckanext.dcat.structured_data.profiles =
    longan_schemaorg``."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        super().graph_from_dataset(dataset_dict, dataset_ref)
        g = self.g
        if dataset_dict.get("title_en"):
            g.add((dataset_ref, SCHEMA.alternateName, Literal(dataset_dict["title_en"])))
        g.set((dataset_ref, SCHEMA.inLanguage, Literal(dataset_dict.get("language") or VI)))
        licence = licence_iri(dataset_dict.get("license_id"), dataset_dict.get("license_url"))
        if licence is not None:
            g.set((dataset_ref, SCHEMA.license, licence))
        for code in dataset_dict.get("spatial_units") or []:
            unit = units.get(code)
            if unit is None:
                continue
            place = unit_iri(code)
            g.add((place, RDF.type, SCHEMA.Place))
            g.add((place, SCHEMA.name, Literal(unit.full_name())))
            g.add((place, SCHEMA.identifier, Literal(unit.official_code)))
            g.add((dataset_ref, SCHEMA.spatialCoverage, place))
        for code in dataset_dict.get("theme") or []:
            iri = codelists.uri("themes", code)
            if iri:
                g.add((URIRef(iri), RDF.type, SCHEMA.DefinedTerm))
                g.add((URIRef(iri), SCHEMA.name, Literal(codelists.label("themes", code, VI))))
                g.add((dataset_ref, SCHEMA.about, URIRef(iri)))
        publisher = g.value(dataset_ref, SCHEMA.publisher)
        if publisher is not None:
            for point in list(g.objects(publisher, SCHEMA.contactPoint)):
                g.remove((publisher, SCHEMA.contactPoint, point))
                g.remove((point, None, None))
            for contact in dataset_dict.get("contact_points") or []:
                point = BNode()
                g.add((point, RDF.type, SCHEMA.ContactPoint))
                g.add((point, SCHEMA.contactType, Literal("customer service")))
                for key, predicate in (("name", SCHEMA.name), ("email", SCHEMA.email),
                                       ("phone", SCHEMA.telephone)):
                    if contact.get(key):
                        g.add((point, predicate, Literal(contact[key])))
                g.add((publisher, SCHEMA.contactPoint, point))
        for catalog in g.objects(dataset_ref, SCHEMA.includedInDataCatalog):
            g.set((catalog, SCHEMA.description, Literal(
                tk.config.get("ckan.site_description") or DEFAULT_DESCRIPTION)))
        for resource in dataset_dict.get("resources") or []:
            ref = URIRef(resource_uri(resource))
            fmt = (resource.get("format") or "").strip()
            code = next((v for v in MEDIA_TYPES if v.lower() == fmt.lower()), None)
            if code:
                g.set((ref, SCHEMA.encodingFormat, Literal(MEDIA_TYPES[code])))
