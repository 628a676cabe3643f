"""Actions, auth functions and validators of the portal, one module per concern.

Each concern module lists what it registers in functions of the same names as below
(``get_actions``, ``get_auth_functions``, ``get_validators``); add the module to ``CONCERNS``.
Two concerns may chain the same action or auth function (``tk.chained_action`` /
``tk.chained_auth_function``): they compose, the later concern running first.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ckanext.longan_opendata.logic import (
    harvest_auth,
    harvest_publish,
    harvest_visibility,
    metadata,
    stats,
    validation,
    workflow,
)

CONCERNS: tuple[ModuleType, ...] = (metadata, validation, stats, workflow, harvest_auth,
                                    harvest_publish, harvest_visibility)
_CHAINED = ("chained_action", "chained_auth_function")


def _compose(earlier: Callable[..., Any], later: Callable[..., Any]) -> Callable[..., Any]:
    """Two chained functions of the same name as one: ``later`` calls ``earlier`` as its next."""
    flags = [flag for flag in _CHAINED if getattr(earlier, flag, False)
             and getattr(later, flag, False)]
    if not flags:
        raise ValueError(f"{later.__name__}: defined twice and not chained in both concerns")

    @functools.wraps(later)
    def composed(up_func: Callable[..., Any], context: Any, data_dict: Any) -> Any:
        return later(functools.partial(earlier, up_func), context, data_dict)

    for flag in flags:
        setattr(composed, flag, True)
    return composed


def _collect(hook: str) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for module in CONCERNS:
        if hasattr(module, hook):
            for name, function in getattr(module, hook)().items():
                found[name] = _compose(found[name], function) if name in found else function
    return found


def get_actions() -> dict[str, Callable[..., Any]]:
    return _collect("get_actions")


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return _collect("get_auth_functions")


def get_validators() -> dict[str, Callable[..., Any]]:
    return _collect("get_validators")
