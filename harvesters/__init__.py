"""The harvest concern of the Long An portal (shipped as ``ckanext.longan_opendata.harvesters``).

- the harvesters: :mod:`.base` (the stages both share), :mod:`.config` (a source's config and
  dataset metadata), :mod:`.secrets` (named secrets and their host/organisation bindings),
  :mod:`.claim` (one delivery per object), :mod:`.sql` (``longan_sql``, the shared databases, with
  :mod:`.sql_config` and :mod:`.sql_source`), :mod:`.api` (``longan_api``, the LGSP and REST
  services, with :mod:`.api_config` and :mod:`.http_client`), :mod:`.loader` (COPY into the
  DataStore, on the tables of :mod:`.datastore_tables`, from the rows :mod:`.copy_text` writes),
  :mod:`.full_text` (the job that fills a large table's words, :mod:`.words`);
- who may administer sources (:mod:`.admin_auth`), who may read harvest metadata
  (:mod:`.visibility`), the reviewer's approval of ``auto_publish`` (:mod:`.approval`, its API in
  :mod:`.approval_actions`, its notice in :mod:`.helpers`, its button in :mod:`.views`);
- operations: :mod:`.ops` (schedules, stuck jobs), :mod:`.queue` (the Redis connection of the
  consumers), :mod:`.search_commit` (one Solr commit per job instead of one per dataset),
  :mod:`.consumer_procs` (consumer processes for the tests and benchmarks), :mod:`.cli`
  (``ckan longan harvest-due``).

This module imports nothing at load time: CKAN loads it with the harvester plugins.
"""
from __future__ import annotations

from typing import Any

__all__ = ["get_actions", "get_auth_functions", "get_blueprints", "get_helpers"]


def _api_modules() -> tuple[Any, ...]:
    from . import admin_auth, approval_actions, search_commit, visibility
    return (admin_auth, approval_actions, visibility, search_commit)


def get_actions() -> dict[str, Any]:
    from ckanext.longan_opendata.registry import merged
    return merged(module.get_actions() for module in _api_modules())


def get_auth_functions() -> dict[str, Any]:
    from ckanext.longan_opendata.registry import merged
    return merged(module.get_auth_functions() for module in _api_modules())


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return [views.harvest]
