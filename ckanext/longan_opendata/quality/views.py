"""The quality pages: ``/chat-luong`` (methodology, the points table generated from the
indicator table), ``/chat-luong/bang-dieu-khien`` (dashboard) and
``/chat-luong/co-quan/<agency>`` (an agency's report, for its members and sysadmins)."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

__all__ = ["get_blueprints"]

quality = Blueprint("longan_quality", __name__)


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}


def methodology() -> str:
    method = tk.get_action("longan_quality_methodology")(_context(), {})
    return tk.render("longan/quality/methodology.html", {"method": method})


def dashboard() -> str:
    data = tk.get_action("longan_quality_dashboard")(_context(), {})
    return tk.render("longan/quality/dashboard.html", {
        "data": data, "trend_json": json.dumps(data["trend"])})


def agency_report(id: str) -> str:
    try:
        report = tk.get_action("longan_quality_report")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Agency not found"))
    except tk.ValidationError as error:
        return tk.abort(400, "; ".join(str(m) for ms in error.error_dict.values() for m in ms))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the agency's members may read its quality report"))
    return tk.render("longan/quality/report.html", {"report": report})


quality.add_url_rule("/chat-luong", view_func=methodology, endpoint="methodology")
quality.add_url_rule("/chat-luong/bang-dieu-khien", view_func=dashboard, endpoint="dashboard")
quality.add_url_rule("/chat-luong/co-quan/<id>", view_func=agency_report, endpoint="report")


def get_blueprints() -> list[Blueprint]:
    return [quality]
