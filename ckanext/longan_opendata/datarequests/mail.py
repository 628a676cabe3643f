"""E-mails of the data requests through the shared mailer (:mod:`ckanext.longan_opendata.mailer`):
the requester at each answer, and the verification link of an anonymous request."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from itsdangerous import BadData, URLSafeTimedSerializer

from ckanext.longan_opendata import mailer

from . import states

log = logging.getLogger(__name__)

_SALT = "longan-datarequest-verify"


def _site() -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/")


def page_url(request_id: str) -> str:
    return f"{_site()}/de-xuat-du-lieu/{request_id}"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(tk.config.get("SECRET_KEY") or "", salt=_SALT)


def verified_id(token: str) -> str | None:
    """The request id signed in ``token``, if the signature holds and is not too old."""
    try:
        value = _signer().loads(token, max_age=states.VERIFY_MAX_AGE)
    except BadData:
        return None
    return value if isinstance(value, str) else None


def _send(recipients: list[Any], template: str, extra: dict[str, Any]) -> int:
    try:
        return mailer.send(recipients, f"longan/datarequests/mail/{template}", extra)
    except Exception:  # a mail never undoes or blocks the change that caused it
        log.exception("data request e-mail %s failed", template)
        return 0


def verification(row: dict[str, Any]) -> int:
    """Send the anonymous requester the link that publishes their request."""
    token = _signer().dumps(row["id"])
    return _send([{"email": row["requester_email"]}], "verify", {
        "title": row["title"], "url": f"{_site()}/de-xuat-du-lieu/xac-nhan/{token}",
        "days": states.VERIFY_MAX_AGE // 86400})


def proposed(row: dict[str, Any]) -> int:
    """Tell the addressed agency's stewards (editors, admins) of a new public request."""
    from ckanext.longan_opendata.feedback import records as feedback_records

    org = model.Group.get(row["owner_org"])
    return _send(feedback_records.stewards(row["owner_org"]), "proposed", {
        "title": row["title"], "agency": org.title if org else "", "url": page_url(row["id"]),
        "deadline": row["deadline"].isoformat()})


def answered(row: dict[str, Any], shown: dict[str, Any]) -> int:
    """Tell the requester of the answer (an account's address, or the verified anonymous one)."""
    user = model.User.get(row["requester_id"]) if row["requester_id"] else None
    if not (user and user.email) and not row["requester_email"]:
        return 0
    recipient: Any = user if user and user.email else {"email": row["requester_email"]}
    dataset = shown.get("dataset")
    return _send([recipient], "answered", {
        "request": shown, "url": page_url(row["id"]),
        "dataset_url": f"{_site()}/dataset/{dataset['name']}" if dataset else "",
    })
