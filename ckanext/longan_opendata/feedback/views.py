"""Pages of the feedback: the form's target on each dataset page (``/dataset/<id>/gop-y``) and
the stewards' page (``/gop-y``) where they change the state and answer."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.security import csrf

from . import states

__all__ = ["get_blueprints"]

feedback = Blueprint("longan_feedback", __name__)
feedback.before_request(csrf.protect)


def get_blueprints() -> list[Blueprint]:
    return [feedback]


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _messages(error: tk.ValidationError) -> str:
    return "; ".join(m for ms in error.error_dict.values() for m in ms)


@feedback.route("/dataset/<id>/gop-y", methods=["GET", "POST"])
def send(id: str) -> Any:
    """GET: the feedback form of a public dataset (its own page, so that the dataset page needs
    no session and stays cacheable). POST: 400 for a filled honeypot or a bad field, 429 when
    the client sent too many."""
    if tk.request.method == "GET":
        return _form_page(id)
    form = tk.request.form
    if form.get(states.HONEYPOT):
        return tk.abort(400, tk._("This message looks automated and was not sent"))
    data = {"package_id": id, "kind": form.get("kind", ""), "message": form.get("message", ""),
            "contact_email": form.get("contact_email", "")}
    try:
        tk.get_action("longan_feedback_create")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.ValidationError as error:
        return tk.abort(429 if "rate_limit" in error.error_dict else 400, _messages(error))
    tk.h.flash_success(tk._("Thank you: your message was sent to the agency"))
    return tk.redirect_to(tk.h.url_for("dataset.read", id=id) + "#feedback")  # answers there


def _form_page(id: str) -> Any:
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    return tk.render("longan/feedback/page.html", {"pkg": pkg, "pkg_dict": pkg})


@feedback.route("/gop-y")
def dashboard() -> Any:
    """The stewards' list of their agencies' feedback, newest first."""
    context = _context()
    if not context["user"]:
        return tk.redirect_to("user.login", came_from=tk.h.url_for("longan_feedback.dashboard"))
    state = tk.request.args.get("state", "")
    try:
        found = tk.get_action("longan_feedback_list")(
            context, {"mine": True, "state": state, "rows": 100})
    except tk.ValidationError as error:
        return tk.abort(400, _messages(error))
    return tk.render("longan/feedback/dashboard.html", {
        "found": found, "state": state, "states": states.STATES})


@feedback.route("/gop-y/<id>", methods=["POST"])
def update(id: str) -> Any:
    """A steward's change of one feedback message (state, answer, shown publicly or not)."""
    form = tk.request.form
    data = {"id": id, "state": form.get("state", ""), "answer": form.get("answer", ""),
            "answer_public": bool(form.get("answer_public"))}
    try:
        tk.get_action("longan_feedback_update")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Feedback not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        return tk.abort(400, _messages(error))
    tk.h.flash_success(tk._("Saved"))
    return tk.redirect_to("longan_feedback.dashboard")
