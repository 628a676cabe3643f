"""STAND-IN (helper ``requests``) for the shared mailer of branch ``i18n``, same signature; the
merge replaces it. Renders ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``
(in the current language: the real one uses each recipient's) and sends through CKAN's mailer."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import mailer

log = logging.getLogger(__name__)

__all__ = ["send"]


def send(recipients: Iterable[model.User | str], template: str,
         extra_vars: dict[str, Any]) -> int:
    """Send ``template`` to each recipient (a user or an e-mail address); returns how many
    were sent (a refused or failed one is logged, not raised)."""
    sent = 0
    for recipient in recipients:
        name, address = ((recipient.display_name, recipient.email)
                         if isinstance(recipient, model.User) else ("", recipient))
        if not address:
            continue
        subject = tk.render(f"{template}_subject.txt", extra_vars).strip().replace(" ", "\u00a0")
        try:
            mailer.mail_recipient(name, address, subject, tk.render(f"{template}.txt", extra_vars),
                                  body_html=tk.render(f"{template}.html", extra_vars))
            sent += 1
        except Exception as error:  # noqa: BLE001 (mail server down, refused, …)
            log.error("e-mail %s to %s not sent: %s", template, address, error)
    return sent
