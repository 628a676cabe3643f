"""Keep Solr in line with the database (``ckan longan reindex-missing``, the doctor's check, the
Solr rebuild of ``ckan longan restore``).

CKAN writes a dataset to PostgreSQL and to Solr in one action, but a dataset can still be missing
or stale in Solr: Solr was down when a job or a cron changed the database, a restore brought a
database without its index, Solr lost its data. :func:`drift` compares each dataset of the database
(``metadata_modified`` and ``private``) with the document Solr holds; :func:`heal` re-indexes what
differs and removes documents of datasets that no longer exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import search
from ckan.lib.search.common import make_connection

__all__ = ["Drift", "drift", "heal", "rebuild_all", "indexed_count"]


@dataclass
class Drift:
    """Datasets Solr lacks, holds stale (other ``metadata_modified`` or visibility), or holds
    although the database deleted them."""
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.stale or self.orphans)


def _solr_docs() -> dict[str, dict[str, Any]]:
    conn = make_connection(decode_dates=False)  # CKAN's decoder misreads milliseconds
    filters = [f'+site_id:"{tk.config.get("ckan.site_id")}"', "+entity_type:package"]
    total = conn.search(q="*:*", fq=filters, rows=0).hits
    found = conn.search(q="*:*", fq=filters, rows=total, fl="id,metadata_modified,capacity")
    return {doc["id"]: doc for doc in found.docs}


def _same_time(solr_value: str | dt.datetime | None, db_value: dt.datetime | None) -> bool:
    if not solr_value or db_value is None:
        return solr_value is None and db_value is None
    indexed = (solr_value if isinstance(solr_value, dt.datetime)
               else dt.datetime.fromisoformat(solr_value.rstrip("Z")))
    return abs(indexed.replace(tzinfo=None) - db_value) < dt.timedelta(milliseconds=1)


def drift() -> Drift:
    """How Solr differs from the database (raises ``SearchError`` when Solr does not answer)."""
    docs = _solr_docs()
    rows = (model.Session.query(model.Package.id, model.Package.metadata_modified,
                                model.Package.private)
            .filter(model.Package.state != model.State.DELETED).all())
    found = Drift()
    for pkg_id, modified, private in rows:
        doc = docs.pop(pkg_id, None)
        if doc is None:
            found.missing.append(pkg_id)
        elif (not _same_time(doc.get("metadata_modified"), modified)
              or doc.get("capacity") != ("private" if private else "public")):
            found.stale.append(pkg_id)
    found.orphans = sorted(docs)
    return found


def heal() -> dict[str, int]:
    """Index the missing and stale datasets, remove the orphans; returns how many of each."""
    found = drift()
    for pkg_id in found.orphans:
        search.clear(pkg_id)
    if found.missing or found.stale:
        search.rebuild(package_ids=found.missing + found.stale, quiet=True)
    search.commit()
    return {"missing": len(found.missing), "stale": len(found.stale),
            "orphans": len(found.orphans)}


def indexed_count() -> int:
    return len(_solr_docs())


def rebuild_all() -> int:
    """Clear this site's documents and index every dataset again; returns how many Solr holds."""
    model.Session.remove()
    search.clear_all()
    search.rebuild(quiet=True)
    search.commit()
    return indexed_count()
