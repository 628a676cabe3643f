"""Who may / may not, for the series API: reading a series' editions and putting a dataset in
a series, by role × series state (published, draft). Every cell is a test."""
from __future__ import annotations

import itertools

import ckan.plugins.toolkit as tk
import pytest

from tests.series.conftest import edition, publish, series_fields
from tests.workflow.conftest import act

OK, DENIED, INVALID = "ok", "denied", "invalid"
ROLES = ("anonymous", "member", "editor", "admin", "outsider")
_years = itertools.count(1900)


def expected(action: str, role: str, state: str) -> str:
    """Issue 12's rules, written independently of the code: a series is read like a dataset
    (drafts by its agency's people only); only its agency's stewards add editions to it."""
    if action == "longan_series_editions":
        return OK if state == "published" or role in ("member", "editor", "admin") else DENIED
    if role in ("anonymous", "member"):
        return DENIED                     # may not create a dataset at all
    return OK if role in ("editor", "admin") else INVALID


@pytest.fixture(scope="module")
def series_by_state(yearbook):
    """A published and a draft series of their own (the yearbook's editions stay as they are)."""
    editor, admin = yearbook.users["editor"], yearbook.users["admin"]
    published = act("package_create", editor, owner_org=yearbook.org["id"],
                    **series_fields(title="Điều tra lao động", name="dieu-tra-lao-dong"))
    publish(editor, admin, published)
    draft = act("package_create", editor, owner_org=yearbook.org["id"],
                **series_fields(title="Khảo sát doanh nghiệp", name="khao-sat-doanh-nghiep"))
    return {"published": published, "draft": draft}


def _run(action: str, role: str, yearbook, series: dict) -> str:
    user = None if role == "anonymous" else yearbook.users[role]
    org = yearbook.other_org if role == "outsider" else yearbook.org
    try:
        if action == "longan_series_editions":
            act(action, user, id=series["id"])
        else:
            year = next(_years)
            act("package_create", user, owner_org=org["id"],
                **edition(series["id"], year, name=f"ky-{year}"))
    except tk.NotAuthorized:
        return DENIED
    except tk.ValidationError as error:
        assert "in_series" in error.error_dict, error.error_dict
        return INVALID
    return OK


@pytest.mark.parametrize("state", ("published", "draft"))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ("longan_series_editions", "add_edition"))
def test_series_matrix(action, role, state, yearbook, series_by_state):
    assert _run(action, role, yearbook, series_by_state[state]) == expected(action, role, state)
