"""Security headers on every response of the portal (pages, API, static files, errors).

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` (option ``...security.referrer_policy``);
- frame protection: ``X-Frame-Options: SAMEORIGIN`` and the CSP's ``frame-ancestors 'self'``
  (the portal frames its own resource views, nobody else frames the portal);
- ``Content-Security-Policy`` (option ``...security.csp``): scripts only from the portal itself,
  no inline script. CKAN 2.12 has no CSP nonces, and a few of its own templates still carry
  inline script (the resource-view iframe's ``preload_resource`` and the DataTables view, the
  resource upload field's ``onclick``, the API-token list's ``onchange``, scheming's
  ``javascript:`` links in the dataset form): the endpoints listed in
  ``...security.csp_inline_endpoints`` (editor forms and the view iframe, never the public
  pages) get ``'unsafe-inline'`` added to ``script-src``; the DataTables view's script
  (``datatablesview.js``: ``setTimeout(initFilterObserver(), 100)`` passes a non-function,
  which the browser evaluates as a string) also gets ``'unsafe-eval'``
  (``...security.csp_eval_endpoints``: the resource-view iframe only);
- the session and remember-me cookies are ``Secure`` when ``ckan.site_url`` is https
  (:func:`secure_cookies`, called when the app is built).
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response, request

__all__ = ["add_headers", "policy_for", "secure_cookies"]

_PREFIX = "ckanext.longan_opendata.security."


def _listed(option: str, endpoint: str) -> bool:
    allowed = tk.aslist(tk.config.get(_PREFIX + option))
    return endpoint in allowed or endpoint.partition(".")[0] + ".*" in allowed


def policy_for(endpoint: str | None) -> str:
    """The Content-Security-Policy of a response of ``endpoint`` ('' = none)."""
    policy = str(tk.config.get(_PREFIX + "csp") or "").strip()
    if not policy or not endpoint:
        return policy
    extra = [source for option, source in (("csp_inline_endpoints", "'unsafe-inline'"),
                                           ("csp_eval_endpoints", "'unsafe-eval'"))
             if _listed(option, endpoint)]
    if extra:
        policy = policy.replace("script-src 'self'", " ".join(["script-src 'self'", *extra]), 1)
    return policy


def add_headers(response: Response) -> Response:
    """``after_request`` of the app: the security headers, unless a view set its own."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy",
                       str(tk.config.get(_PREFIX + "referrer_policy") or "same-origin"))
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    policy = policy_for(request.endpoint)
    if policy and "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = policy
    return response


def secure_cookies(app: Any) -> None:
    """Session and remember-me cookies only over https when the site is served over https."""
    if str(tk.config.get("ckan.site_url") or "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
