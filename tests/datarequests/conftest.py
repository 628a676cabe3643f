"""Fixtures of the data request and feedback tests: the publish workflow's world (an agency with
its member, editor, two admins, another agency's editor, a sysadmin, one dataset per workflow
state; built once and shared with the workflow tests), a requester and a supporter, one app."""
from __future__ import annotations

import random
from typing import Any

import pytest
from ckan.tests import factories

from tests.fast import cached_test_app
from tests.workflow.conftest import PASSWORD, act, build_world

__all__ = ["PASSWORD", "act", "client_address", "mails_to", "propose"]



def client_address() -> str:
    """A random private address, so no test inherits another's (or another run's) rate count."""
    return "10." + ".".join(str(random.randrange(1, 255)) for _ in range(3))


@pytest.fixture(scope="module")
def world(build_once):
    built = build_once("workflow", build_world)
    for role in ("requester", "supporter"):
        if role not in built.users:
            built.users[role] = factories.User(
                password=PASSWORD, email=f"{role}@longan.test", image_url="")["name"]
    return built


@pytest.fixture(scope="module")
def web(world):
    return cached_test_app()


@pytest.fixture()
def request_context(web):
    """The test in a request of its own client address (the rate limits count per client, in
    Redis, across runs), for calling actions that render e-mails. Not for tests of pages: the
    test client's requests would share its app context (and its cached translations)."""
    address = client_address()
    with web.flask_app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        yield address


def propose(world, user: str | None = "requester", **fields: Any) -> dict[str, Any]:
    """A data request to the world's agency, as ``user`` (a role of the world)."""
    data = {"title": "Danh sách điểm thu gom rác thải", "description": "Vị trí và giờ thu gom.",
            "owner_org": world.org["name"], "reason": "Để làm bản đồ cho người dân",
            "desired_format": "CSV", "theme": "", **fields}
    return act("longan_datarequest_create", world.users.get(user) if user else None, **data)


def mails_to(inbox: list, address: str) -> list:
    """The messages of ``inbox`` sent to ``address``."""
    return [m for m in inbox if address in m["X-Envelope-To"].split(", ")]
