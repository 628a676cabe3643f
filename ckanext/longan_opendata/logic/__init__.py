"""Actions, auth functions and validators of the portal, one module per concern.

Each concern module lists what it registers in functions of the same names as below
(``get_actions``, ``get_auth_functions``, ``get_validators``); add the module to ``CONCERNS``.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ckanext.longan_opendata.logic import (
    harvest_publish,
    harvest_visibility,
    metadata,
    stats,
    validation,
    workflow,
)

CONCERNS: tuple[ModuleType, ...] = (metadata, validation, stats, workflow, harvest_publish,
                                    harvest_visibility)


def _collect(hook: str) -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for module in CONCERNS:
        if hasattr(module, hook):
            found.update(getattr(module, hook)())
    return found


def get_actions() -> dict[str, Callable[..., Any]]:
    return _collect("get_actions")


def get_auth_functions() -> dict[str, Callable[..., Any]]:
    return _collect("get_auth_functions")


def get_validators() -> dict[str, Callable[..., Any]]:
    return _collect("get_validators")
