"""Harvested datasets are sent to Solr without a commit each; the job's end commits them.

CKAN commits Solr after every dataset it indexes (``package_create``/``package_update`` with
``ckan.search.solr_commit``): a hard commit that opens a new searcher and waits for it. Solr runs
commits one at a time, so two fetch consumers importing datasets queue behind each other's
commits (issue 13: about 0.4 s of each table's import on a busy machine, the largest single
cost). Inside :func:`deferred_commits` (the import stage of our harvesters) a dataset is indexed
as CKAN's ``defer_commit`` does: added, not committed. It becomes searchable:

- by Solr's automatic soft commit (``autoSoftCommit`` of ``solr/conf/solrconfig.xml``, 1 s);
- at the latest when its job finishes: ``harvest_jobs_run`` (chained here) commits Solr before
  ckanext-harvest marks any job Finished, and a job is marked Finished only when every object
  of it is settled, so every dataset of a finished job was added before that commit. The
  harvest source, reindexed by ckanext-harvest once its job is Finished, is then added without
  a commit of its own (``defer_commit``): searchable at the automatic soft commit.

The database side is unchanged: each dataset is committed with its import, all or nothing.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict

log = logging.getLogger(__name__)

__all__ = ["get_actions", "get_auth_functions"]

_DEFERRED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "longan_harvest_deferred_solr_commit", default=False)


@contextlib.contextmanager
def deferred_commits() -> Iterator[None]:
    """Datasets indexed inside are added to Solr without a commit (see the module)."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def install() -> None:
    """Make CKAN's package indexing honour :func:`deferred_commits` (once per process)."""
    from ckan.lib.search.index import PackageSearchIndex

    original = PackageSearchIndex.index_package
    if getattr(original, "longan_deferrable", False):
        return

    @functools.wraps(original)
    def index_package(self: Any, pkg_dict: Any, defer_commit: bool = False) -> Any:
        return original(self, pkg_dict, defer_commit or _DEFERRED.get())

    index_package.longan_deferrable = True  # type: ignore[attr-defined]
    PackageSearchIndex.index_package = index_package  # type: ignore[method-assign]


def commit_search_index() -> None:
    """A Solr soft commit that returns once the new searcher is open: what was added is
    searchable."""
    from ckan.lib.search.common import make_connection

    make_connection().commit(softCommit=True, waitSearcher=True)


@tk.chained_action
def harvest_jobs_run(next_action: Action, context: Context, data_dict: DataDict) -> Any:
    """ckanext-harvest's, after a Solr commit when a job is running: a job it marks Finished
    has every dataset searchable."""
    from ckan import model
    from ckanext.harvest.model import HarvestJob

    if model.Session.query(HarvestJob.id).filter(HarvestJob.status == "Running").first():
        try:
            commit_search_index()
        except Exception:  # Solr down: the datasets wait for its automatic commit
            log.exception("Solr commit before finishing harvest jobs failed")
        # the harvest source reindexed by a job's end (its status) is searchable at Solr's
        # automatic soft commit, without a second commit of its own (0.1-0.3 s per job)
        context = {**context, "defer_commit": True}
    return next_action(context, data_dict)


def get_actions() -> dict[str, Callable[..., Any]]:
    return {"harvest_jobs_run": harvest_jobs_run}


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return {}
