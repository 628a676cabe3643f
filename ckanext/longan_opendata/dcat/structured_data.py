"""DCAT on the dataset page: links to the dataset's RDF (Turtle, RDF/XML, JSON-LD) and its
schema.org JSON-LD (``structured_data``, ckanext-dcat's helper, built faster)."""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import plugins

from ckanext.longan_opendata.metadata.helpers import current_language

__all__ = ["get_helpers"]


def longan_dcat_links(pkg: dict[str, Any]) -> list[dict[str, str]]:
    names = (("ttl", "Turtle (.ttl)"), ("rdf", "RDF/XML (.rdf)"), ("jsonld", "JSON-LD (.jsonld)"))
    return [{"format": fmt, "label": label,
             "url": tk.h.url_for("dcat.read_dataset", _id=pkg["name"], _format=fmt)}
            for fmt, label in names]


# --- the dataset page's schema.org JSON-LD (ckanext-dcat's ``structured_data`` helper) ---
#
# dcat builds a new RDFSerializer for every page, and each one looks its profiles up again
# among all installed entry points (a scan of every package's metadata: about half of the
# helper's time). The profile classes are looked up once per process here, and the result is
# kept per dataset version (id, metadata_modified) in a small per-process LRU.

_JSONLD_CACHE: OrderedDict[tuple, str] = OrderedDict()
_JSONLD_CACHE_SIZE = 512
_JSONLD_LOCK = threading.Lock()


@functools.cache
def _rdf_serializer_class() -> type:
    from ckanext.dcat.processors import RDFSerializer

    class Serializer(RDFSerializer):
        def _load_profiles(self, profile_names: list[str]) -> list[type]:
            return list(_rdf_profiles(tuple(profile_names)))

    return Serializer


@functools.cache
def _rdf_profiles(names: tuple[str, ...]) -> tuple[type, ...]:
    from ckanext.dcat.processors import RDFSerializer

    return tuple(RDFSerializer._load_profiles(None, list(names)))  # type: ignore[arg-type]


def _jsonld(dataset_dict: dict[str, Any], profiles: tuple[str, ...]) -> str:
    import simplejson

    output = _rdf_serializer_class()(profiles=list(profiles)).serialize_dataset(
        dataset_dict, _format="jsonld")
    # like dcat: parsed again and written with HTML-safe escapes (the text sits in <script>)
    return simplejson.dumps(simplejson.loads(output), sort_keys=True, indent=1,
                            cls=simplejson.JSONEncoderForHTML)


@tk.chained_helper
def structured_data(next_helper: Any, dataset_dict: dict[str, Any],
                    profiles: list[str] | None = None) -> str:
    """schema.org JSON-LD of a dataset page, as ckanext-dcat's helper, built faster."""
    profiles = profiles or tk.config.get("ckanext.dcat.structured_data.profiles") \
        or ["schemaorg"]
    if isinstance(profiles, str):
        profiles = profiles.split()
    key = (dataset_dict.get("id"), dataset_dict.get("metadata_modified"), tuple(profiles),
           current_language(), tk.config.get("ckan.site_url"))
    if not key[0] or not key[1]:
        return next_helper(dataset_dict, profiles)
    with _JSONLD_LOCK:
        found = _JSONLD_CACHE.get(key)
        if found is not None:
            _JSONLD_CACHE.move_to_end(key)
            return found
    text = _jsonld(dataset_dict, key[2])
    with _JSONLD_LOCK:
        _JSONLD_CACHE[key] = text
        while len(_JSONLD_CACHE) > _JSONLD_CACHE_SIZE:
            _JSONLD_CACHE.popitem(last=False)
    return text


def get_helpers() -> dict[str, Any]:
    chained = ({"structured_data": structured_data}
               if plugins.plugin_loaded("structured_data") else {})
    return {**chained, "longan_dcat_links": longan_dcat_links}
