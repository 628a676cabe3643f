"""``longan_user_language_set``: the language of a user's e-mails."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from babel import Locale
from ckan import model
from ckan.types import Context, DataDict

from ckanext.longan_opendata import mailer

__all__ = ["get_actions", "languages", "user_language"]


def longan_user_language_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Choose the language of the e-mails the portal sends a user (workflow notices…).

    :param id: the user's id or name
    :type id: string
    :param locale: one of the site's languages (``ckan.locales_offered``), e.g. ``"vi"`` or
        ``"en"``; empty to follow the site's default language
    :type locale: string
    :returns: ``{"id": …, "name": …, "locale": …}`` (``locale`` None: the site's default)
    :rtype: dictionary
    """
    user = model.User.get(str(data_dict.get("id") or ""))
    if user is None or user.state == "deleted":
        raise tk.ObjectNotFound(tk._("User not found"))
    tk.check_access("longan_user_language_set", context, {"id": user.id})
    locale = data_dict.get("locale") or None
    if locale is not None and (not isinstance(locale, str)
                               or locale not in mailer.offered_locales()):
        raise tk.ValidationError({"locale": [
            tk._("The language “%(field)s” must be one of: %(choices)s") % {
                "field": "locale", "choices": ", ".join(mailer.offered_locales())}]})
    mailer.set_user_locale(user, locale)
    model.Session.commit()
    return {"id": user.id, "name": user.name, "locale": locale}


def user_language(user: Any) -> str | None:
    """The language a user chose for their e-mails (None: the site's default)."""
    found = model.User.get(user.get("id") if isinstance(user, dict) else str(user or ""))
    extras = (found.plugin_extras or {}) if found is not None else {}
    return (extras.get(mailer.EXTRAS_KEY) or {}).get("locale")


def languages() -> list[tuple[str, str]]:
    """(code, name in its own language) of the site's languages: ("vi", "Tiếng Việt")."""
    return [(code, Locale.parse(code).get_display_name(code).capitalize())
            for code in mailer.offered_locales()]


def get_actions() -> dict[str, Any]:
    return {"longan_user_language_set": longan_user_language_set}
