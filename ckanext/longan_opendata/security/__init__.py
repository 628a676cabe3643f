"""What keeps the portal safe across its concerns: :mod:`.netguard` (no server-side request to an
internal address: harvest sources, xloader), :mod:`.csrf` (forms check their CSRF token whatever
CKAN exempted), :mod:`.request_checks` (no NUL byte reaches a view or action), :mod:`.params`
(typed API parameters, with Vietnamese errors naming the field), :mod:`.ratelimit` (fixed-window
counters in Redis, the 429 answer) and :mod:`.limits` (the rate-limited doors: login, password
reset, API tokens), :mod:`.headers` (security headers and CSP on every response, secure
cookies over https)."""
from __future__ import annotations

from typing import Any

__all__ = ["get_actions", "install"]


def get_actions() -> dict[str, Any]:
    """The DataStore SQL endpoint's limits (when ``ckan.datastore.sqlsearch.enabled``)."""
    from . import datastore_sql

    return datastore_sql.get_actions()


def _before_csrf(app: Any, function: Any) -> None:
    """Run ``function`` right after CKAN's own ``before_request`` (which identifies the user),
    before Flask-WTF's CSRF check: a rate limit counts the posts that CSRF would refuse too."""
    functions = app.before_request_funcs.setdefault(None, [])
    names = [getattr(f, "__name__", "") for f in functions]
    at = names.index("ckan_before_request") + 1 if "ckan_before_request" in names else 0
    functions.insert(at, function)


def install(app: Any) -> None:
    """Hook the checks of every request into the Flask app (``IMiddleware.make_middleware``):
    they run after CKAN has identified the user, before any view."""
    from . import csrf, headers, limits, request_checks

    csrf.remember_intended_exemptions()
    app.before_request(request_checks.refuse_nul)
    _before_csrf(app, limits.check)
    app.before_request(csrf.refuse_sticky_exemptions)
    app.after_request(headers.add_headers)
    headers.secure_cookies(app)
