"""The reuse pages: the gallery ``/ung-dung`` and the submission form ``/ung-dung/gui``."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.security import csrf

from . import KINDS

__all__ = ["reuses"]

reuses = Blueprint("longan_reuses", __name__)
reuses.before_request(csrf.protect)

FORM_FIELDS = ("title", "notes", "reuse_kind", "url", "image_url", "author", "datasets_used")


def _user() -> str:
    user = tk.current_user
    return user.name if user and user.is_authenticated else ""


@reuses.route("/ung-dung")
def gallery():
    """The published reuses, newest first."""
    found = tk.get_action("longan_reuse_list")({"user": ""}, {"rows": 100})
    return tk.render("longan/reuses/gallery.html", {"reuses": found["results"],
                                                    "count": found["count"]})


@reuses.route("/ung-dung/gui", methods=["GET", "POST"])
def submit():
    """The submission form (logged-in people); the reuse then waits for review."""
    if not _user():
        return tk.redirect_to(tk.url_for("user.login",
                                         came_from=tk.url_for("longan_reuses.submit")))
    data: dict[str, Any] = {"datasets_used": tk.request.args.get("dataset", "")}
    errors: dict[str, list[str]] = {}
    sent = None
    if tk.request.method == "POST":
        data = {key: tk.request.form.get(key, "") for key in FORM_FIELDS}
        try:
            sent = tk.get_action("longan_reuse_submit")({"user": _user()}, dict(data))
        except tk.ValidationError as error:
            errors = error.error_dict
    status = 400 if errors else 200
    return tk.render("longan/reuses/submit.html", {
        "data": data, "errors": errors, "sent": sent, "kinds": KINDS}), status
