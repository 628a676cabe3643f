"""Feedback on a dataset (báo lỗi / góp ý): a short form on each dataset page, sent to the
agency's stewards, handled on their page (``/gop-y``) and answered publicly if they choose.
Protected against spam (rate limit per client, honeypot, length limits); no IP address stored.

- :mod:`.states` kinds, states, limits, options; :mod:`.records` the table and who sees what;
- :mod:`.action` and :mod:`.auth` the API; :mod:`.views` the pages; :mod:`.helpers`;
  :mod:`.mail` the stewards' e-mail.
"""
from __future__ import annotations

from typing import Any

__all__ = ["get_actions", "get_auth_functions", "get_blueprints", "get_helpers"]


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
