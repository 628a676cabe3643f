"""Reuses (ứng dụng sử dụng dữ liệu, issue 12): apps, articles and visualisations built on the
portal's data, as the scheming dataset type ``reuse`` (``schemas/reuse.yaml``).

A logged-in person submits one (:mod:`.action` ``longan_reuse_submit``, the form at
``/ung-dung/gui``); it belongs to the agency of the first dataset it uses and arrives
``pending_review`` in that agency's review queue: a reviewer approves or rejects it with the
publish workflow's own actions (``longan_workflow_approve`` …), so drafts and pending reuses are
never public. Published reuses show on the gallery ``/ung-dung`` and on the page of each dataset
they use (:mod:`.helpers`). ckanext-showcase is not used: the registry only has a Python 2 era
release.
"""
from __future__ import annotations

from typing import Any

__all__ = ["KINDS", "REUSE_TYPE", "get_actions", "get_auth_functions", "get_blueprints",
           "get_helpers", "get_validators"]

REUSE_TYPE = "reuse"
KINDS = ("app", "article", "visualisation", "other")


def get_actions() -> dict[str, Any]:
    from . import action
    return action.get_actions()


def get_auth_functions() -> dict[str, Any]:
    from . import auth
    return auth.get_auth_functions()


def get_validators() -> dict[str, Any]:
    from . import validators
    return validators.get_validators()


def get_helpers() -> dict[str, Any]:
    from . import helpers
    return helpers.get_helpers()


def get_blueprints() -> list[Any]:
    from . import views
    return [views.reuses]
