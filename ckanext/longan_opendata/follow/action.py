"""The follow API: follow / unfollow a dataset, an agency, a theme or a saved search; list what
one follows; choose the digest's period; send the digests (cron); unsubscribe with a token."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict

from ckanext.longan_opendata.metadata import codelists

from . import KINDS, PERIODS, digest, store

__all__ = ["get_actions"]

MAX_QUERY = 200
_CKAN_FOLLOW = {"dataset": ("follow_dataset", "unfollow_dataset"),
                "organization": ("follow_group", "unfollow_group")}


def get_actions() -> dict[str, Any]:
    return {name: globals()[name] for name in (
        "longan_follow", "longan_unfollow", "longan_follow_list", "longan_follow_period",
        "longan_follow_digest_send", "longan_follow_unsubscribe")}


def _user_id(context: Context) -> str:
    user = model.User.get(context.get("user") or "")
    if user is None:
        raise tk.NotAuthorized(tk._("Log in to follow"))
    return user.id


def _target(data_dict: DataDict) -> tuple[str, str]:
    """(kind, target) checked: a known kind; a theme code; a query of reasonable length."""
    kind, target = data_dict.get("kind"), data_dict.get("target")
    if kind not in KINDS:
        raise tk.ValidationError({"kind": [tk._("Follow: the kind must be one of {kinds}").format(
            kinds=", ".join(KINDS))]})
    if not isinstance(target, str) or not target.strip():
        raise tk.ValidationError({"target": [tk._("Follow: what to follow is missing")]})
    target = target.strip()
    if kind == "theme" and target not in codelists.values("themes"):
        raise tk.ValidationError({"target": [tk._("Follow: unknown theme “{code}”").format(
            code=target)]})
    if kind == "search" and len(target) > MAX_QUERY:
        raise tk.ValidationError({"target": [tk._(
            "Follow: a saved search has at most {n} characters").format(n=MAX_QUERY)]})
    return kind, target


def longan_follow(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Follow a dataset, an agency, a theme or a saved search (logged-in users).

    :param kind: ``dataset``, ``organization``, ``theme`` or ``search``
    :type kind: string
    :param target: the dataset's or agency's id or name, the theme's code, or the search query
    :type target: string
    :returns: ``{"kind", "target", "period"}`` (the digest's period, ``weekly`` by default)
    :rtype: dict
    """
    tk.check_access("longan_follow", context, data_dict)
    kind, target = _target(data_dict)
    user_id = _user_id(context)
    if kind in _CKAN_FOLLOW:
        try:
            tk.get_action(_CKAN_FOLLOW[kind][0])(
                {"user": context["user"]}, {"id": target})
        except tk.ValidationError as error:  # already followed
            if "already" not in str(error.error_dict).lower():
                raise
    else:
        store.add(user_id, kind, target)
        model.Session.commit()
    return {"kind": kind, "target": target, "period": store.period_of(user_id)}


def longan_unfollow(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stop following something (the same parameters as ``longan_follow``).

    :returns: ``{"kind", "target", "removed": bool}``
    :rtype: dict
    """
    tk.check_access("longan_unfollow", context, data_dict)
    kind, target = _target(data_dict)
    user_id = _user_id(context)
    if kind in _CKAN_FOLLOW:
        try:
            tk.get_action(_CKAN_FOLLOW[kind][1])({"user": context["user"]}, {"id": target})
            removed = True
        except tk.ObjectNotFound:
            removed = False
    else:
        removed = store.remove(user_id, kind, target)
        model.Session.commit()
    return {"kind": kind, "target": target, "removed": removed}


@tk.side_effect_free
def longan_follow_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the caller follows and how often the digest comes.

    :returns: ``{"dataset": [names], "organization": [names], "theme": [codes],
        "search": [queries], "period": "daily"|"weekly"|"never"}``
    :rtype: dict
    """
    tk.check_access("longan_follow_list", context, data_dict)
    user_id = _user_id(context)
    datasets = [model.Package.get(r.object_id) for r in model.Session.query(
        model.UserFollowingDataset).filter_by(follower_id=user_id)]
    orgs = [model.Group.get(r.object_id) for r in model.Session.query(
        model.UserFollowingGroup).filter_by(follower_id=user_id)]
    return {"dataset": sorted(p.name for p in datasets if p and p.state == "active"),
            "organization": sorted(g.name for g in orgs if g and g.state == "active"),
            **store.targets(user_id), "period": store.period_of(user_id)}


def longan_follow_period(context: Context, data_dict: DataDict) -> dict[str, str]:
    """Choose how often the digest comes.

    :param period: ``daily``, ``weekly`` or ``never``
    :type period: string
    :returns: ``{"period"}``
    :rtype: dict
    """
    tk.check_access("longan_follow_period", context, data_dict)
    period = data_dict.get("period")
    if period not in PERIODS:
        raise tk.ValidationError({"period": [tk._(
            "Digest: the period must be daily, weekly or never")]})
    store.set_period(_user_id(context), period)
    model.Session.commit()
    return {"period": period}


def longan_follow_digest_send(context: Context, data_dict: DataDict) -> dict[str, int]:
    """Send the digests of a period that are due (``ckan longan follow digest``; sysadmins).

    :param period: ``daily`` or ``weekly``
    :type period: string
    :returns: ``{"people", "sent", "empty"}``
    :rtype: dict
    """
    tk.check_access("longan_follow_digest_send", context, data_dict)
    period = data_dict.get("period")
    if not isinstance(period, str) or period not in digest.WINDOW:
        raise tk.ValidationError({"period": [tk._(
            "Digest: the period must be daily or weekly")]})
    return digest.send_digests(period)


def longan_follow_unsubscribe(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Stop the digests of the person a signed token names (the e-mail's link; no login).

    :param token: the token of the e-mail's unsubscribe link
    :type token: string
    :returns: ``{"period": "never"}``
    :rtype: dict
    """
    tk.check_access("longan_follow_unsubscribe", context, data_dict)
    token = data_dict.get("token")
    user_id = digest.user_of_token(token) if isinstance(token, str) else None
    if not user_id or model.User.get(user_id) is None:
        raise tk.ValidationError({"token": [tk._(
            "Unsubscribe: this link is not valid (it may have been cut)")]})
    store.set_period(user_id, "never")
    model.Session.commit()
    return {"period": "never"}
