"""The quality report of an agency: its broken links, outdated datasets, harvested datasets that
still lack review fields (the harvest's ``harvest_review_missing`` mark) and lowest scores, each
with the link to fix it; shown on ``/chat-luong/co-quan/<agency>`` and e-mailed to its stewards
(editors and admins) by ``ckan longan quality report --send``."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.longan_opendata.quality import links, score, snapshot
from ckanext.longan_opendata.quality.indicators import frequency_days, last_update, overdue_days

__all__ = ["build", "send_all", "stewards"]

LOWEST = 10
#: the field where a harvest marks the review fields a harvested dataset still lacks
MARK_FIELD = "harvest_review_missing"


def _site() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def _title(pkg: dict[str, Any]) -> str:
    return pkg.get("title") or pkg.get("name") or pkg.get("id", "")


def build(org: model.Group, today: dt.date | None = None) -> dict[str, Any]:
    """The report of ``org`` (every active dataset of the agency, drafts included)."""
    today = today or dt.date.today()
    site = _site()
    items = list(snapshot.indexed_datasets(owner_org=org.id))
    checked = links.results_for(
        [r.get("id") for item in items for r in item["pkg"].get("resources") or []])
    broken, outdated, scored, incomplete = [], [], [], []
    for item in items:
        pkg = item["pkg"]
        edit = f"{site}/dataset/edit/{pkg.get('name')}"
        for res in pkg.get("resources") or []:
            result = checked.get(res.get("id"))
            if result and result.get("status") in ("broken", "mislabelled"):
                broken.append({
                    "dataset": _title(pkg), "resource": res.get("name") or res.get("url"),
                    "url": res.get("url"), "status": result["status"],
                    "http_status": result.get("http_status"),
                    "since": (result.get("broken_since") or "")[:10],
                    "fix_url": f"{site}/dataset/{pkg.get('name')}/resource/{res['id']}/edit"})
        missing = [f for f in (pkg.get(MARK_FIELD) or "").split(",") if f]
        if missing:
            incomplete.append({"dataset": _title(pkg), "missing": missing, "fix_url": edit})
        late = overdue_days(pkg, today)
        if late:
            outdated.append({
                "dataset": _title(pkg), "frequency": pkg.get("frequency"),
                "last_update": str(last_update(pkg)), "late_days": late,
                "period_days": frequency_days(pkg.get("frequency")), "fix_url": edit})
        result = score.evaluate(pkg, checked, today)
        scored.append({"dataset": _title(pkg), "score": result.score, "max": result.max,
                       "percent": result.percent, "rating": result.rating,
                       "fix_url": edit, "page_url": f"{site}/dataset/{pkg.get('name')}"})
    scored.sort(key=lambda s: (s["percent"], s["dataset"]))
    return {
        "agency": {"id": org.id, "name": org.name, "title": org.title or org.name},
        "generated": today.isoformat(), "datasets": len(items),
        "average_percent": round(sum(s["percent"] for s in scored) / len(scored))
        if scored else None,
        "broken_links": broken,
        "outdated": sorted(outdated, key=lambda o: -o["late_days"]),
        "lowest": scored[:LOWEST],
        "incomplete": sorted(incomplete, key=lambda i: i["dataset"]),
        "report_url": f"{site}/chat-luong/co-quan/{org.name}",
    }


def stewards(org: model.Group) -> list[model.User]:
    """The agency's editors and admins (active users with an e-mail address)."""
    return (model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(model.Member.group_id == org.id, model.Member.state == "active",
                    model.Member.table_name == "user",
                    model.Member.capacity.in_(("editor", "admin")),
                    model.User.state == "active", model.User.email.isnot(None),
                    model.User.email != "")
            .order_by(model.User.name).all())


def agencies() -> list[model.Group]:
    return (model.Session.query(model.Group)
            .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
            .order_by(model.Group.name).all())


def send_all(today: dt.date | None = None, only: str | None = None
             ) -> list[tuple[str, int, int]]:
    """E-mail each agency's report to its stewards; (agency name, e-mails sent, stewards)
    each. An agency with nothing to report gets no e-mail."""
    from ckanext.longan_opendata import mailer

    sent = []
    for org in agencies():
        if only and only not in (org.name, org.id):
            continue
        report = build(org, today)
        if not (report["broken_links"] or report["outdated"] or report["lowest"]
                or report["incomplete"]):
            continue
        recipients = stewards(org)
        count = mailer.send(recipients, "longan/quality/mail/report",
                            {"report": report}) if recipients else 0
        sent.append((org.name, count, len(recipients)))
    return sent
