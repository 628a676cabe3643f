"""A user's preferences: the language of the e-mails the portal sends them (read by
:mod:`ckanext.longan_opendata.mailer`), chosen on their profile's edit page.

:mod:`.action` the action ``longan_user_language_set``, :mod:`.auth` who may call it (the user, a
sysadmin), :mod:`.views` the form's POST.
"""
from __future__ import annotations

from typing import Any

__all__ = ["get_actions", "get_auth_functions", "get_blueprints", "get_helpers"]


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_helpers() -> dict[str, Any]:
    from . import action
    return {"longan_user_language": action.user_language,
            "longan_languages": action.languages}


def get_blueprints() -> list[Any]:
    from . import views
    return [views.preferences]
