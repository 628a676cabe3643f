"""What keeps the portal safe across its concerns: :mod:`.netguard` (no server-side request to an
internal address: harvest sources, xloader), :mod:`.csrf` (forms check their CSRF token whatever
CKAN exempted), :mod:`.request_checks` (no NUL byte reaches a view or action), :mod:`.params`
(typed API parameters, with Vietnamese errors naming the field)."""
from __future__ import annotations

from typing import Any

__all__ = ["install"]


def install(app: Any) -> None:
    """Hook the checks of every request into the Flask app (``IMiddleware.make_middleware``):
    they run after CKAN has identified the user, before any view."""
    from . import csrf, request_checks

    csrf.remember_intended_exemptions()
    app.before_request(request_checks.refuse_nul)
    app.before_request(csrf.refuse_sticky_exemptions)
