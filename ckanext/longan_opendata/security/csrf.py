"""CSRF protection of the portal's own forms that does not depend on CKAN's exemptions.

CKAN 2.12 (``ckan.config.middleware.flask_app.ckan_before_request``) calls
``csrf.exempt(view)`` on the process-wide Flask-WTF ``CSRFProtect`` object for every request it
identifies by an API token (or with no session at all, see ``load_user_from_request``). That
exemption is never removed: after one such request, every later cookie-session POST to the
same view skips the CSRF check for the rest of the worker's life. :func:`protect` runs as a
``before_request`` of the portal's blueprints and checks the token again, without exemptions,
unless this very request is authenticated by an API token (a browser cannot be made to send
one to another site).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import current_app, g, request
from flask_wtf.csrf import CSRFError

__all__ = ["protect", "refuse_sticky_exemptions", "remember_intended_exemptions"]

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _authenticated_by_api_token() -> bool:
    """True when the request's API token header names the user the request runs as."""
    from ckan.lib import api_token

    header = request.headers.get(tk.config.get("apitoken_header_name") or "Authorization", "")
    if not header:
        return False
    user = api_token.get_user_from_token(header)
    current = tk.current_user
    return bool(user is not None and current and current.is_authenticated
                and getattr(current, "id", None) == user.id)


#: the views exempted from CSRF by their code (decorators), before any app of this process
#: served a request (None until the first app is built)
_intended: frozenset[str] | None = None


def _csrf() -> Any:
    from ckan.config.middleware.flask_app import csrf

    return csrf


def remember_intended_exemptions() -> None:
    """Called when an app is built: what is exempt when the process builds its first app is
    exempt on purpose (CKAN's exemption set is process-wide, so a later app would inherit the
    run-time ones)."""
    global _intended
    if _intended is None:
        _intended = frozenset(_csrf()._exempt_views)


def _refuse() -> None:
    tk.abort(400, tk._("This form has expired or was not sent from this site (its CSRF "
                       "token is missing or wrong): reload the page and try again"))


def refuse_sticky_exemptions() -> None:
    """``before_request`` of the app: a logged-in cookie session (``login_via_auth_header`` is
    off: no API token, a session) posting to a view that CKAN exempted at run time must carry a
    valid CSRF token, as it had to before that exemption."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or g.get("login_via_auth_header"):
        return
    if request.method not in (current_app.config.get("WTF_CSRF_METHODS") or _UNSAFE):
        return
    csrf = _csrf()
    view = current_app.view_functions.get(request.endpoint or "")
    name = f"{view.__module__}.{view.__name__}" if view else None
    if name is None or name not in csrf._exempt_views or name in (_intended or ()) \
            or request.blueprint in csrf._exempt_blueprints:
        return
    try:
        csrf.protect()
    except CSRFError:
        _refuse()


def protect() -> None:
    """``before_request`` of a blueprint: a state-changing request from a cookie session must
    carry a valid CSRF token, whatever CKAN exempted before; 400 with a message otherwise."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    methods = current_app.config.get("WTF_CSRF_METHODS") or _UNSAFE
    if request.method not in methods or _authenticated_by_api_token():
        return
    try:
        _csrf().protect()  # without apply_exemptions: CKAN's sticky exemptions do not count
    except CSRFError:
        _refuse()
