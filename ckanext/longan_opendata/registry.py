"""How the packages' registrations become the one plugin's (used by :mod:`.plugin`).

Two packages may chain the same CKAN action or auth function (``tk.chained_action`` /
``tk.chained_auth_function``; e.g. the workflow and the harvest administration both wrap
``package_update``): a plugin registers one function per name, so they are composed, the later
one running first and calling the earlier as its ``next``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["merged", "merged_subscriptions"]

_CHAINED = ("chained_action", "chained_auth_function")


def _compose(earlier: Callable[..., Any], later: Callable[..., Any]) -> Callable[..., Any]:
    """Two chained functions of the same name as one: ``later`` calls ``earlier`` as its next."""
    flags = [flag for flag in _CHAINED if getattr(earlier, flag, False)
             and getattr(later, flag, False)]
    if not flags:
        raise ValueError(f"{later.__name__}: defined twice and not chained in both places")

    @functools.wraps(later)
    def composed(up_func: Callable[..., Any], context: Any, data_dict: Any) -> Any:
        return later(functools.partial(earlier, up_func), context, data_dict)

    for flag in flags:
        setattr(composed, flag, True)
    return composed


def merged(registrations: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One dict of name → function from several, composing chained functions of one name."""
    found: dict[str, Any] = {}
    for registration in registrations:
        for name, function in registration.items():
            found[name] = _compose(found[name], function) if name in found else function
    return found


def merged_subscriptions(subscriptions: Iterable[dict[Any, list[Any]]]) -> dict[Any, list[Any]]:
    """One ``ISignal`` mapping (signal → receivers) from several."""
    found: dict[Any, list[Any]] = {}
    for mapping in subscriptions:
        for signal, receivers in mapping.items():
            found.setdefault(signal, []).extend(receivers)
    return found
