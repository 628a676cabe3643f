"""The feedback in the database: reading, who sees what (the contact e-mail only for the agency's
stewards), the dashboard's query and the stewards' e-mail addresses."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.longan_opendata import workflow
from ckanext.longan_opendata.model import feedback_table as table

from . import states


def get(feedback_id: Any) -> dict[str, Any] | None:
    if not isinstance(feedback_id, str) or not feedback_id or "\x00" in feedback_id:
        return None
    found = model.Session.execute(sa.select(table).where(table.c.id == feedback_id)).mappings()
    row = found.first()
    return dict(row) if row else None


def _public_datasets() -> sa.sql.Select:
    return sa.select(model.Package.id).where(model.Package.state == "active",
                                             model.Package.private.is_(False))


def publicly_visible(row: dict[str, Any]) -> bool:
    """Answered publicly, on a dataset that is public now (a withdrawn one hides it again)."""
    if not row["answer_public"]:
        return False
    pkg = model.Package.get(row["package_id"])
    return pkg is not None and pkg.state == "active" and not pkg.private


def as_dict(row: dict[str, Any], full: bool) -> dict[str, Any]:
    """What the caller sees: ``full`` (the agency's stewards) adds the contact e-mail."""
    pkg = model.Package.get(row["package_id"])
    shown = {
        "id": row["id"], "package_id": row["package_id"],
        "dataset": {"name": pkg.name, "title": pkg.title} if pkg else None,
        "owner_org": row["owner_org"], "kind": row["kind"],
        "kind_label": states.kind_label(row["kind"]), "message": row["message"],
        "state": row["state"], "state_label": states.state_label(row["state"]),
        "answer": row["answer"], "answer_public": row["answer_public"],
        "created": row["created"].isoformat(), "modified": row["modified"].isoformat(),
    }
    if full:
        shown["contact_email"] = row["contact_email"]
    return shown


def search(user_name: str | None, filters: dict[str, str], rows: int,
           start: int) -> tuple[int, list[dict[str, Any]]]:
    """(count, rows) the caller may see: all of their agencies' feedback, and the publicly
    answered feedback of any public dataset; newest first."""
    orgs = workflow.steward_agencies(user_name)
    where: list[Any] = []
    if orgs is not None:
        where.append(sa.or_(table.c.owner_org.in_(orgs), sa.and_(
            table.c.answer_public.is_(True),
            table.c.package_id.in_(_public_datasets().scalar_subquery()))))
    for field in ("package_id", "owner_org", "state"):
        if filters.get(field):
            where.append(table.c[field] == filters[field])
    if filters.get("public"):
        where.append(table.c.answer_public.is_(True))
    if filters.get("mine"):
        where.append(sa.true() if orgs is None else table.c.owner_org.in_(orgs))
    count = model.Session.execute(
        sa.select(sa.func.count()).select_from(table).where(*where)).scalar() or 0
    query = (sa.select(table).where(*where).order_by(table.c.created.desc())
             .limit(rows).offset(start))
    return int(count), [dict(r) for r in model.Session.execute(query).mappings()]


def stewards(org_id: str) -> list[model.User]:
    """The agency's editors and admins (active, with an e-mail address)."""
    query = model.Session.query(model.User).join(
        model.Member, model.Member.table_id == model.User.id
    ).filter(model.Member.group_id == org_id, model.Member.table_name == "user",
             model.Member.capacity.in_(("admin", "editor")), model.Member.state == "active",
             model.User.state == "active")
    return [user for user in query if user.email]
