"""Reviewer approval of a harvest source's ``auto_publish``.

``auto_publish: true`` (the default) in a source's config asks for its harvested datasets to be
published without a per-dataset review. It takes effect only once a reviewer (admin) of the
source's organisation or a sysadmin has approved it
(``longan_harvest_source_approve_auto_publish``); until then the harvested datasets arrive as
``pending_review`` (private).

An approval is bound to the source's settings as approved: the sha256 of its type, URL,
organisation and canonical config JSON (:func:`settings_digest`), stored in the
``longan_harvest_approval`` table (alembic migration of this plugin). Any later change of these
settings (another host, database, table set, organisation…) makes the approval void; the source
needs a new approval.

While a source's approval is void or missing, what the harvest writes goes to review: a new
dataset arrives as ``pending_review``, and an update of an already published dataset takes it back
to ``pending_review`` (private) until a reviewer approves that dataset, since the changed settings
may bring content nobody reviewed. Datasets the harvest does not touch stay as they are.
Once the source is approved, the next harvest publishes its datasets still ``pending_review``,
even when their source data did not change (:func:`awaits_publication`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import sqlalchemy as sa
from ckan import model

from ckanext.longan_opendata.model import approval_table


def _config(text: str | None) -> Any:
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text  # an invalid config is hashed as written


def requests_auto_publish(config_text: str | None) -> bool:
    """Whether a source config asks for ``auto_publish`` (absent means true)."""
    config = _config(config_text)
    return isinstance(config, dict) and config.get("auto_publish", True) is True


def source_package(id_or_name: str) -> model.Package | None:
    """The dataset (type ``harvest``) of a harvest source, by id or name; None if there is none."""
    pkg = model.Package.get(id_or_name)
    if pkg is None or pkg.type != "harvest":
        return None
    return pkg


def settings_digest(source_id: str) -> str | None:
    """sha256 of what an approval covers: type, URL, organisation and the canonical config."""
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(source_id)
    pkg = model.Package.get(source_id)
    if source is None or pkg is None:
        return None
    canonical = json.dumps(
        {"type": source.type, "url": source.url, "owner_org": pkg.owner_org,
         "config": _config(source.config)},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def approve(source_id: str, user_id: str) -> None:
    """Record that ``user_id`` approves the source's current settings."""
    digest = settings_digest(source_id)
    if digest is None:
        raise ValueError(f"no harvest source {source_id}")
    model.Session.execute(approval_table.insert().values(
        id=str(uuid.uuid4()), source_id=source_id, settings_sha256=digest, approved_by=user_id,
        approved_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))
    model.Session.commit()


def _latest(source_id: str) -> Any | None:
    return model.Session.execute(
        sa.select(approval_table).where(approval_table.c.source_id == source_id)
        .order_by(approval_table.c.approved_at.desc()).limit(1)).first()


def status(source_id: str) -> dict[str, Any]:
    """``requested`` (the config asks for auto_publish), ``approved`` (an approval matches the
    current settings: auto_publish is in effect when both are true), the latest approval's
    ``approved_by`` (user name) and ``approved_at`` (ISO), and ``void`` (it no longer matches)."""
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(source_id)
    latest = _latest(source_id)
    valid = latest is not None and latest.settings_sha256 == settings_digest(source_id)
    user = model.User.get(latest.approved_by) if latest is not None else None
    return {
        "requested": requests_auto_publish(source.config if source else None),
        "approved": valid,
        "void": latest is not None and not valid,
        "approved_by": (user.name if user else latest.approved_by) if latest else None,
        "approved_at": latest.approved_at.isoformat() if latest else None,
    }


def auto_publish_in_effect(source_id: str | None, config: dict[str, Any]) -> bool:
    """True when ``config`` asks for auto_publish and an approval matches the source's current
    settings; the harvesters publish only then."""
    if not source_id or config.get("auto_publish", True) is not True:
        return False
    latest = _latest(source_id)
    return latest is not None and latest.settings_sha256 == settings_digest(source_id)


def awaits_publication(source_id: str | None, package_id: str | None) -> bool:
    """A dataset of an approved auto_publish source still ``pending_review``: it is not
    "unchanged" for the harvest, so that the next harvest after the approval publishes it."""
    from ckanext.harvest.model import HarvestSource

    from ckanext.longan_opendata import workflow

    pkg = model.Package.get(package_id) if package_id else None
    if pkg is None or pkg.state != "active" or \
            workflow.state_of_package(pkg) != workflow.PENDING:
        return False
    source = HarvestSource.get(source_id) if source_id else None
    if source is None:
        return False
    config = _config(source.config)
    return isinstance(config, dict) and auto_publish_in_effect(source_id, config)
