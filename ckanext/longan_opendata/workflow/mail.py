"""E-mails of the publish workflow, through the portal's mailer (:mod:`..mailer`).

The texts are templates (``templates/longan/workflow/mail/<transition>_subject.txt``, ``.txt``,
``.html``), rendered in each recipient's language. On submit the agency's reviewers (admins) are
told; on approve, reject and withdraw the person who submitted the dataset. The mails follow
``tk.signals.action_succeeded``, so a transition is done before any mail is tried, and a mail
server that is down only logs an error.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import SignalMapping

from ckanext.longan_opendata import mailer
from ckanext.longan_opendata import workflow as wf

log = logging.getLogger(__name__)

#: the transitions that send e-mail; each has its templates in ``TEMPLATES/<name>*``
TRANSITIONS = ("submit", "approve", "reject", "withdraw")
TEMPLATES = "longan/workflow/mail"


def get_subscriptions() -> SignalMapping:
    return {tk.signals.action_succeeded: [
        {"sender": f"longan_workflow_{name}", "receiver": _on_transition}
        for name in TRANSITIONS
    ]}


def _on_transition(sender: str, **kwargs: Any) -> None:
    result = kwargs.get("result") or {}
    transition = sender.removeprefix("longan_workflow_")
    try:
        notify(transition, result, kwargs.get("context", {}).get("user"))
    except Exception:  # a notification never undoes or blocks a transition
        log.exception("workflow e-mail for %s of %s failed", transition, result.get("name"))


def recipients(transition: str, pkg: model.Package, actor: model.User | None) -> list[model.User]:
    """Who is told of ``transition``: the agency's reviewers on submit, else the submitter."""
    if transition == "submit":
        members = model.Session.query(model.User).join(
            model.Member, model.Member.table_id == model.User.id
        ).filter(model.Member.group_id == pkg.owner_org, model.Member.table_name == "user",
                 model.Member.capacity == "admin", model.Member.state == "active",
                 model.User.state == "active")
        users = list(members)
    else:
        submitter = wf.last_submitter_id(pkg.id) or pkg.creator_user_id
        user = model.User.get(submitter) if submitter else None
        users = [user] if user else []
    return [u for u in users if u.email and (actor is None or u.id != actor.id
                                              or transition != "submit")]


def notify(transition: str, pkg_dict: dict[str, Any], actor_name: str | None) -> int:
    """Send the mails of one transition; returns how many were sent."""
    pkg = model.Package.get(pkg_dict.get("id", ""))
    if pkg is None:
        return 0
    actor = model.User.get(actor_name) if actor_name else None
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    info = pkg_dict.get("workflow_transition") or {}
    org = model.Group.get(pkg.owner_org) if pkg.owner_org else None
    extra_vars = {
        "title": pkg.title or pkg.name,
        "actor": actor.display_name if actor else None,  # None: "the system" in the template
        "org": org.title if org else "",
        "comment": info.get("comment") or None,
        "state": info.get("to", ""),
        "url": f"{site}/dataset/{pkg.name}",
        "queue": f"{site}/cho-duyet",
    }
    return mailer.send(recipients(transition, pkg, actor), f"{TEMPLATES}/{transition}",
                       extra_vars)
