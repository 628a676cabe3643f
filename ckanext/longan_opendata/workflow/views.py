"""Web pages of the publish workflow: transition forms and the review queue."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.security import csrf

__all__ = ["get_blueprints"]

workflow = Blueprint("longan_workflow", __name__)
# the transition forms check CSRF themselves: CKAN's exemptions stick
workflow.before_request(csrf.protect)

#: the form field each transition takes from the reason/comment textarea
_TEXT_FIELD = {"submit": "comment", "approve": "comment", "reject": "reason",
               "withdraw": "reason"}


#: English msgids of the form's own fields, for the error list
_FORM_LABELS = {"reason": "Reason", "comment": "Comment", "publish_date": "Publish date",
                "workflow_state": "Publication status"}


def get_blueprints() -> list[Blueprint]:
    return [workflow]


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else ""}


def _error_labels(errors: dict[str, Any], dataset_type: str) -> dict[str, str]:
    """The name to show for each field with an error: the form's own fields and the dataset
    fields (a submission the metadata check refuses) in the user's language, never a key."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(dataset_type) or {"dataset_fields": []}
    fields = {f["field_name"]: f["label"] for f in schema["dataset_fields"]}
    labels = {}
    for key in errors:
        if key in _FORM_LABELS:
            labels[key] = tk._(_FORM_LABELS[key])
        elif key in fields:
            labels[key] = tk.h.scheming_language_text(fields[key])
        else:
            labels[key] = tk._("Resources") if key == "resources" else key
    return labels


@workflow.route("/dataset/<id>/workflow/<transition>", methods=["GET", "POST"])
def transition(id: str, transition: str):
    """GET: the confirmation form (a reason is required to reject or withdraw). POST: do it."""
    if transition not in wf.TRANSITIONS:
        return tk.abort(404, tk._("Not found"))
    if "\x00" in id:  # PostgreSQL refuses NUL bytes with an error
        return tk.abort(404, tk._("Dataset not found"))
    context = _context()
    try:
        pkg = tk.get_action("package_show")(dict(context), {"id": id})
        tk.check_access(f"longan_workflow_{transition}", dict(context), {"id": pkg["id"]})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Dataset not found"))
    except tk.NotAuthorized as error:
        return tk.abort(403, str(error) or tk._("Unauthorized"))
    form: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    if tk.request.method == "POST":
        form = dict(tk.request.form)
        text_field = _TEXT_FIELD[transition]
        data = {"id": pkg["id"], text_field: form.get(text_field, "")}
        if transition == "approve" and form.get("publish_date"):
            data["publish_date"] = form["publish_date"]
        try:
            done = tk.get_action(f"longan_workflow_{transition}")(dict(context), data)
        except tk.ValidationError as error:
            errors = error.error_dict
        except tk.NotAuthorized as error:
            return tk.abort(403, str(error))
        else:
            tk.h.flash_success(tk._("Done: the dataset is now “%s”")
                               % tk.h.longan_workflow_label(done["workflow_state"]))
            return tk.redirect_to("dataset.read", id=pkg["name"])
    return tk.render("longan/workflow/transition.html", {
        "pkg": pkg, "pkg_dict": pkg, "transition": transition, "form": form, "errors": errors,
        "error_labels": _error_labels(errors, pkg["type"]),
        "text_field": _TEXT_FIELD[transition], "dataset_type": pkg["type"],
    })


@workflow.route("/cho-duyet")
def queue():
    """The reviewer's queue ("Chờ duyệt"): what waits for them, with the changes since the last
    published version of each dataset."""
    context = _context()
    params = {"q": tk.request.args.get("q", ""), "rows": 50,
              "owner_org": tk.request.args.get("owner_org", "")}
    try:
        result = tk.get_action("longan_review_queue")(dict(context), params)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only reviewers have a review queue"))
    except tk.ValidationError as error:  # a parameter of the wrong kind
        return tk.abort(400, "; ".join(
            message for messages in error.error_dict.values() for message in messages))
    items = [{"pkg": pkg, "changes": wf.changes_since_published(pkg),
              "history": pkg.get("workflow_history") or []}
             for pkg in (tk.get_action("package_show")(dict(context), {"id": d["id"]})
                         for d in result["results"])]
    return tk.render("longan/workflow/queue.html", {
        "items": items, "count": result["count"], "q": params["q"],
        "owner_org": params["owner_org"]})
