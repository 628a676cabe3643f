"""Who may do what in the publish workflow: stewards (agency editors) submit, reviewers (agency
admins) approve, reject and withdraw; sysadmins may do everything."""
from __future__ import annotations

import ckan.authz as authz
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model

from .history import last_submitter_id
from .states import REVIEWER_TRANSITIONS, SELF_APPROVAL_OPTION, TRANSITIONS, state_of_package


def role_in_agency(user_name: str | None, org_id: str | None) -> str | None:
    """``admin`` (reviewer), ``editor`` (steward), ``member`` or None."""
    if not user_name or not org_id:
        return None
    return authz.users_role_for_group_or_org(org_id, user_name)


def is_reviewer(user_name: str | None, org_id: str | None) -> bool:
    return authz.is_sysadmin(user_name) or role_in_agency(user_name, org_id) == "admin"


def is_steward(user_name: str | None, org_id: str | None) -> bool:
    return authz.is_sysadmin(user_name) or role_in_agency(user_name, org_id) in ("admin", "editor")


def steward_agencies(user_name: str | None) -> list[str] | None:
    """Ids of the agencies whose stewards (editors, admins) include ``user_name``; None means
    every agency (a sysadmin)."""
    if not user_name:
        return []
    if authz.is_sysadmin(user_name):
        return None
    user = model.User.get(user_name)
    if user is None:
        return []
    query = sa.select(model.Member.group_id).where(
        model.Member.table_name == "user", model.Member.table_id == user.id,
        model.Member.state == "active", model.Member.capacity.in_(("admin", "editor")))
    return [org_id for (org_id,) in model.Session.execute(query)]


def allowed_transitions(user_name: str | None, pkg: model.Package) -> list[str]:
    """Names of the transitions ``user_name`` may perform on ``pkg`` now (drives the buttons)."""
    state = state_of_package(pkg)
    allowed = []
    for name, (sources, _target) in TRANSITIONS.items():
        if state not in sources:
            continue
        if name in REVIEWER_TRANSITIONS:
            ok = is_reviewer(user_name, pkg.owner_org)
            if ok and name == "approve" and not may_approve_own(user_name, pkg):
                ok = False
        else:
            ok = is_steward(user_name, pkg.owner_org)
        if ok:
            allowed.append(name)
    return allowed


def may_approve_own(user_name: str | None, pkg: model.Package) -> bool:
    """False when ``user_name`` submitted ``pkg`` and self-approval is off (sysadmins excepted)."""
    if authz.is_sysadmin(user_name) or tk.config.get(SELF_APPROVAL_OPTION):
        return True
    user = model.User.get(user_name) if user_name else None
    return user is None or last_submitter_id(pkg.id) != user.id

