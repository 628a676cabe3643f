"""Who may / may not call the follow API: anonymous, a logged-in person, a sysadmin."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.longan_opendata.follow import digest
from tests.workflow.conftest import act

OK, DENIED = "ok", "denied"
CALLS = {
    "longan_follow": {"kind": "theme", "target": "y-te"},
    "longan_unfollow": {"kind": "theme", "target": "y-te"},
    "longan_follow_list": {},
    "longan_follow_period": {"period": "weekly"},
    "longan_follow_digest_send": {"period": "weekly"},
    "longan_follow_unsubscribe": None,  # a valid token of the follower
}
EXPECTED = {  # anonymous, person, sysadmin
    "longan_follow": (DENIED, OK, OK), "longan_unfollow": (DENIED, OK, OK),
    "longan_follow_list": (DENIED, OK, OK), "longan_follow_period": (DENIED, OK, OK),
    "longan_follow_digest_send": (DENIED, DENIED, OK),
    "longan_follow_unsubscribe": (OK, OK, OK),
}


@pytest.mark.parametrize("role", ("anonymous", "person", "sysadmin"))
@pytest.mark.parametrize("action", list(CALLS))
def test_follow_matrix(town, action, role):
    user = {"anonymous": None, "person": town.users["other"],
            "sysadmin": town.users["sysadmin"]}[role]
    data = CALLS[action]
    if data is None:
        follower = tk.get_action("user_show")({"ignore_auth": True},
                                              {"id": town.users["follower"]})
        data = {"token": digest.unsubscribe_token(follower["id"])}
    try:
        act(action, user, **data)
        outcome = OK
    except tk.NotAuthorized:
        outcome = DENIED
    assert outcome == EXPECTED[action][("anonymous", "person", "sysadmin").index(role)]
