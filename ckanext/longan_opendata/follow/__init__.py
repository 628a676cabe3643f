"""Follow and feeds (issue 12): a person follows a dataset or an agency (CKAN's own follows), a
theme or a saved search (:mod:`.store`, table ``longan_subscription``), and gets a digest e-mail,
daily or weekly as they choose, of the followed datasets that got a new resource or a new version
(:mod:`.digest`, ``ckan longan follow-digest --period daily|weekly`` for cron), with a one-click
unsubscribe link signed for them (no login). Atom feeds are CKAN's (``/feeds/…``), linked from
the follow page for the same things (:mod:`.helpers`).

:mod:`.action` and :mod:`.auth` the API; :mod:`.views` the pages (``/theo-doi``).
"""
from __future__ import annotations

from typing import Any

__all__ = ["KINDS", "PERIODS", "get_actions", "get_auth_functions", "get_blueprints",
           "get_helpers"]

#: what can be followed
KINDS = ("dataset", "organization", "theme", "search")
#: how often the digest comes
PERIODS = ("daily", "weekly", "never")


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return [views.follow]
