"""Pages of the data requests: the public list (``/de-xuat-du-lieu``, ``/en/de-xuat-du-lieu``),
the form to propose, a request's page with the support button and the stewards' answer form,
and the verification link of anonymous requests."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata.security import csrf

from . import states

__all__ = ["get_blueprints"]

datarequests = Blueprint("longan_datarequests", __name__, url_prefix="/de-xuat-du-lieu")
datarequests.before_request(csrf.protect)

_FORM_FIELDS = ("title", "description", "owner_org", "reason", "desired_format", "theme",
                "email")
_ANSWER_FIELDS = ("state", "answer", "dataset_id", "refusal_reason")
_PAGE_SIZE = 20


def get_blueprints() -> list[Blueprint]:
    return [datarequests]


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _form(names: tuple[str, ...]) -> dict[str, str]:
    return {name: tk.request.form.get(name, "") for name in names}


def _bad_request(error: tk.ValidationError) -> Any:
    return tk.abort(400, "; ".join(m for ms in error.error_dict.values() for m in ms))


@datarequests.route("")
def index() -> Any:
    """The public list with facets (state, agency, theme) and sort."""
    args = tk.request.args
    page = max(1, int(args["page"])) if args.get("page", "").isdigit() else 1
    filters = {k: args.get(k, "") for k in ("q", "state", "owner_org", "theme", "sort")}
    try:
        found = tk.get_action("longan_datarequest_list")(_context(), {
            **{k: v for k, v in filters.items() if v}, "rows": _PAGE_SIZE,
            "start": (page - 1) * _PAGE_SIZE})
    except tk.ValidationError as error:
        return _bad_request(error)
    return tk.render("longan/datarequests/index.html", {
        "found": found, "filters": filters, "page": page, "page_size": _PAGE_SIZE})


@datarequests.route("/moi", methods=["GET", "POST"])
def new() -> Any:
    """The form to propose data (logged-in people, or anyone when the option allows it)."""
    context = _context()
    try:
        tk.check_access("longan_datarequest_create", dict(context), {})
    except tk.NotAuthorized:
        tk.h.flash_notice(tk._("Log in to propose data"))
        return tk.redirect_to("user.login", came_from=tk.h.url_for("longan_datarequests.new"))
    form: dict[str, str] = {}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        form = _form(_FORM_FIELDS)
        data = {k: v for k, v in form.items() if k != "email" or not context["user"]}
        try:
            created = tk.get_action("longan_datarequest_create")(dict(context), data)
        except tk.ValidationError as error:
            errors = error.error_dict
        else:
            if not created["verified"]:
                tk.h.flash_success(tk._("Check your e-mail: follow the link we sent to publish "
                                        "your request"))
                return tk.redirect_to("longan_datarequests.index")
            tk.h.flash_success(tk._("Your data request was sent to the agency"))
            return tk.redirect_to("longan_datarequests.read", id=created["id"])
    page = tk.render("longan/datarequests/new.html", {
        "form": form, "errors": errors, "anonymous": not context["user"]})
    return (page, 400) if errors else page


def _read_page(request_id: str, answer_form: dict[str, str] | None = None,
               errors: dict[str, Any] | None = None) -> Any:
    context = _context()
    try:
        shown = tk.get_action("longan_datarequest_show")(dict(context), {"id": request_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    except tk.ValidationError as error:
        return _bad_request(error)
    try:
        tk.check_access("longan_datarequest_answer", dict(context), {"id": shown["id"]})
        may_answer = shown["state"] in states.ANSWERS
    except tk.NotAuthorized:
        may_answer = False
    return tk.render("longan/datarequests/read.html", {
        "request_dict": shown, "may_answer": may_answer, "answer_form": answer_form or {},
        "errors": errors or {}, "answers": states.ANSWERS.get(shown["state"], ()),
        "refusal_reasons": states.REFUSAL_REASONS})


@datarequests.route("/<id>")
def read(id: str) -> Any:
    return _read_page(id)


@datarequests.route("/<id>/ung-ho", methods=["POST"])
def support(id: str) -> Any:
    """Support (or, with ``undo``, stop supporting) a request."""
    action = "unsupport" if tk.request.form.get("undo") else "support"
    try:
        tk.get_action(f"longan_datarequest_{action}")(_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    except tk.NotAuthorized:
        tk.h.flash_notice(tk._("Log in to support a data request"))
        return tk.redirect_to("user.login", came_from=tk.h.url_for(
            "longan_datarequests.read", id=id))
    return tk.redirect_to("longan_datarequests.read", id=id)


@datarequests.route("/<id>/tra-loi", methods=["POST"])
def answer(id: str) -> Any:
    """The stewards' answer form (on the request's page)."""
    form = _form(_ANSWER_FIELDS)
    data = {"id": id, **{k: v for k, v in form.items() if v}}
    try:
        tk.get_action("longan_datarequest_answer")(_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error))
    except tk.ValidationError as error:
        return _read_page(id, form, error.error_dict), 400
    tk.h.flash_success(tk._("The answer is published and the requester was told by e-mail"))
    return tk.redirect_to("longan_datarequests.read", id=id)


@datarequests.route("/xac-nhan/<token>")
def verify(token: str) -> Any:
    """The link e-mailed to an anonymous requester: publishes the request."""
    try:
        shown = tk.get_action("longan_datarequest_verify")(_context(), {"token": token})
    except tk.ValidationError as error:
        return _bad_request(error)
    tk.h.flash_success(tk._("Thank you: your e-mail address is confirmed and your request is "
                            "published"))
    return tk.redirect_to("longan_datarequests.read", id=shown["id"])
