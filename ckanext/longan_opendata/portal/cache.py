"""Cacheable public pages (issue 13 item 4).

An anonymous ``GET``/``HEAD`` of a public page (home, dataset search, dataset, resource,
agency, unit, statistics, API guide, licences) that answered 200 and left the session empty
gets ``Cache-Control: public, max-age=N`` (``ckanext.longan_opendata.cache.max_age``, 0 = off),
an ``ETag`` (a 304 on a matching ``If-None-Match``) and ``Vary: Cookie, Accept-Encoding`` (a
logged-in visitor's page differs; the language is in the path). Anything else keeps CKAN's
``private``: logged-in users, any page that put something in the session (a form's CSRF token,
a flash message), errors, the API.

What made every anonymous page set a session cookie: CKAN's ``base.html`` writes the CSRF token
into a ``<meta>`` of every page (``csrf_token()`` stores it in the session) and its language
selector is a POST form. The portal's ``base.html`` writes that meta for logged-in users only
(anonymous visitors have no write path that uses it), and ``snippets/language_selector.html``
is a list of links. Forms that need CSRF still call ``h.csrf_input()``: such a page opens a
session and stays ``private``; CSRF checks of POSTs are unchanged.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response, request, session

__all__ = ["CACHEABLE", "install", "make_public"]

#: the endpoints whose anonymous pages may be cached
CACHEABLE = frozenset({
    "home.index", "home.about", "dataset.search", "dataset.read", "resource.read",
    "organization.index", "organization.read", "longan_portal.statistics",
    "longan_portal.api_guide", "longan_portal.unit_page", "longan_licenses.index",
    "longan_licenses.read",
})


def max_age() -> int:
    """Seconds a shared cache may keep a public page (0: caching off)."""
    return max(0, int(tk.config.get("ckanext.longan_opendata.cache.max_age", 60) or 0))


def _cacheable(response: Response) -> bool:
    return (request.method in ("GET", "HEAD") and response.status_code == 200
            and request.endpoint in CACHEABLE and not response.direct_passthrough
            and not response.is_streamed and not session
            and not tk.current_user.is_authenticated
            and "Set-Cookie" not in response.headers)


def make_public(response: Response) -> Response:
    """``after_request`` of the app, run after CKAN's own (which sets ``private``)."""
    seconds = max_age()
    if seconds <= 0 or not _cacheable(response):
        return response
    response.cache_control.no_cache = None
    response.cache_control.private = None
    response.cache_control.must_revalidate = None
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    for header in ("Cookie", "Accept-Encoding"):
        response.vary.add(header)
    response.add_etag()
    return response.make_conditional(request)


def install(app: Any) -> None:
    """Run :func:`make_public` after every other ``after_request`` (Flask runs them in reverse
    order of registration, so it goes first in the list)."""
    app.after_request_funcs.setdefault(None, []).insert(0, make_public)
