"""Who may create, edit and run harvest sources.

A harvest source reads a named secret and connects to a host from the portal's servers, so saving
or running one is not an organisation admin's right as for a dataset: only sysadmins, and the users
named in ``ckanext.longan_opendata.harvest.admin_users`` who are also admins of the source's
organisation, may. The ckanext-harvest auth functions (and CKAN's own ``package_*`` ones, for a
dataset of type ``harvest``) are chained: this check first, then ckanext-harvest's own.

The actions ``package_create``/``package_update`` (ckanext-harvest's source actions and the source
form go through them) also record the source's owner organisation for the validation of its config
(:data:`ckanext.longan_opendata.harvesters.secrets.source_owner`): ckanext-harvest's
``IHarvester.validate_config`` receives the config alone, and a secret is bound to organisations.
They also replace ckanext-harvest's English prefix of a config error ("Error parsing the
configuration options: …", added by its ``harvest_source_config_validator`` around our
``validate_config``) with the catalogue's words.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.types import Action, AuthFunction, AuthResult, Context, DataDict

from ckanext.longan_opendata.harvesters import secrets as harvest_secrets
from ckanext.longan_opendata.lang import Message

__all__ = ["get_actions", "get_auth_functions", "harvest_admin_users", "may_administer_harvest"]

HARVEST_TYPE = "harvest"


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return {
        "harvest_source_create": harvest_source_create,
        "harvest_source_update": harvest_source_update,
        "harvest_source_patch": harvest_source_update,
        "harvest_source_clear": harvest_source_update,
        "harvest_source_reindex": harvest_source_update,
        "harvest_source_delete": harvest_source_update,
        "harvest_job_create": harvest_job_create,
        "harvest_send_job_to_gather_queue": harvest_send_job_to_gather_queue,
        "harvest_job_abort": harvest_job_abort,
        "package_create": package_create,
        "package_update": package_update,
        "package_patch": package_update,
        "package_delete": package_update,
    }


def get_actions() -> dict[str, Callable[..., Any]]:
    return {"package_create": package_create_action, "package_update": package_update_action}


# ---------------------------------------------------------------------------------------- rule
def harvest_admin_users() -> set[str]:
    """The user names of ``ckanext.longan_opendata.harvest.admin_users``."""
    value = tk.config.get("ckanext.longan_opendata.harvest.admin_users") or ""
    return set(value.split() if isinstance(value, str) else value)


def may_administer_harvest(user: str | None, org_ids: list[str | None]) -> bool:
    """Sysadmin, or a declared harvest admin who is an admin of every organisation listed."""
    if not user:
        return False
    user_obj = model.User.get(user)
    if user_obj is None or user_obj.state != "active":
        return False
    if user_obj.sysadmin:
        return True
    if user_obj.name not in harvest_admin_users():
        return False
    return all(org and authz.has_user_permission_for_group_or_org(org, user_obj.name, "admin")
               for org in org_ids)


def _deny() -> AuthResult:
    return {"success": False, "msg": tk._(
        "Only sysadmins and the declared harvest administrators "
        "(ckanext.longan_opendata.harvest.admin_users) who administer the source's organisation "
        "may create, edit or run harvest sources")}


def _package(data_dict: DataDict, key: str = "id") -> model.Package | None:
    ref = (data_dict or {}).get(key) or (data_dict or {}).get("name")
    return model.Package.get(ref) if isinstance(ref, str) and ref else None


def _source_orgs(pkg: model.Package | None, data_dict: DataDict) -> list[str | None]:
    """The organisation the source belongs to, and the one it would move to."""
    orgs = [pkg.owner_org if pkg is not None else None]
    new = (data_dict or {}).get("owner_org")
    if new and (pkg is None or new != pkg.owner_org):
        orgs.append(new if isinstance(new, str) else None)
    return orgs


# ---------------------------------------------------------------------------- auth functions
@tk.chained_auth_function
def harvest_source_create(next_auth: AuthFunction, context: Context,
                          data_dict: DataDict) -> AuthResult:
    """Creating a source: a harvest admin of its organisation (``owner_org``)."""
    owner = (data_dict or {}).get("owner_org")
    if not may_administer_harvest(context.get("user"), [owner if isinstance(owner, str) else None]):
        return _deny()
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_source_update(next_auth: AuthFunction, context: Context,
                          data_dict: DataDict) -> AuthResult:
    """Editing, patching, clearing, reindexing or deleting a source (``id``)."""
    pkg = _package(data_dict)
    if pkg is None or not may_administer_harvest(context.get("user"),
                                                 _source_orgs(pkg, data_dict)):
        return _deny()
    return next_auth(context, data_dict)


@tk.chained_auth_function
def harvest_job_create(next_auth: AuthFunction, context: Context,
                       data_dict: DataDict) -> AuthResult:
    """Creating (and running) a job of a source (``source_id``)."""
    return _for_admins_of(_package(data_dict, "source_id"), next_auth, context, data_dict)


def _for_admins_of(pkg: model.Package | None, next_auth: AuthFunction, context: Context,
                   data_dict: DataDict) -> AuthResult:
    """``next_auth`` for a harvest admin of the organisation of the source ``pkg``; denied to
    everyone else (and when there is no such source)."""
    if pkg is None or not may_administer_harvest(context.get("user"), [pkg.owner_org]):
        return _deny()
    return next_auth(context, data_dict)


def _job_source(data_dict: DataDict) -> model.Package | None:
    from ckanext.harvest.model import HarvestJob

    data_dict = data_dict or {}
    source_id = data_dict.get("source_id")
    if not source_id and isinstance(data_dict.get("id"), str):
        job = HarvestJob.get(data_dict["id"])
        source_id = job.source_id if job is not None else None
    return model.Package.get(source_id) if isinstance(source_id, str) and source_id else None


@tk.chained_auth_function
def harvest_send_job_to_gather_queue(next_auth: AuthFunction, context: Context,
                                     data_dict: DataDict) -> AuthResult:
    """Sending a job (``id``) to the gather queue."""
    return _for_admins_of(_job_source(data_dict), next_auth, context, data_dict)


@tk.chained_auth_function
def harvest_job_abort(next_auth: AuthFunction, context: Context,
                      data_dict: DataDict) -> AuthResult:
    """Aborting a job (``source_id`` or job ``id``)."""
    return _for_admins_of(_job_source(data_dict), next_auth, context, data_dict)


@tk.chained_auth_function
def package_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """A dataset of type ``harvest`` is a harvest source: the same rule as creating one."""
    if (data_dict or {}).get("type") == HARVEST_TYPE:
        owner = data_dict.get("owner_org")
        if not may_administer_harvest(context.get("user"),
                                      [owner if isinstance(owner, str) else None]):
            return _deny()
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_update(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Editing, patching or deleting a harvest source through CKAN's dataset actions."""
    pkg = _package(data_dict)
    is_source = (pkg is not None and pkg.type == HARVEST_TYPE) or \
        (data_dict or {}).get("type") == HARVEST_TYPE
    if is_source and (pkg is None or not may_administer_harvest(
            context.get("user"), _source_orgs(pkg, data_dict))):
        return _deny()
    return next_auth(context, data_dict)


