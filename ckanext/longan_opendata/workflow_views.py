"""Web pages of the publish workflow (issue 5)."""
from __future__ import annotations

from flask import Blueprint

workflow = Blueprint("longan_workflow", __name__)


def get_blueprints() -> list[Blueprint]:
    return [workflow]
