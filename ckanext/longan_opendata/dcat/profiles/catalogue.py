"""Catalogue → graph: the catalogue's description in ``longan_dcat_ap_3``.

A mixin of :class:`~.dcat_ap_3.LonganDCATAP3Profile`, as :mod:`.reading` is: the catalogue is
described once per feed, from the site's configuration rather than from a dataset, but with the
profile's own graph helpers (``_text``, ``_drop``, ``_language``, ``_licence``, ``_location``,
``_regional_authority``), so that its publisher, licence and places are the same nodes the
datasets point to.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.dcat.profiles.base import DCAT, DCT, FOAF, RDF, SKOS
from rdflib import Literal, URIRef
from rdflib.term import Node

from .common import DATA_THEME_SCHEME, DEFAULT_DESCRIPTION, EN, SCHEMES, VI, site_url

#: the catalogue covers the province before and after 1 July 2025
CATALOGUE_UNITS = ("old-80", "new-80")
#: the licence the catalogue's datasets are published under unless they say otherwise
CATALOGUE_LICENCE = "vn-open-data-1.0"


class DCATAP3Catalogue:
    """The catalogue half of :class:`~.dcat_ap_3.LonganDCATAP3Profile` (uses its ``self.g`` and
    graph helpers)."""

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Node) -> None:
        catalog_dict = catalog_dict or {}
        for predicate in (DCT.title, DCT.description, DCT.language, DCT.publisher, DCT.license):
            self._drop(catalog_ref, predicate)
        self._catalogue_texts(catalog_dict, catalog_ref)
        self.g.add((catalog_ref, DCT.publisher, self._catalogue_publisher()))
        self._catalogue_licence(catalog_ref)
        self._catalogue_homepage_and_themes(catalog_ref)
        for code in CATALOGUE_UNITS:
            ref = self._location(code)
            if ref is not None:
                self.g.add((catalog_ref, DCT.spatial, ref))
        self._catalogue_issued(catalog_ref)

    def _catalogue_texts(self, catalog_dict: dict[str, Any], catalog_ref: Node) -> None:
        config = tk.config
        self._text(catalog_ref, DCT.title,
                   catalog_dict.get("title") or config.get("ckan.site_title"), VI)
        self._text(catalog_ref, DCT.description,
                   catalog_dict.get("description") or config.get("ckan.site_description")
                   or DEFAULT_DESCRIPTION, VI)
        language = self._language(config.get("ckan.locale_default") or VI)
        if language is not None:
            self.g.add((catalog_ref, DCT.language, language))

    def _catalogue_publisher(self) -> URIRef:
        """The portal's managing agency, a regional authority, from the configuration."""
        g, config = self.g, tk.config
        publisher = URIRef(site_url() + "/#co-quan-quan-ly")
        g.add((publisher, RDF.type, FOAF.Agent))
        self._text(publisher, FOAF.name,
                   config.get("ckanext.longan_opendata.dcat.publisher_name"), VI)
        if config.get("ckanext.longan_opendata.dcat.publisher_email"):
            g.add((publisher, FOAF.mbox, URIRef(
                "mailto:" + config["ckanext.longan_opendata.dcat.publisher_email"])))
        self._regional_authority(publisher)
        return publisher

    def _catalogue_licence(self, catalog_ref: Node) -> None:
        licences = {lic.id: lic for lic in model.Package.get_license_register().values()}
        default = licences.get(CATALOGUE_LICENCE)
        if default is not None:
            licence = self._licence({"license_id": default.id, "license_url": default.url,
                                     "license_title": default.title})
            if licence is not None:
                self.g.add((catalog_ref, DCT.license, licence))

    def _catalogue_homepage_and_themes(self, catalog_ref: Node) -> None:
        """The catalogue's IRI is the site URL; its home page is the page at that address."""
        g = self.g
        g.remove((catalog_ref, FOAF.homepage, None))
        homepage = URIRef(tk.config.get("ckan.site_url", "").rstrip("/") + "/")
        g.add((catalog_ref, FOAF.homepage, homepage))
        g.add((homepage, RDF.type, FOAF.Document))
        g.add((catalog_ref, DCAT.themeTaxonomy, DATA_THEME_SCHEME))
        g.add((DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
        g.set((DATA_THEME_SCHEME, DCT.title, Literal(SCHEMES[str(DATA_THEME_SCHEME)], lang=EN)))

    def _catalogue_issued(self, catalog_ref: Node) -> None:
        """Issued when the first public dataset was."""
        issued = model.Session.query(model.sa.func.min(model.Package.metadata_created)).filter(
            model.Package.state == "active", model.Package.private.is_(False)).scalar()
        self.g.remove((catalog_ref, DCT.issued, None))
        if issued is not None:
            self._add_date_triple(catalog_ref, DCT.issued, issued.isoformat())
