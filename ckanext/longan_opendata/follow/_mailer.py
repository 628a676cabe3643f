"""Stand-in for the shared mailer (``ckanext.longan_opendata.mailer`` of branch i18n), with its
signature: removed at merge. Renders in the site's default language."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import mailer as ckan_mailer


def send(recipients: Iterable[Any], template: str,
         extra_vars: Mapping[str, Any] | None = None) -> int:
    sent = 0
    for person in recipients:
        email = getattr(person, "email", None) or (person.get("email") if isinstance(
            person, Mapping) else None)
        if not email:
            continue
        data = {**(extra_vars or {}), "recipient": person}
        subject = " ".join(tk.render(f"{template}_subject.txt", data).split())
        ckan_mailer.mail_recipient(getattr(person, "name", email), email, subject,
                                   tk.render(f"{template}.txt", data),
                                   body_html=tk.render(f"{template}.html", data))
        sent += 1
    return sent
