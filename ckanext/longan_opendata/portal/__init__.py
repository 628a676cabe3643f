"""The public portal: pages (statistics, API guide, administrative units, counted downloads),
template helpers, the ``longan_stats`` action and the usage counters; the cheaper paths of the
public reads (``package_show`` by name in one query, description excerpts made once per text)."""
from __future__ import annotations

from typing import Any

__all__ = ["get_actions", "get_auth_functions", "get_blueprints", "get_helpers",
           "get_signal_subscriptions"]


def get_actions() -> dict[str, Any]:
    from . import dataset_lookup, stats
    return {**stats.get_actions(), **dataset_lookup.get_actions()}


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_helpers() -> dict[str, Any]:
    from . import excerpts, formats, helpers
    return {**helpers.get_helpers(), **formats.get_helpers(), **excerpts.get_helpers()}


def get_blueprints() -> list[Any]:
    from . import views
    return [views.portal]


def get_signal_subscriptions() -> dict[Any, list[Any]]:
    from . import boxes
    return boxes.get_signal_subscriptions()