# ---------------------------------------------------------------- the owner for validate_config
def _org_refs(ref: Any) -> frozenset[str]:
    group = model.Group.get(ref) if isinstance(ref, str) and ref else None
    return frozenset((group.id, group.name)) if group is not None else frozenset()


def _with_owner(up_func: Action, context: Context, data_dict: DataDict,
                pkg: model.Package | None) -> Any:
    owner = (data_dict or {}).get("owner_org") or (pkg.owner_org if pkg is not None else None)
    token = harvest_secrets.source_owner.set(_org_refs(owner))
    try:
        return up_func(context, data_dict)
    except tk.ValidationError as error:
        _translate_config_prefix(error)
        raise
    finally:
        harvest_secrets.source_owner.reset(token)


#: what ckanext-harvest's ``harvest_source_config_validator`` puts before the error of
#: ``IHarvester.validate_config`` (in English, outside its catalogue)
HARVEST_PREFIX = "Error parsing the configuration options: "


def _translate_config_prefix(error: tk.ValidationError) -> None:
    """ckanext-harvest's English prefix of a config error, in the reader's language."""
    messages = (error.error_dict or {}).get("config")
    if isinstance(messages, list):
        error.error_dict["config"] = [
            str(Message("The source configuration is not valid: %(error)s",
                        error=m.removeprefix(HARVEST_PREFIX)))
            if isinstance(m, str) and m.startswith(HARVEST_PREFIX) else m for m in messages]


@tk.chained_action
def package_create_action(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Records a harvest source's owner organisation while its config is validated."""
    if isinstance(data_dict, dict) and data_dict.get("type") == HARVEST_TYPE:
        return _with_owner(up_func, context, data_dict, None)
    return up_func(context, data_dict)


package_create_action.__name__ = "package_create"


@tk.chained_action
def package_update_action(up_func: Action, context: Context, data_dict: DataDict) -> Any:
    """Records a harvest source's owner organisation while its config is validated."""
    pkg = _package(data_dict) if isinstance(data_dict, dict) else None
    if (pkg is not None and pkg.type == HARVEST_TYPE) or (
            isinstance(data_dict, dict) and data_dict.get("type") == HARVEST_TYPE):
        return _with_owner(up_func, context, data_dict, pkg)
    return up_func(context, data_dict)


package_update_action.__name__ = "package_update"
