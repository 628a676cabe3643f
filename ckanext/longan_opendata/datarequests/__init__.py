"""Data requests (đề xuất dữ liệu): people propose datasets to an agency, others support them, the
agency's stewards answer within a deadline.

- :mod:`.states` states, refusal reasons, limits, options; :mod:`.records` the tables;
- :mod:`.action` and :mod:`.auth` the API; :mod:`.views` the pages (``/de-xuat-du-lieu``);
  :mod:`.helpers` the template helpers; :mod:`.mail` the e-mails;
- :func:`stats` the figures of ``longan_stats``.
"""
from __future__ import annotations

from typing import Any

__all__ = ["get_actions", "get_auth_functions", "get_blueprints", "get_helpers", "stats"]


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return views.get_blueprints()


def stats() -> dict[str, Any]:
    """Verified requests: ``total``, ``by_state`` and ``overdue`` (open past their deadline)."""
    from . import records
    return records.stats()
