"""``longan_schemaorg``: schema.org JSON-LD of the dataset pages."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles.base import (
    RDF,
    SCHEMA,
)
from ckanext.dcat.profiles.schemaorg import SchemaOrgProfile
from ckanext.dcat.utils import resource_uri
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ckanext.longan_opendata.metadata import codelists, units

from .common import (
    DEFAULT_DESCRIPTION,
    MEDIA_TYPES,
    VI,
    licence_iri,
)


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
            # a blank node: the page's HTML never shows portal codes such as "old-794"
            place = BNode()
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
