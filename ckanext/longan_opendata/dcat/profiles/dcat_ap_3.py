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

``parse_dataset`` (in :mod:`.reading`) does the reverse, so that ckanext-dcat's ``dcat_rdf``
harvester on a CKAN with our schema gets our fields back; the catalogue's description
(``graph_from_catalog``) is in :mod:`.catalogue`.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    FOAF,
    GSP,
    OWL,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    XSD,
    RDFProfile,
)
from ckanext.dcat.utils import catalog_uri, publisher_uri_organization_fallback, resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.longan_opendata.metadata import codelists, units

from .catalogue import DCATAP3Catalogue
from .common import (
    ADMS_LICENCE_TYPE,
    CHECKSUM_ALGORITHMS,
    EN,
    EU,
    IANA,
    LICENCE_TYPES,
    MEDIA_TYPES,
    PUBLIC_ACCESS,
    REGIONAL_AUTHORITY,
    SCHEMES,
    SPDX_ALGORITHM,
    UNIT_PATH,
    VI,
    _unit_geometry,
    _wkt_bbox,
    licence_iri,
    site_url,
    tel_iri,
    unit_iri,
)
from .reading import DCATAP3Reading


class LonganDCATAP3Profile(DCATAP3Catalogue, DCATAP3Reading, RDFProfile):
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
        self.g.bind("longan_unit", URIRef(site_url() + UNIT_PATH))
        self._texts_and_codes(dataset_dict, dataset_ref)
        self._coverage(dataset_dict, dataset_ref)
        contacts = self._contacts(dataset_dict.get("contact_points") or [])
        self._drop(dataset_ref, DCAT.contactPoint)
        for contact in contacts:
            self.g.add((dataset_ref, DCAT.contactPoint, contact))
        publisher = self._publisher(dataset_dict, dataset_ref)
        self._version_and_access(dataset_dict, dataset_ref)
        licence = self._licence(dataset_dict)
        for resource in dataset_dict.get("resources") or []:
            self._distribution(resource, dataset_dict, dataset_ref, licence, contacts, publisher)
        from ckanext.longan_opendata.quality import dqv  # the score as DQV measurements
        dqv.add_measurements(self.g, dataset_ref, dataset_dict, site_url())
        self._series_types(dataset_dict, dataset_ref)

    def _series_types(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """DCAT 3 makes dcat:DatasetSeries a subclass of dcat:Dataset: state both types of a
        series (the catalogue's dcat:dataset expects a dcat:Dataset, and SHACL does not infer),
        and describe the series an edition is dcat:inSeries of (ckanext-dataset-series): its
        type, titles and descriptions when it is published, no link when it is not."""
        from ckanext.longan_opendata import workflow
        if dataset_dict.get("type") == "dataset_series":
            self.g.add((dataset_ref, RDF.type, DCAT.Dataset))
        for ref in list(self.g.objects(dataset_ref, DCAT.inSeries)):
            series_id = str(ref).rsplit("/", 1)[-1]
            try:
                series = tk.get_action("package_show")({"ignore_auth": True}, {"id": series_id})
            except tk.ObjectNotFound:
                series = {}
            if not series or not workflow.is_public_state(workflow.state_of_dict(series)):
                self.g.remove((dataset_ref, DCAT.inSeries, ref))
                continue
            self.g.add((ref, RDF.type, DCAT.DatasetSeries))
            for predicate, vi_key, en_key in ((DCT.title, "title", "title_en"),
                                              (DCT.description, "notes", "notes_en")):
                self._text(ref, predicate, series.get(vi_key), VI)
                self._text(ref, predicate, series.get(en_key), EN)

    def _texts_and_codes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Language-tagged title, description and keywords; themes, frequency and language as
        EU vocabulary concepts."""
        g = self.g
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

    def _coverage(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Administrative units (``dct:spatial``) and the temporal coverage."""
        g = self.g
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

    def _version_and_access(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Version, conformance, public access rights and the landing page."""
        g = self.g
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
        g.set((PUBLIC_ACCESS, SKOS.prefLabel, Literal("public", lang=EN)))
        self._in_scheme(PUBLIC_ACCESS, EU + "access-right")
        if dataset_dict.get("name"):
            page = URIRef(f"{site_url()}/dataset/{dataset_dict['name']}")
            g.set((dataset_ref, DCAT.landingPage, page))
            g.add((page, RDF.type, FOAF.Document))

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
