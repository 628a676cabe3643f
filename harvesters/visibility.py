"""Harvest metadata follows the visibility of its source and of its dataset.

ckanext-harvest lets anyone read a harvest object (its content: a dataset's titles and columns,
even while the dataset waits for review), lists every source's full config to anonymous callers
(``harvest_source_list``: host, database, secret names, tables of private and deleted sources too)
and lets any logged-in user list every harvest object id. Here:

- ``harvest_object_show`` (API, ``/harvest/object/<id>``, ``/dataset/harvest_object/<id>``): the
  caller must be allowed ``harvest_source_show`` on the object's source AND ``package_show`` on
  its dataset, if it has one;
- ``harvest_object_list`` and ``harvest_source_list`` drop what the caller may not read;
- ``harvest_job_list`` without ``source_id`` is for sysadmins (it answered a 500);
- ``harvest_log_list`` (the harvest log table) is for sysadmins (its auth was the action itself).

``harvest_source_show``/``harvest_source_show_status`` already follow ``package_show`` of the
source, and the job pages/actions (``harvest_job_show``, ``harvest_job_report``,
``harvest_job_list`` of a source) need ``harvest_source_update``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Action, AuthFunction, AuthResult, Context, DataDict

__all__ = ["get_actions", "get_auth_functions"]


def get_actions() -> dict[str, Callable[..., Any]]:
    return {
        "harvest_source_list": harvest_source_list,
        "harvest_object_list": harvest_object_list,
    }


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return {
        "harvest_object_show": harvest_object_show,
        "harvest_job_list": harvest_job_list,
        "harvest_log_list": harvest_log_list,
    }


class _Readable:
    """``harvest_source_show`` / ``package_show`` decisions of one caller, each asked once."""

    def __init__(self, context: Context):
        self.user = context.get("user") or ""
        self._cache: dict[tuple[str, str], bool] = {}

    def _allowed(self, auth: str, object_id: str) -> bool:
        key = (auth, object_id)
        if key not in self._cache:
            try:  # a fresh context: the harvest auth functions write ``package`` into it
                tk.check_access(auth, {"user": self.user}, {"id": object_id})
                self._cache[key] = True
            except (tk.NotAuthorized, tk.ObjectNotFound):
                self._cache[key] = False
        return self._cache[key]

    def source(self, source_id: str) -> bool:
        return self._allowed("harvest_source_show", source_id)

    def dataset(self, package_id: str | None) -> bool:
        return not package_id or self._allowed("package_show", package_id)

    def harvest_object(self, obj: Any) -> bool:
        return self.source(obj.harvest_source_id) and self.dataset(obj.package_id)


def _object_of(data_dict: DataDict) -> Any | None:
    """The harvest object ``harvest_object_show`` will return (same lookup), or None."""
    from ckanext.harvest.model import HarvestObject

    data_dict = data_dict or {}
    if data_dict.get("id"):
        return HarvestObject.get(data_dict["id"], attr=data_dict.get("attr"))
    if data_dict.get("dataset_id"):
        pkg = model.Package.get(data_dict["dataset_id"])
        if pkg is None:
            return None
        return (model.Session.query(HarvestObject)
                .filter(HarvestObject.package_id == pkg.id)
                .filter(HarvestObject.current == True)  # noqa: E712
                .order_by(HarvestObject.import_finished.desc()).first())
    return None


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def harvest_object_show(next_auth: AuthFunction, context: Context,
                        data_dict: DataDict) -> AuthResult:
    """Only who may read the object's source and its dataset reads the object."""
    for key in ("id", "dataset_id", "attr"):
        value = (data_dict or {}).get(key)
        if value is not None and not isinstance(value, str):
            raise tk.ValidationError(
                {key: [tk._("The id of a harvest object or dataset must be text")]})
        if value is not None and "\x00" in value:
            raise tk.ObjectNotFound(tk._("Harvest object not found"))
    obj = _object_of(data_dict)
    if obj is not None and not _Readable(context).harvest_object(obj):
        return {"success": False, "msg": tk._("Harvest object not found")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_job_list(next_auth: AuthFunction, context: Context,
                     data_dict: DataDict) -> AuthResult:
    """Jobs of one source, for who may update it; all sources' jobs: sysadmins only."""
    source_id = (data_dict or {}).get("source_id")
    if not isinstance(source_id, str) or not source_id or "\x00" in source_id:
        return {"success": False, "msg": tk._("Only sysadmins may list the jobs of all sources")}
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_log_list(next_auth: AuthFunction, context: Context,
                     data_dict: DataDict) -> AuthResult:
    """The harvest log (every source's messages): sysadmins only (they pass every auth).
    ckanext-harvest registers its actions as auth functions too (a shared default dict in its
    ``_get_logic_functions``), so its "auth" here was the action itself."""
    return {"success": False, "msg": tk._("Only sysadmins may read the harvest log")}


@tk.chained_action
@tk.side_effect_free
def harvest_source_list(next_action: Action, context: Context,
                        data_dict: DataDict) -> list[dict[str, Any]]:
    """ckanext-harvest's list, limited to the sources the caller may ``harvest_source_show``
    (anonymous callers got every source's config; logged-in non-sysadmins got none)."""
    tk.check_access("harvest_source_list", context, data_dict)  # ckanext-harvest's did not
    user = context.get("user") or ""
    user_obj = model.User.get(user) if user else None
    if context.get("ignore_auth") or (user_obj is not None and user_obj.sysadmin):
        return next_action(context, data_dict)
    data_dict = dict(data_dict or {})
    last_job_status = tk.asbool(data_dict.pop("return_last_job_status", False))
    # ckanext-harvest's list of all sources (what it gives anonymous callers), then filtered
    everything: Context = {**context, "user": "", "auth_user_obj": None}  # type: ignore
    readable = _Readable(context)
    sources = [s for s in next_action(everything, data_dict) if readable.source(s["id"])]
    if last_job_status:
        for source in sources:
            status = tk.get_action("harvest_source_show_status")(
                {"user": user}, {"id": source["id"]})
            source["last_job_status"] = status.get("last_job") or {}
    return sources


@tk.chained_action
@tk.side_effect_free
def harvest_object_list(next_action: Action, context: Context,
                        data_dict: DataDict) -> list[str]:
    """ckanext-harvest's list of object ids, without those the caller may not
    ``harvest_object_show``."""
    from ckanext.harvest.model import HarvestObject

    ids = next_action(context, data_dict)
    user = context.get("user") or ""
    user_obj = model.User.get(user) if user else None
    if context.get("ignore_auth") or (user_obj is not None and user_obj.sysadmin) or not ids:
        return ids
    readable = _Readable(context)
    rows = (model.Session.query(HarvestObject.id, HarvestObject.harvest_source_id,
                                HarvestObject.package_id)
            .filter(HarvestObject.id.in_(ids)).all())
    allowed = {row.id for row in rows
               if readable.source(row.harvest_source_id) and readable.dataset(row.package_id)}
    return [object_id for object_id in ids if object_id in allowed]
