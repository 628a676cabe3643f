"""The e-mail to the agency's stewards when feedback arrives (shared mailer)."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.longan_opendata import mailer

from . import records, states

log = logging.getLogger(__name__)


def received(row: dict[str, Any], pkg: model.Package) -> int:
    """Tell the stewards of the dataset's agency; returns how many mails were sent."""
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    extra = {"feedback": {**row, "kind_label": states.kind_label(row["kind"])},
             "dataset": {"name": pkg.name, "title": pkg.title or pkg.name},
             "dataset_url": f"{site}/dataset/{pkg.name}", "dashboard_url": f"{site}/gop-y"}
    try:
        return mailer.send(records.stewards(row["owner_org"]), "longan/feedback/mail/received",
                           extra)
    except Exception:  # a mail never undoes the feedback
        log.exception("feedback e-mail for %s failed", pkg.name)
        return 0
