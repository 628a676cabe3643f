"""Graph → dataset: what ``longan_dcat_ap_3`` reads back (``parse_dataset``), so that
ckanext-dcat's ``dcat_rdf`` harvester on a CKAN with our schema gets our fields back."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckanext.dcat.profiles.base import (
    DCAT,
    DCT,
    OWL,
    RDFS,
    SPDX,
    VCARD,
)
from rdflib import Literal, URIRef
from rdflib.term import Node

from ckanext.longan_opendata.metadata import units

from .common import (
    CHECKSUM_ALGORITHMS,
    EN,
    SPDX_ALGORITHM,
    UNIT_IRI,
    VI,
    _by_uri,
    phone_from_tel,
)


class DCATAP3Reading:
    """The reading half of :class:`~.dcat_ap_3.LonganDCATAP3Profile` (uses its ``self.g``)."""

    def _lang_literals(self, subject: Node, predicate: URIRef) -> dict[str, str]:
        found: dict[str, str] = {}
        for obj in self.g.objects(subject, predicate):
            if isinstance(obj, Literal):
                found.setdefault(obj.language or "", str(obj))
        return found

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> dict[str, Any]:
        self._read_texts_and_codes(dataset_dict, dataset_ref)
        self._read_coverage(dataset_dict, dataset_ref)
        self._read_contacts_and_version(dataset_dict, dataset_ref)
        license_id = self._licence_id(dataset_ref)
        if license_id:
            dataset_dict["license_id"] = license_id
        self._parse_resources(dataset_dict, dataset_ref)
        return dataset_dict

    def _read_texts_and_codes(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Title and description (Vietnamese, English); themes, frequency, language codes."""
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

    def _read_coverage(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Administrative unit codes from their IRIs, and the temporal coverage."""
        g = self.g
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

    def _read_contacts_and_version(self, dataset_dict: dict[str, Any], dataset_ref: Node) -> None:
        """Contact points (vCard), conformance, version, keywords."""
        g = self.g
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

