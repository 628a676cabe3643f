"""Static assets built once per process, not checked on every page.

CKAN's webassets environment builds with ``auto_build``: every ``{% asset %}`` of every page
checks its bundle's source files (a ``stat`` per file, a hash of the bundle's definition) to
rebuild the bundle if one changed. A portal page includes about fifteen bundles: 2.5 ms of each
page. Files do not change under a running process (a deploy restarts it), so after a request, the
bundles it included (built by then, if they needed it) stop checking: the next pages take their
URLs as built (0.3 ms for fifteen).

``ckanext.longan_opendata.assets.build_once`` (default true) turns this on; CKAN's ``debug`` mode
keeps CKAN's behaviour, so that a developer's edit of a CSS or JS file shows at the next page.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import webassets_tools
from flask import Flask, Response, g

__all__ = ["install", "stop_checking_included"]


def stop_checking_included(response: Response) -> Response:
    """``after_request``: the bundles this request included no longer check their files."""
    for name in (getattr(g, "_webassets", None) or {}).get("included") or ():
        webassets_tools.env[name].config["auto_build"] = False  # included: registered
    return response


def install(app: Flask, config: Any) -> None:
    """Register :func:`stop_checking_included` unless CKAN debugs or the option is off."""
    if tk.asbool(config.get("debug")) or not tk.asbool(
            config.get("ckanext.longan_opendata.assets.build_once")):
        return
    app.after_request(stop_checking_included)
