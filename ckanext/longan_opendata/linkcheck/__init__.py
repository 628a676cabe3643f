"""Link and format checks of resources (issue #11, item 3).

A background job checks each resource's URL (HEAD, then a ranged GET where HEAD is refused;
timeouts, limited redirects each checked by the SSRF guard, a per-host concurrency cap and a polite
interval) and whether its bytes are the declared format (CSV parses, JSON parses, XLSX opens).
The latest result of each resource is kept in ``longan_link_check``:

- :mod:`.results` the table's reads and writes (:func:`results_for` is the read interface other
  packages use, e.g. the quality score);
- :mod:`.checker` one URL checked; :mod:`.formats` the format sniffers; :mod:`.jobs` the
  batches on CKAN's queue; :mod:`.action`, :mod:`.auth`, :mod:`.helpers`, :mod:`.cli`.

Other packages import only this module.
"""
from __future__ import annotations

from typing import Any

from .results import results_for, results_for_packages

__all__ = ["get_actions", "get_auth_functions", "get_helpers", "results_for",
           "results_for_packages"]


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()
