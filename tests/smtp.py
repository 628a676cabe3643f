"""A real SMTP server on loopback (aiosmtpd) for the tests of e-mails sent through CKAN's mailer.

``inbox`` is a fixture of the whole suite (registered in ``tests/conftest.py``): it starts a server
on a free port, points ``smtp.server`` at it and yields the list of messages it received.
"""
from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def inbox(ckan_config, monkeypatch):
    handler = _Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port}")
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "cong-du-lieu@longan.test")
    yield handler.messages
    controller.stop()
