"""Checks of every incoming request, before any view or action runs.

PostgreSQL refuses text holding a NUL byte with an error, and CKAN looks ids and names up
before it validates them: ``/dataset/x%00``, ``package_show {"id": "x\\u0000"}``,
``resource_create {"package_id": …}``, ``organization_show`` and others answered 500. A NUL byte
has no use in this portal's URLs, forms or JSON, so :func:`refuse_nul` answers such a request
with 409 (API, CKAN's error format) or 400 (pages), naming the parameter that holds it.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Response, request

__all__ = ["refuse_nul"]

_NUL = "\x00"


def _holds_nul(value: Any) -> bool:
    """True when a string anywhere in ``value`` (keys included) holds a NUL byte."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _field_with_nul() -> str | None:
    """The name of the first parameter (URL part, query, form field or top-level JSON member)
    holding a NUL byte; None when there is none."""
    if (request.method in ("GET", "HEAD") and _NUL not in request.path
            and b"%00" not in request.query_string and b"\x00" not in request.query_string):
        return None  # nothing to decode can hold one: the usual case, without parsing
    for name, value in (request.view_args or {}).items():
        if _holds_nul(value):
            return name
    for name, value in request.args.items(multi=True):
        if _holds_nul(name) or _holds_nul(value):
            return name.replace(_NUL, "")
    if request.method in ("POST", "PUT", "PATCH"):
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in request.form.items(multi=True):
                if _holds_nul(name) or _holds_nul(value):
                    return name.replace(_NUL, "")
        elif request.is_json:
            body = request.get_json(silent=True)
            if isinstance(body, dict):
                for name, value in body.items():
                    if _holds_nul(name) or _holds_nul(value):
                        return name.replace(_NUL, "")
            elif _holds_nul(body):
                return "body"
    return None


def refuse_nul() -> Response | None:
    """Before every request (:func:`..install`): 409 (API) or 400 (pages) for a request with a
    NUL byte."""
    field = _field_with_nul()
    if field is None:
        return None
    message = tk._("The parameter “%(field)s” must not contain a NUL character") % {
        "field": field}
    if request.blueprint == "api":
        body = {"success": False, "error": {"__type": "Validation Error", field: [message]}}
        return Response(json.dumps(body), status=409,
                        content_type="application/json;charset=utf-8")
    return tk.abort(400, message)
