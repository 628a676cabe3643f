"""The follow tables: themes and saved searches a person follows, and their digest preference."""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.longan_opendata.model.subscription import (
    digest_preference_table as prefs,
)
from ckanext.longan_opendata.model.subscription import (
    subscription_table as subs,
)

__all__ = ["add", "mark_sent", "period_of", "remove", "set_period", "subscribers", "targets"]

DEFAULT_PERIOD = "weekly"


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def add(user_id: str, kind: str, target: str) -> bool:
    """Follow a theme or a saved search; False when already followed."""
    exists = model.Session.execute(sa.select(subs.c.id).where(
        subs.c.user_id == user_id, subs.c.kind == kind, subs.c.target == target)).first()
    if exists:
        return False
    model.Session.execute(subs.insert().values(
        id=str(uuid.uuid4()), user_id=user_id, kind=kind, target=target, created=now()))
    return True


def remove(user_id: str, kind: str, target: str) -> bool:
    result = model.Session.execute(subs.delete().where(
        subs.c.user_id == user_id, subs.c.kind == kind, subs.c.target == target))
    return bool(result.rowcount)


def targets(user_id: str) -> dict[str, list[str]]:
    """``{"theme": [...], "search": [...]}`` in the order they were followed."""
    rows = model.Session.execute(sa.select(subs.c.kind, subs.c.target).where(
        subs.c.user_id == user_id).order_by(subs.c.created)).all()
    found: dict[str, list[str]] = {"theme": [], "search": []}
    for kind, target in rows:
        found.setdefault(kind, []).append(target)
    return found


def _preference(user_id: str) -> Any:
    return model.Session.execute(sa.select(prefs).where(prefs.c.user_id == user_id)).first()


def period_of(user_id: str) -> str:
    row = _preference(user_id)
    return row.period if row else DEFAULT_PERIOD


def set_period(user_id: str, period: str) -> None:
    if _preference(user_id):
        model.Session.execute(prefs.update().where(prefs.c.user_id == user_id).values(
            period=period))
    else:
        model.Session.execute(prefs.insert().values(user_id=user_id, period=period))


def last_sent(user_id: str) -> datetime.datetime | None:
    row = _preference(user_id)
    return row.last_sent if row else None


def mark_sent(user_id: str, when: datetime.datetime) -> None:
    if _preference(user_id):
        model.Session.execute(prefs.update().where(prefs.c.user_id == user_id).values(
            last_sent=when))
    else:
        model.Session.execute(prefs.insert().values(user_id=user_id, period=DEFAULT_PERIOD,
                                                    last_sent=when))


def subscribers(period: str) -> list[str]:
    """Ids of the active users following anything whose digest comes every ``period``."""
    following = sa.union(
        sa.select(subs.c.user_id),
        sa.select(model.UserFollowingDataset.follower_id),
        sa.select(model.UserFollowingGroup.follower_id)).subquery()
    chosen = sa.select(prefs.c.user_id).where(prefs.c.period != period)
    query = (sa.select(model.User.id).where(model.User.id.in_(sa.select(following)))
             .where(model.User.state == "active"))
    if period == DEFAULT_PERIOD:
        query = query.where(model.User.id.not_in(chosen))
    else:
        query = query.where(model.User.id.in_(
            sa.select(prefs.c.user_id).where(prefs.c.period == period)))
    return [row[0] for row in model.Session.execute(query.order_by(model.User.id)).all()]
