"""Issue 14 item 6: every custom action (``longan_*``, found in the registry, parameters read from
its docstring) fuzzed through the real API with wrong types, a huge string, NUL bytes, NFD and
zero-width characters, by roles inside and outside the agency: never a 5xx, and nothing of a draft
(its unique title) in the answer of someone who may not read it. The counts are printed and
written to ``test-artifacts/fuzz-counts.txt``. The hand-written cases naming the field are in
``test_security.py``; this sweeps what they do not list.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from ckanext.longan_opendata import workflow as wf

from .test_security import _api

SECRET_TITLE = "Bí mật nháp kiểm thử fuzz"
ROLES = ("anonymous", "other_editor", "admin", "sysadmin")
OUTSIDERS = ("anonymous", "other_editor")
#: the state of the dataset each action is tried on (a valid id, other parameters fuzzed)
TARGET_STATE = {"longan_workflow_approve": wf.PENDING, "longan_workflow_reject": wf.PENDING,
                "longan_workflow_withdraw": wf.PUBLISHED, "longan_workflow_submit": wf.DRAFT}


def _values(draft: dict[str, Any]) -> dict[str, Any]:
    nfd = unicodedata.normalize("NFD", "Tiếng Việt có dấu")
    return {
        "int": 5, "list": [1, "a"], "dict": {"a": {"b": 1}}, "null": None, "bool": True,
        "huge": "Đ" * 200_000, "nul": "a\x00b", "nfd": nfd, "zero-width": "a\u200b\u200db\ufeff",
        "draft-id-zero-width": draft["id"] + "\u200b", "draft-name-nfd":
            unicodedata.normalize("NFD", draft["name"]) + "\u0301",
    }


def _custom_actions() -> dict[str, list[str]]:
    from ckanext.longan_opendata import plugin

    actions = plugin._gathered("get_actions")
    return {name: re.findall(r":param (\w+):", fn.__doc__ or "") or ["id"]
            for name, fn in sorted(actions.items()) if name.startswith("longan_")}


@pytest.fixture(scope="module")
def draft(world):
    return world.fresh(wf.DRAFT, title=SECRET_TITLE)


def _base(world: Any, action: str, params: list[str]) -> dict[str, Any]:
    if "id" not in params:
        return {}
    state = TARGET_STATE.get(action)
    if state is None:  # harvest source actions: a dataset id is not a source
        return {"id": world.org["id"]}
    return {"id": world.fresh(state)["id"]}


def test_every_custom_action_fuzzed_never_5xx_never_leaks(world, web, draft):
    tried, fivexx, leaks, statuses = 0, [], [], {}
    actions = _custom_actions()
    assert len(actions) >= 9, actions
    for action, params in actions.items():
        base = _base(world, action, params)
        for param in params:
            for label, value in _values(draft).items():
                for role in ROLES:
                    data = {**base, param: value}
                    response = _api(web, action, world.tokens.get(role), data)
                    tried += 1
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    body = response.get_data(as_text=True)
                    if response.status_code >= 500:
                        fivexx.append((action, param, label, role, body[:200]))
                    if role in OUTSIDERS and SECRET_TITLE in body:
                        leaks.append((action, param, label, role))
    paths = sum(len(p) for p in actions.values())
    report = (f"fuzz: {len(actions)} actions, {paths} parameters x {len(_values(draft))} values "
              f"x {len(ROLES)} roles = {tried} calls; statuses {sorted(statuses.items())}; "
              f"5xx {len(fivexx)}; leaks {len(leaks)}")
    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz-counts.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n" + "\n".join(map(repr, fivexx + leaks)) + "\n")
    print("\n" + report)
    assert fivexx == [], fivexx
    assert leaks == [], leaks
