"""The follow pages (``/theo-doi``): what one follows with its Atom feeds and the digest's
period; the follow / unfollow forms; the e-mail's one-click unsubscribe (no login)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.metadata import codelists
from ckanext.longan_opendata.security import csrf

__all__ = ["follow"]

follow = Blueprint("longan_follow", __name__)
follow.before_request(csrf.protect)


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _login_first() -> Any:
    return tk.redirect_to(tk.url_for("user.login", came_from=tk.url_for("longan_follow.index")))


@follow.route("/theo-doi")
def index():
    """What the logged-in person follows, its feeds, the digest's period and the forms."""
    context = _context()
    if not context["user"]:
        return _login_first()
    followed = tk.get_action("longan_follow_list")(context, {})
    return tk.render("longan/follow/index.html", {
        "followed": followed, "themes": codelists.entries("themes")})


def _errors(error: tk.ValidationError) -> str:
    return "; ".join(str(m) for messages in error.error_dict.values() for m in messages)


def _post(action: str, data: dict[str, Any]) -> Any:
    context = _context()
    if not context["user"]:
        return _login_first()
    try:
        tk.get_action(action)(context, data)
    except tk.ValidationError as error:
        return tk.abort(400, _errors(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Follow: not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    came_from = tk.request.form.get("came_from") or ""
    if not came_from.startswith("/") or came_from.startswith("//"):
        came_from = tk.url_for("longan_follow.index")
    return tk.redirect_to(came_from)


@follow.route("/theo-doi/them", methods=["POST"])
def add():
    form = tk.request.form
    return _post("longan_follow", {"kind": form.get("kind"), "target": form.get("target")})


@follow.route("/theo-doi/bo", methods=["POST"])
def remove():
    form = tk.request.form
    return _post("longan_unfollow", {"kind": form.get("kind"), "target": form.get("target")})


@follow.route("/theo-doi/tan-suat", methods=["POST"])
def period():
    return _post("longan_follow_period", {"period": tk.request.form.get("period")})


@follow.route("/theo-doi/huy/<token>")
def unsubscribe(token: str):
    """The e-mail's link: stops the digests at once (one click), no login."""
    try:
        tk.get_action("longan_follow_unsubscribe")({"user": ""}, {"token": token})
    except tk.ValidationError as error:
        return tk.render("longan/follow/unsubscribed.html", {"error": _errors(error)}), 400
    return tk.render("longan/follow/unsubscribed.html", {"error": None})
