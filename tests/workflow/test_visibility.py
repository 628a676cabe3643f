"""Non-published datasets stay invisible to anonymous users and other agencies everywhere else
too: facet counts, activity streams, DCAT (catalogue and dataset documents)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.longan_opendata import workflow as wf

from .conftest import STATES, act

HIDDEN_STATES = [s for s in STATES if s != wf.PUBLISHED]
OUTSIDERS = ("anonymous", "other_editor")


def _ids(activities) -> set[str]:
    return {a["object_id"] for a in activities}


@pytest.mark.parametrize("role", OUTSIDERS)
def test_facet_counts_count_published_datasets_only(world, role):
    user = world.user(role)
    facets = act("package_search", user, q="*:*", include_private=True, rows=0,
                 **{"facet.field": '["organization", "workflow_state"]', "facet.limit": -1})
    published = act("package_search", world.users["sysadmin"], include_private=True, rows=0,
                    fq=f'+owner_org:"{world.org["id"]}" +workflow_state:published')["count"]
    assert facets["facets"]["organization"][world.org["name"]] == published
    assert set(facets["facets"]["workflow_state"]) == {wf.PUBLISHED}
    everything = act("package_search", world.users["sysadmin"], include_private=True, rows=0,
                     fq=f'+owner_org:"{world.org["id"]}"')["count"]
    assert everything > published  # the hidden ones exist


@pytest.mark.parametrize("role", OUTSIDERS)
def test_activity_streams_show_published_datasets_only(world, role):
    user = world.user(role)
    hidden = {world.datasets[s]["id"] for s in HIDDEN_STATES}
    public = world.datasets[wf.PUBLISHED]["id"]
    recent = _ids(act("recently_changed_packages_activity_list", user, limit=100))
    agency = _ids(act("organization_activity_list", user, id=world.org["id"], limit=100))
    assert public in recent and public in agency
    assert not (hidden & recent) and not (hidden & agency)
    for state in HIDDEN_STATES:
        with pytest.raises(tk.NotAuthorized):
            act("package_activity_list", user, id=world.datasets[state]["id"])
    stream = act("package_activity_list", user, id=public)
    assert any(a["activity_type"] == wf.ACTIVITY_TYPE and a["data"]["to"] == wf.PUBLISHED
               for a in stream)
    # the agency itself sees every transition, with actor, from/to and comment
    # (a dataset of its own: the world's are shared with modules that add transitions)
    rejected = world.fresh(wf.REJECTED)
    inside = act("package_activity_list", world.users["member"], id=rejected["id"])
    rejections = [(a["data"]["from"], a["data"]["actor"], a["data"]["comment"])
                  for a in inside
                  if a["activity_type"] == wf.ACTIVITY_TYPE and a["data"]["to"] == wf.REJECTED]
    assert rejections == [(wf.PENDING, world.users["admin"], "Thiếu mô tả cột")]


def test_withdrawn_dataset_leaves_the_public_streams(world):
    # a dataset of its own: the streams hold the latest 100 activities, and other modules
    # of this directory add theirs to the shared world
    withdrawn = world.fresh(wf.WITHDRAWN)["id"]
    everything = _ids(act("recently_changed_packages_activity_list", world.users["sysadmin"],
                          limit=1000))
    assert withdrawn in everything  # it was public once: its approval is in the stream
    assert withdrawn not in _ids(act("recently_changed_packages_activity_list", None,
                                     limit=1000))


def test_dcat_catalogue_lists_published_datasets_only(world, web):
    body = web.get("/catalog.ttl", query_string={"q": "*:*"}).get_data(as_text=True)
    assert world.datasets[wf.PUBLISHED]["id"] in body
    for state in HIDDEN_STATES:
        assert world.datasets[state]["id"] not in body, state


@pytest.mark.parametrize("state", STATES)
def test_dcat_dataset_document_follows_visibility(world, web, state):
    dataset = world.datasets[state]
    anonymous = web.get(f"/dataset/{dataset['id']}.ttl")
    inside = web.get(f"/dataset/{dataset['id']}.ttl",
                     headers={"Authorization": world.tokens["member"]})
    assert inside.status_code == 200
    if state == wf.PUBLISHED:
        assert anonymous.status_code == 200 and dataset["id"] in anonymous.get_data(as_text=True)
    else:
        assert anonymous.status_code in (403, 404)
