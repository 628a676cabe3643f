"""E-mails of the publish workflow, in Vietnamese, through CKAN's mailer.

On submit the agency's reviewers (admins) are told; on approve, reject and withdraw the person who
submitted the dataset. The mails follow ``tk.signals.action_succeeded``, so a transition is done
before any mail is tried, and a mail server that is down only logs an error.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer
from ckan.types import SignalMapping

from ckanext.longan_opendata import workflow as wf

log = logging.getLogger(__name__)

SUBJECTS = {
    "submit": "[Cổng dữ liệu mở] Bộ dữ liệu chờ duyệt: {title}",
    "approve": "[Cổng dữ liệu mở] Bộ dữ liệu đã được duyệt: {title}",
    "reject": "[Cổng dữ liệu mở] Bộ dữ liệu bị trả lại: {title}",
    "withdraw": "[Cổng dữ liệu mở] Bộ dữ liệu đã bị thu hồi: {title}",
}
BODIES = {
    "submit": "{actor} đã gửi bộ dữ liệu \"{title}\" của {org} để duyệt.\n\n"
              "Ghi chú: {comment}\n\nXem và duyệt tại: {url}\nDanh sách chờ duyệt: {queue}\n",
    "approve": "{actor} đã duyệt bộ dữ liệu \"{title}\" ({state}).\n\nGhi chú: {comment}\n\n"
               "Xem tại: {url}\n",
    "reject": "{actor} đã trả lại bộ dữ liệu \"{title}\".\n\nLý do: {comment}\n\n"
              "Hãy chỉnh sửa rồi gửi duyệt lại: {url}\n",
    "withdraw": "{actor} đã thu hồi bộ dữ liệu \"{title}\"; bộ dữ liệu không còn công khai.\n\n"
                "Lý do: {comment}\n\nXem tại: {url}\n",
}
FOOTER = "\n--\nCổng dữ liệu mở tỉnh Long An. Thư này được gửi tự động, xin đừng trả lời.\n"


def get_subscriptions() -> SignalMapping:
    return {tk.signals.action_succeeded: [
        {"sender": f"longan_workflow_{name}", "receiver": _on_transition}
        for name in SUBJECTS
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


def _unfoldable(subject: str) -> str:
    """Python 3.11's e-mail header folding drops the space where it splits a long non-ASCII
    subject into two encoded words ("dữ liệuchờ duyệt"); no-break spaces read the same and
    survive."""
    return subject.replace(" ", "\u00a0")


def notify(transition: str, pkg_dict: dict[str, Any], actor_name: str | None) -> int:
    """Send the mails of one transition; returns how many were sent."""
    pkg = model.Package.get(pkg_dict.get("id", ""))
    if pkg is None:
        return 0
    actor = model.User.get(actor_name) if actor_name else None
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    info = pkg_dict.get("workflow_transition") or {}
    org = model.Group.get(pkg.owner_org) if pkg.owner_org else None
    fields = {
        "title": pkg.title or pkg.name,
        "actor": (actor.display_name if actor else "Hệ thống"),
        "org": org.title if org else "",
        "comment": info.get("comment") or "(không có)",
        "state": wf.STATES.get(info.get("to", ""), ""),
        "url": f"{site}/dataset/{pkg.name}",
        "queue": f"{site}/cho-duyet",
    }
    sent = 0
    for user in recipients(transition, pkg, actor):
        try:
            mailer.mail_recipient(
                user.display_name, user.email, _unfoldable(SUBJECTS[transition].format(**fields)),
                BODIES[transition].format(**fields) + FOOTER)
            sent += 1
        except Exception as error:  # noqa: BLE001 (mail server down, refused, …)
            log.error("workflow e-mail to %s (%s of %s) not sent: %s",
                      user.email, transition, pkg.name, error)
    return sent
