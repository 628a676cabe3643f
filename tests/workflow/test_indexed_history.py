"""Anonymous ``package_show`` reads the public history from the search document, made in the same
commit as each transition: right after the approval, without the history cache, never with a
transition that is not public, and never as a key of the answer or of search results."""
from __future__ import annotations

import json

import pytest
from ckan.lib import search

from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.workflow import visibility
from ckanext.longan_opendata.workflow.history import public_history

from .conftest import act

KEY = visibility.INDEXED_PUBLIC_HISTORY


def _document(package_id: str) -> dict:
    return json.loads(search.show(package_id)["validated_data_dict"])


def test_the_approval_is_in_the_document_of_its_own_commit(people, monkeypatch):
    reindexed = []
    monkeypatch.setattr(search, "rebuild", lambda *args, **kwargs: reindexed.append(args))
    pkg = people.fresh(wf.PUBLISHED)
    # CKAN's package_update recorded the transition in its transaction: no second document
    assert reindexed == []
    kept = _document(pkg["id"])[KEY]
    # the submission happened in the agency only; the approval in public
    assert [(h["from"], h["to"]) for h in kept] == [(wf.PENDING, wf.PUBLISHED)]
    assert kept == public_history(pkg["id"])
    steps = act("package_show", people.users["admin"], id=pkg["id"])["workflow_history"]
    assert [h["to"] for h in steps] == [wf.PENDING, wf.PUBLISHED]


def test_visitors_are_served_from_the_document_and_others_from_the_cache(people, monkeypatch):
    pkg = people.fresh(wf.PUBLISHED)

    def no_cache(*_args, **_kwargs):
        raise AssertionError("the history cache was asked")

    monkeypatch.setattr(visibility, "shown_history", no_cache)
    shown = act("package_show", None, id=pkg["id"])
    assert shown["workflow_history"] == _document(pkg["id"])[KEY]
    assert KEY not in shown
    with pytest.raises(AssertionError, match="cache was asked"):
        act("package_show", people.users["member"], id=pkg["id"])
    found = act("package_search", None, q="name:" + pkg["name"])["results"]
    assert len(found) == 1 and KEY not in found[0] and "workflow_history" not in found[0]


def test_a_withdrawn_dataset_keeps_no_history_in_its_document(people):
    pkg = people.fresh(wf.WITHDRAWN)
    assert KEY not in _document(pkg["id"])
    # edited, submitted and approved again: the document holds the public history of now
    editor, admin = people.users["editor"], people.users["admin"]
    act("package_patch", editor, id=pkg["id"], notes="Đã sửa số liệu")
    act("longan_workflow_submit", editor, id=pkg["id"])
    act("longan_workflow_approve", admin, id=pkg["id"])
    kept = _document(pkg["id"])[KEY]
    assert kept == public_history(pkg["id"]) == act("package_show", None,
                                                   id=pkg["id"])["workflow_history"]
    assert kept[-1]["to"] == wf.PUBLISHED
    assert all(h["to"] in (wf.PUBLISHED,) for h in kept), kept
