"""The digest e-mail: for each person whose period is due, the followed datasets (published
ones only) that got a new resource or a new version since their last digest; and the signed
one-click unsubscribe token."""
from __future__ import annotations

import datetime
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from itsdangerous import BadSignature, URLSafeSerializer

from ckanext.longan_opendata.mailer import send as _send

from . import store

__all__ = ["changes_for", "send_digests", "unsubscribe_token", "user_of_token"]

log = logging.getLogger(__name__)
TEMPLATE = "longan/follow/mail/digest"
_SALT = "longan-follow-unsubscribe"
WINDOW = {"daily": datetime.timedelta(days=1), "weekly": datetime.timedelta(days=7)}
MAX_ITEMS = 50



def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret"),
                             salt=_SALT)


def unsubscribe_token(user_id: str) -> str:
    """A token that stops ``user_id``'s digests; signed with the site's secret, no expiry."""
    return _serializer().dumps({"u": user_id})


def user_of_token(token: str) -> str | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return data.get("u") if isinstance(data, dict) else None


def _filters(user_id: str) -> list[dict[str, str]]:
    """One search (``q``/``fq``) per thing the person follows."""
    found = [{"fq": f'id:"{row.object_id}"'} for row in model.Session.query(
        model.UserFollowingDataset).filter_by(follower_id=user_id)]
    found += [{"fq": f'owner_org:"{row.object_id}"'} for row in model.Session.query(
        model.UserFollowingGroup).filter_by(follower_id=user_id)]
    followed = store.targets(user_id)
    found += [{"fq": f'vocab_theme:"{code}"'} for code in followed["theme"]]
    found += [{"q": query} for query in followed["search"]]
    return found


def _since_iso(since: datetime.datetime) -> str:
    """``since`` as a Solr date to the millisecond (Solr's precision): a dataset saved in
    the same second, just before the last digest, is not news."""
    return since.strftime("%Y-%m-%dT%H:%M:%S.") + f"{since.microsecond // 1000:03d}Z"


def changes_for(user_id: str, since: datetime.datetime) -> list[dict[str, Any]]:
    """The published datasets followed by ``user_id`` changed since ``since`` (UTC): each
    ``{"name", "title", "url", "new_dataset": bool, "new_resources": [names],
    "new_version": bool}``."""
    seen: dict[str, dict[str, Any]] = {}
    for search in _filters(user_id):
        fq = " ".join(filter(None, [search.get("fq"),
                                    f"metadata_modified:[{_since_iso(since)} TO *]"]))
        found = tk.get_action("package_search")(
            {"user": ""}, {"q": search.get("q", ""), "fq": fq, "rows": MAX_ITEMS,
                           "sort": "metadata_modified desc"})
        for pkg in found["results"]:
            if pkg["id"] in seen or (pkg.get("metadata_modified") or "") < since.isoformat():
                continue
            created = (pkg.get("metadata_created") or "") >= since.isoformat()
            new = [r.get("name") or r.get("url") for r in pkg.get("resources", [])
                   if not created and (r.get("created") or "") >= since.isoformat()]
            seen[pkg["id"]] = {"name": pkg["name"], "title": pkg["title"],
                               "url": tk.url_for("dataset.read", id=pkg["name"],
                                                 _external=True),
                               "new_dataset": created, "new_resources": new,
                               "new_version": not created and not new}
    return list(seen.values())[:MAX_ITEMS]


def send_digests(period: str, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send the ``period`` digests that are due; ``{"people", "sent", "empty"}``."""
    now = now or store.now()
    counts = {"people": 0, "sent": 0, "empty": 0}
    for user_id in store.subscribers(period):
        user = model.User.get(user_id)
        if user is None:
            continue
        counts["people"] += 1
        since = store.last_sent(user_id) or now - WINDOW[period]
        changes = changes_for(user_id, since)
        if changes:
            counts["sent"] += _send([user], TEMPLATE, {
                "changes": changes, "period": period,
                "unsubscribe_url": tk.url_for("longan_follow.unsubscribe",
                                              token=unsubscribe_token(user_id), _external=True),
                "manage_url": tk.url_for("longan_follow.index", _external=True)})
        else:
            counts["empty"] += 1
        store.mark_sent(user_id, now)
    model.Session.commit()
    log.info("follow digest %s: %s", period, counts)
    return counts
