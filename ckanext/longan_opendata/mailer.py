"""The portal's e-mails: Jinja templates rendered in each recipient's language, sent by CKAN's
mailer.

An e-mail is three templates next to each other (``template`` is the path without the ending)::

    templates/<template>_subject.txt   one line (whitespace is collapsed)
    templates/<template>.txt           the plain-text body
    templates/<template>.html          the HTML body (optional: left out when it does not exist)

rendered with CKAN's Jinja environment (``{{ _('English msgid') }}``, ``h.…`` helpers) for each
recipient in their language: the ``locale`` of a plain dict, else the user's chosen locale
(``plugin_extras["longan_opendata"]["locale"]``, see :func:`set_user_locale`), else
``ckan.locale_default``; a locale the site does not offer (``ckan.locales_offered``) falls back to
the default. Each template also gets ``recipient`` (``name``, ``email``, ``locale``) and
``site_title`` / ``site_url``.

:func:`send` never raises: an SMTP server that is down or refuses, or a template that fails, is
logged (``... not sent: ...``) and counted, so a caller inside an action's transaction is never
undone by a mail. It works outside a web request too (CLI, background jobs, harvest consumers):
CKAN's internal request context is used for rendering then.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import ckan.plugins.toolkit as tk
import flask
from ckan import model
from ckan.lib import mailer as ckan_mailer
from jinja2 import TemplateNotFound

from ckanext.longan_opendata.lang import default_locale, in_locale, offered_locales

__all__ = ["Rendered", "default_locale", "offered_locales", "recipient_locale", "render", "send",
           "set_user_locale"]

log = logging.getLogger(__name__)

#: a CKAN user (object or dict of ``user_show``) or a plain ``{"email", "name", "locale"?}``
Recipient = model.User | Mapping[str, Any]
#: where a user's chosen language is kept: ``user.plugin_extras[EXTRAS_KEY]["locale"]``
EXTRAS_KEY = "longan_opendata"


class Rendered(NamedTuple):
    """One e-mail rendered for one language."""

    subject: str
    text: str
    html: str | None


def send(recipients: Iterable[Recipient], template: str,
         extra_vars: Mapping[str, Any] | None = None) -> int:
    """Render ``template`` for each recipient in their language and send it (text + HTML).

    :param recipients: CKAN users (``model.User`` or user dicts) or plain dicts with ``email``,
        ``name`` and optionally ``locale``; recipients without an e-mail address are skipped
    :param template: the templates' path without ending, e.g. ``"longan/workflow/mail/submit"``
    :param extra_vars: the templates' variables (the same for every recipient)
    :returns: how many e-mails were sent; failures are logged, never raised
    """
    sent = failed = 0
    for recipient in recipients:
        person = _person(recipient)
        if not person["email"]:
            continue
        try:
            mail = render(template, {**(extra_vars or {}), "recipient": person}, person["locale"])
            ckan_mailer.mail_recipient(person["name"], person["email"], _unfoldable(mail.subject),
                                       mail.text, body_html=mail.html)
            sent += 1
        except Exception as error:  # noqa: BLE001 (mail server down, refused, template error…)
            failed += 1
            log.error("e-mail %s to %s not sent: %s", template, person["email"], error)
    if failed:
        log.warning("e-mail %s: %d sent, %d not sent", template, sent, failed)
    return sent


def render(template: str, extra_vars: Mapping[str, Any], locale: str | None = None) -> Rendered:
    """The subject, text and HTML of ``template`` in ``locale`` (default: the site's).

    :param template: the templates' path without ending
    :param extra_vars: the templates' variables
    :param locale: a locale code such as ``"vi"`` or ``"en"``
    :returns: a :class:`Rendered` (``html`` is None when there is no HTML template)
    """
    data = {"site_title": tk.config.get("ckan.site_title"),
            "site_url": tk.config.get("ckan.site_url", "").rstrip("/"), **extra_vars}
    with in_locale(locale or default_locale()):
        subject = " ".join(_render_text(f"{template}_subject.txt", data).split())
        text = _render_text(f"{template}.txt", data)
        try:
            html: str | None = tk.render(f"{template}.html", dict(data))
        except TemplateNotFound:
            html = None
    return Rendered(subject, text, html)


def _render_text(name: str, data: Mapping[str, Any]) -> str:
    """Render a plain-text template without HTML escaping (CKAN's environment escapes every
    template, so a title with quotes would read ``&#34;`` in the text body)."""
    app = flask.current_app
    env = app.extensions.get("longan_text_env")
    if env is None:
        env = app.extensions["longan_text_env"] = app.jinja_env.overlay(autoescape=False)
    context = dict(data)
    app.update_template_context(context)
    return env.get_template(name).render(context)


def recipient_locale(recipient: Recipient) -> str:
    """The language ``recipient`` reads: their chosen locale if the site offers it, else the
    default."""
    return _person(recipient)["locale"]


def set_user_locale(user: model.User, locale: str | None) -> None:
    """Keep ``locale`` (None: forget it) as ``user``'s language for e-mails; the caller commits.

    :raises ValueError: when the site does not offer ``locale``
    """
    if locale is not None and locale not in offered_locales():
        raise ValueError(locale)
    extras = dict(user.plugin_extras or {})
    own = dict(extras.get(EXTRAS_KEY) or {})
    if locale is None:
        own.pop("locale", None)
    else:
        own["locale"] = locale
    extras[EXTRAS_KEY] = own
    user.plugin_extras = extras


def _person(recipient: Recipient) -> dict[str, Any]:
    if isinstance(recipient, model.User):
        name, email, extras = recipient.display_name, recipient.email, recipient.plugin_extras
        chosen = None
    else:
        email = recipient.get("email")
        name = recipient.get("display_name") or recipient.get("fullname") or recipient.get("name")
        extras, chosen = recipient.get("plugin_extras"), recipient.get("locale")
    if not chosen and isinstance(extras, Mapping):
        chosen = (extras.get(EXTRAS_KEY) or {}).get("locale")
    locale = chosen if chosen in offered_locales() else default_locale()
    return {"name": name or email or "", "email": email or "", "locale": locale}


def _unfoldable(subject: str) -> str:
    """Python 3.11's e-mail header folding drops the space where it splits a long non-ASCII
    subject into two encoded words ("dữ liệuchờ duyệt"); no-break spaces read the same and
    survive."""
    return subject.replace(" ", "\u00a0")
