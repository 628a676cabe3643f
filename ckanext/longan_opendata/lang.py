"""Languages of the portal's words outside a page's own request: messages kept for later, text in
a chosen locale.

A :class:`Message` is an English msgid of the catalogue (``i18n/vi/…po`` has its Vietnamese) with
its ``%(name)s`` parameters; it is translated when it is turned into text (``str(message)``), in
the language of that moment: the reader's during a web request, the one forced by
:func:`in_locale` (an e-mail's recipient), the site default (``ckan.locale_default``) outside a
request (harvest consumers, CLI, background jobs), English with no application at all. A
parameter that is itself a :class:`Message` or an exception is translated the same way, so
messages nest (``"%(where)s: %(error)s"``).

Extraction: ``_``, ``Message`` and ``say`` (first argument) and the harvesters' ``err`` (second
argument) are keywords of ``tests/test_i18n.py``; their msgids must be English literals.
"""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk


class Message:
    """An English msgid with its parameters, translated when shown.

    :param msgid: the English text, a literal (``%(name)s`` for each parameter)
    :param params: the parameters (texts, numbers, other messages, exceptions)
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Any):
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        return self.text()

    def text(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message translated by ``gettext`` (default: CKAN's ``tk._``, the language of the
        moment), its parameters too."""
        if gettext is None and not _in_request():  # no reader: the site's language
            with in_locale(default_locale()):
                return self.text(tk._)
        translate = gettext or tk._
        text = translate(self.msgid)
        if not self.params:
            return text
        return text % {k: _shown(v, gettext) for k, v in self.params.items()}

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"


def _in_request() -> bool:
    import flask

    return flask.has_request_context()


def _shown(value: Any, gettext: Callable[[str], str] | None) -> Any:
    if isinstance(value, Message):
        return value.text(gettext)
    return str(value) if isinstance(value, BaseException) else value


def catalogue(locale: str) -> Callable[[str], str]:
    """The ``gettext`` of the portal's own catalogue in ``locale``, read without CKAN (the
    doctor runs when CKAN cannot start); msgids it does not know stay English."""
    from babel.support import Translations

    from ckanext.longan_opendata import i18n

    return Translations.load(os.path.dirname(os.path.abspath(i18n.__file__)), [locale],
                             "ckanext-longan_opendata").gettext


def default_locale() -> str:
    """The site's default locale (``ckan.locale_default``)."""
    return tk.config.get("ckan.locale_default") or "en"


def offered_locales() -> list[str]:
    """The locales a reader may choose: the default and ``ckan.locales_offered``."""
    offered = tk.config.get("ckan.locales_offered") or []
    if isinstance(offered, str):
        offered = offered.split()
    return list(dict.fromkeys([default_locale(), *offered]))


@contextlib.contextmanager
def in_locale(locale: str | None = None) -> Iterator[None]:
    """Translate into ``locale`` (default: the site's) inside the block, within a web request or
    outside one (CLI, background jobs, harvest consumers: CKAN's internal request context)."""
    import flask
    import flask_babel

    with contextlib.ExitStack() as stack:
        if not flask.has_request_context():
            from ckan.lib.helpers import _get_auto_flask_context  # CKAN's own url_for uses it
            auto = _get_auto_flask_context()
            if auto is None:  # no application at all: English msgids
                yield
                return
            stack.enter_context(auto)
        stack.enter_context(flask_babel.force_locale(locale or default_locale()))
        yield


def cli_locale() -> str:
    """The language of a ``ckan longan …`` command: ``ckan longan --lang LANG …`` if the site
    offers it, else ``ckan.locale_default``."""
    import click

    ctx = click.get_current_context(silent=True)
    asked = ctx.meta.get(CLI_LANG_KEY) if ctx is not None else None
    return asked if asked in offered_locales() else default_locale()


#: where ``ckan longan --lang`` is kept (click's ``meta``, shared by the subcommands)
CLI_LANG_KEY = "longan_opendata.lang"


def say(msgid: str, /, **params: Any) -> str:
    """A line of a ``ckan longan`` command: ``msgid`` (English, a literal) in the command's
    language (:func:`cli_locale`)."""
    return in_language(Message(msgid, **params), cli_locale())


def in_language(message: Any, locale: str) -> str:
    """``message`` (a :class:`Message`, an exception or a text) as text in ``locale``."""
    with in_locale(locale):
        return str(message)


def in_default(message: Any) -> str:
    """``message`` as text in the site's default language: what is stored for readers who are
    not there yet (harvest errors, dataset notes)."""
    return in_language(message, default_locale())
