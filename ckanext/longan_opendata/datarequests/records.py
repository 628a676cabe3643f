"""The data requests in the database: reading, the public dictionary, list filters and facets,
votes and the figures of ``longan_stats``."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.longan_opendata.model import datarequest_table as table
from ckanext.longan_opendata.model import support_table as votes

from . import states


def get(request_id: Any) -> dict[str, Any] | None:
    """The row of ``request_id`` as a dict (None if unknown or not a usable id)."""
    if not isinstance(request_id, str) or not request_id or "\x00" in request_id:
        return None
    row = model.Session.execute(sa.select(table).where(table.c.id == request_id)).mappings()
    found = row.first()
    return dict(found) if found else None


def support_count(request_id: str) -> int:
    query = sa.select(sa.func.count()).where(votes.c.datarequest_id == request_id)
    return int(model.Session.execute(query).scalar() or 0)


def supports(request_id: str, user_id: str | None) -> bool:
    if not user_id:
        return False
    query = sa.select(votes.c.user_id).where(votes.c.datarequest_id == request_id,
                                             votes.c.user_id == user_id)
    return model.Session.execute(query).first() is not None


def is_overdue(row: dict[str, Any]) -> bool:
    return row["state"] in states.OPEN_STATES and row["deadline"] < states.today()


def public_dict(row: dict[str, Any], user_id: str | None = None) -> dict[str, Any]:
    """What anyone may see of a request: never the requester's e-mail address."""
    org = model.Group.get(row["owner_org"])
    requester = model.User.get(row["requester_id"]) if row["requester_id"] else None
    dataset = model.Package.get(row["dataset_id"]) if row["dataset_id"] else None
    if dataset is not None and (dataset.state != "active" or dataset.private):
        dataset = None  # withdrawn since: its name and title are not public any more
    return {
        "id": row["id"], "title": row["title"], "description": row["description"],
        "owner_org": row["owner_org"],
        "organization": {"name": org.name, "title": org.title} if org else None,
        "reason": row["reason"], "desired_format": row["desired_format"], "theme": row["theme"],
        "requester": requester.display_name if requester else None,
        "requester_id": row["requester_id"],
        "state": row["state"], "state_label": states.state_label(row["state"]),
        "refusal_reason": row["refusal_reason"],
        "refusal_label": states.refusal_label(row["refusal_reason"]),
        "answer": row["answer"],
        "dataset": ({"id": dataset.id, "name": dataset.name, "title": dataset.title}
                    if dataset else None),
        "created": row["created"].isoformat(), "modified": row["modified"].isoformat(),
        "answered": row["answered"].isoformat() if row["answered"] else None,
        "deadline": row["deadline"].isoformat(),
        "overdue": is_overdue(row),
        "days_left": (row["deadline"] - states.today()).days,
        "supporters": support_count(row["id"]),
        "supported": supports(row["id"], user_id),
        "verified": row["verified"],
    }


def _filters(params: dict[str, str], skip: str = "") -> list[Any]:
    clauses: list[Any] = [table.c.verified.is_(True)]
    if params.get("q"):
        like = "%" + params["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(sa.or_(table.c.title.ilike(like), table.c.description.ilike(like)))
    for field in ("state", "owner_org", "theme"):
        if params.get(field) and field != skip:
            clauses.append(table.c[field] == params[field])
    return clauses


_SUPPORTERS = (sa.select(sa.func.count()).where(votes.c.datarequest_id == table.c.id)
               .correlate(table).scalar_subquery())
SORTS = {
    "newest": (table.c.created.desc(),),
    "supported": (_SUPPORTERS.desc(), table.c.created.desc()),
    "deadline": (sa.case((table.c.state.in_(states.OPEN_STATES), 0), else_=1),
                 table.c.deadline.asc(), table.c.created.asc()),
}


def search(params: dict[str, str], sort: str, rows: int, start: int) -> tuple[int, list[dict]]:
    """(count, rows) of the verified requests matching ``params`` (q, state, owner_org, theme)."""
    where = _filters(params)
    count = model.Session.execute(sa.select(sa.func.count()).select_from(table)
                                  .where(*where)).scalar() or 0
    query = sa.select(table).where(*where).order_by(*SORTS[sort]).limit(rows).offset(start)
    return int(count), [dict(r) for r in model.Session.execute(query).mappings()]


def facets(params: dict[str, str]) -> dict[str, dict[str, int]]:
    """Counts per state, agency and theme; each facet counts with the other filters applied."""
    found: dict[str, dict[str, int]] = {}
    for field in ("state", "owner_org", "theme"):
        query = (sa.select(table.c[field], sa.func.count()).where(*_filters(params, skip=field))
                 .where(table.c[field].isnot(None)).group_by(table.c[field])
                 .order_by(sa.func.count().desc(), table.c[field]))
        found[field] = {value: int(n) for value, n in model.Session.execute(query)}
    return found


def stats() -> dict[str, Any]:
    """For ``longan_stats``: verified requests per state, total, overdue."""
    per_state = dict(model.Session.execute(
        sa.select(table.c.state, sa.func.count()).where(table.c.verified.is_(True))
        .group_by(table.c.state)).all())
    overdue = model.Session.execute(
        sa.select(sa.func.count()).select_from(table).where(
            table.c.verified.is_(True), table.c.state.in_(states.OPEN_STATES),
            table.c.deadline < states.today())).scalar() or 0
    return {"total": sum(per_state.values()),
            "by_state": {state: int(per_state.get(state, 0)) for state in states.STATES},
            "overdue": int(overdue)}


def open_counts(org_id: str) -> dict[str, Any]:
    """An agency's open (verified) requests: ``id``, ``title``, ``open``, ``overdue``."""
    is_open = [table.c.owner_org == org_id, table.c.verified.is_(True),
               table.c.state.in_(states.OPEN_STATES)]
    total = model.Session.execute(sa.select(sa.func.count()).select_from(table)
                                  .where(*is_open)).scalar() or 0
    late = model.Session.execute(sa.select(sa.func.count()).select_from(table).where(
        *is_open, table.c.deadline < states.today())).scalar() or 0
    org = model.Group.get(org_id)
    return {"id": org_id, "name": org.name if org else org_id,
            "title": org.title if org else org_id, "open": int(total), "overdue": int(late)}


def fulfilled_by(package_id: str) -> list[dict[str, str]]:
    """The public requests that ``package_id`` fulfilled (``id``, ``title``), newest first."""
    query = (sa.select(table.c.id, table.c.title)
             .where(table.c.dataset_id == package_id, table.c.verified.is_(True),
                    table.c.state == states.FULFILLED)
             .order_by(table.c.answered.desc()).limit(20))
    return [{"id": rid, "title": title} for rid, title in model.Session.execute(query)]
