"""The quality score end to end: the action and its authorisation matrix, the search sort and
facet, the dataset page, the methodology page (vi and /en/), the snapshot with the dashboard and
the agency ranking, the agency report page and its e-mail received by a real SMTP server."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import pytest

from ckanext.longan_opendata.quality.cli import quality as quality_cli
from ckanext.longan_opendata.quality.indicators import INDICATORS

from .conftest import act, get

OK, DENIED = "ok", "denied"
ROLES = ("anonymous", "member", "editor", "admin", "other_editor", "sysadmin")
MEMBERS = {"member", "editor", "admin", "sysadmin"}


def expected(action: str, role: str, target: str) -> str:
    """Who may: reading a score follows package_show; the agency report is for its members."""
    if action == "longan_quality_show":
        return OK if target != "draft" or role in MEMBERS else DENIED
    if action == "longan_quality_report":
        return OK if role in MEMBERS else DENIED
    return OK  # methodology and dashboard are public


CELLS = [(a, r, t) for a in ("longan_quality_show",) for r in ROLES for t in ("good", "draft")] \
    + [(a, r, "org") for a in ("longan_quality_report", "longan_quality_methodology",
                               "longan_quality_dashboard") for r in ROLES]


@pytest.mark.parametrize("action,role,target", CELLS)
def test_authorisation_matrix(world, action, role, target):
    data = ({"id": world.datasets[target]["id"]} if target != "org"
            else {"id": world.org["name"]} if action == "longan_quality_report" else {})
    try:
        act(action, world.users.get(role), **data)
        outcome = OK
    except tk.NotAuthorized:
        outcome = DENIED
    assert outcome == expected(action, role, target)


def test_show_explains_the_score(world):
    good = act("longan_quality_show", None, id="tot")
    poor = act("longan_quality_show", None, id=world.datasets["poor"]["id"])
    assert good["score"] > poor["score"] and good["max"] == sum(i.points for i in INDICATORS) - 0
    assert good["rating"] == "excellent" and poor["rating"] in ("bad", "sufficient")
    assert {d["id"] for d in good["dimensions"]} == {
        "findability", "accessibility", "interoperability", "reusability", "contextuality",
        "freshness"}
    assert sum(d["score"] for d in good["dimensions"]) == good["score"]
    by_id = {i["id"]: i for i in poor["indicators"]}
    assert by_id["access_url_ok"]["points"] == 0        # the link checker found it broken
    assert by_id["up_to_date"]["points"] == 0           # no frequency declared
    gains = [f["gain"] for f in poor["fix_first"]]
    assert gains == sorted(gains, reverse=True) and poor["fix_first"][0]["gain"] >= 30
    late = act("longan_quality_show", None, id="cu")
    assert {i["id"]: i["points"] for i in late["indicators"]}["up_to_date"] == 20
    other = act("longan_quality_show", None, id="y-te")   # no link checked yet: skipped
    assert {"access_url_ok", "download_url_ok", "format_matches"} <= set(other["skipped"])


def test_bad_input_is_a_4xx_naming_the_field(world, web):
    app = web
    for params in ({}, {"id": ""}):
        response = app.get("/api/3/action/longan_quality_show", query_string=params)
        assert response.status_code == 409
        assert "id" in response.json["error"]
    assert app.get("/api/3/action/longan_quality_show?id=khong-co").status_code == 404
    response = app.get("/api/3/action/longan_quality_dashboard?rows=x")
    assert response.status_code == 409 and "rows" in response.json["error"]
    assert app.get("/api/3/action/longan_quality_report?id=khong-co").status_code == 404


def test_search_sorts_and_facets_by_quality(world, web):
    best = act("package_search", None, sort="quality_percent desc", rows=10,
               **{"facet.field": '["vocab_quality_rating"]'})
    names = [d["name"] for d in best["results"]]
    assert "nhap" not in names                          # drafts stay hidden
    assert names.index("tot") < names.index("cu") < names.index("kem")
    percents = [d["longan_quality"]["percent"] for d in best["results"]]
    assert percents == sorted(percents, reverse=True)
    worst = act("package_search", None, sort="quality_percent asc", rows=10)
    assert [d["name"] for d in worst["results"]] == names[::-1] or \
        worst["results"][0]["name"] == "kem"
    assert sum(best["facets"]["vocab_quality_rating"].values()) == best["count"]
    page = get(web, world, "/dataset/?sort=quality_percent+desc")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Bộ dữ liệu tốt") < html.index("Bộ dữ liệu kém")
    assert "quality_percent asc" in html                # the sort is offered


def test_dataset_page_shows_badge_and_fix_list_to_editors(world, web):
    anonymous = get(web, world, "/dataset/kem").get_data(as_text=True)
    assert 'class="longan-quality"' in anonymous and 'data-indicator="access_url_ok"' in anonymous
    assert "longan-quality-fix" not in anonymous
    html = get(web, world, "/dataset/kem", "editor").get_data(as_text=True)
    assert 'class="longan-quality-fix"' in html and 'data-indicator="keywords"' in html


def test_score_in_the_dcat_output_as_dqv(world, web):
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT

    from ckanext.longan_opendata.quality.dqv import DQV
    shown = act("longan_quality_show", None, id="kem")
    graph = Graph().parse(data=get(web, world, "/dataset/kem.ttl").get_data(as_text=True),
                          format="turtle")
    dataset = next(graph.subjects(DCAT.distribution, None))
    values = {str(graph.value(m, DQV.isMeasurementOf)).rsplit("#", 1)[-1]:
              int(graph.value(m, DQV.value))
              for m in graph.objects(dataset, DQV.hasQualityMeasurement)}
    assert values["score"] == shown["score"]
    assert {d["id"]: d["score"] for d in shown["dimensions"]} == {
        k: v for k, v in values.items() if k != "score"}
    metric = next(graph.objects(next(graph.objects(dataset, DQV.hasQualityMeasurement)),
                                DQV.isMeasurementOf))
    assert "/chat-luong#" in str(metric) and (metric, None, None) in graph
    assert isinstance(metric, URIRef)


def test_review_queue_shows_the_score(world, web):
    html = get(web, world, "/cho-duyet", "admin").get_data(as_text=True)
    item = html[html.index('data-dataset="cho-duyet"'):]
    assert 'class="badge bg-success longan-quality-badge" data-rating="excellent"' in item[:3000]


def test_methodology_page_in_vietnamese_and_english(world, web):
    app = web
    for prefix in ("", "/en"):
        html = app.get(f"{prefix}/chat-luong").get_data(as_text=True)
        assert html.count('<tr data-indicator="') == len(INDICATORS)
        assert f">{sum(i.points for i in INDICATORS)} " in html or \
            str(sum(i.points for i in INDICATORS)) in html
    assert "Keywords" in app.get("/en/chat-luong").get_data(as_text=True)


def test_snapshot_dashboard_and_agency_ranking(world, web, cli):
    result = cli.invoke(quality_cli, ["snapshot"])
    assert result.exit_code == 0, result.output
    assert "bộ dữ liệu, " in result.output and "đã chấm" in result.output
    dashboard = act("longan_quality_dashboard", None)
    agencies = {a["name"]: a for a in dashboard["agencies"]}
    assert set(agencies) == {world.org["name"], world.other_org["name"]}
    assert agencies[world.org["name"]]["datasets"] == 3      # public only: no draft
    assert sorted(a["rank"] for a in agencies.values()) == [1, 2]
    assert dashboard["worst"][0]["name"] == "kem"
    assert dashboard["trend"] and dashboard["trend"][-1]["datasets"] == 5   # public ones
    html = get(web, world, "/chat-luong/bang-dieu-khien").get_data(as_text=True)
    assert f'data-agency="{world.org["name"]}"' in html and 'data-dataset="kem"' in html
    org_page = get(web, world, f"/organization/{world.org['name']}").get_data(as_text=True)
    assert 'class="longan-agency-quality"' in org_page and 'data-rank="' in org_page
    ranked = get(web, world, f"/organization/{world.org['name']}?sort=quality_percent+asc")
    html = ranked.get_data(as_text=True)
    assert html.index("Bộ dữ liệu kém") < html.index("Bộ dữ liệu tốt")
    figures = act("longan_stats", world.users["sysadmin"], fresh=True)["quality"]
    assert figures["by_agency"][world.org["name"]] == agencies[world.org["name"]]["percent"]
    assert sum(figures["by_rating"].values()) == 5 and figures["snapshot_day"]


def test_report_page_for_members_only(world, web):
    url = f"/chat-luong/co-quan/{world.org['name']}"
    assert get(web, world, url).status_code == 403
    assert get(web, world, url, "other_editor").status_code == 403
    assert get(web, world, "/chat-luong/co-quan/khong-co", "sysadmin").status_code == 404
    response = get(web, world, url, "member")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Bộ dữ liệu kém" in html and "Bộ dữ liệu cũ" in html
    assert 'class="longan-report-incomplete"' in html
    assert f"/dataset/kem/resource/{world.datasets['poor']['resources'][0]['id']}/edit" in html


def test_report_email_received(world, inbox, cli):
    result = cli.invoke(quality_cli, ["report", "--send", "--agency", world.org["name"]])
    assert result.exit_code == 0, result.output
    assert f"{world.org['name']}: đã gửi 2/2 thư" in result.output  # editor and admin
    assert sorted(m["X-Envelope-To"] for m in inbox) == ["admin@longan.test",
                                                         "editor@longan.test"]
    message = inbox[0]
    subject = message["Subject"].replace("\xa0", " ")
    assert subject == "Báo cáo chất lượng dữ liệu của Sở Kế hoạch"
    text = message.get_body(("plain",)).get_content()
    assert "Bộ dữ liệu kém" in text and "Bộ dữ liệu cũ" in text
    assert "/dataset/edit/cu" in text                        # the link to fix it
    assert "contact_points, temporal_start" in text          # harvested, still incomplete
    assert "/resource/" in text and "/edit" in text


def test_report_send_fails_loudly_when_smtp_is_down(world, cli, ckan_config, monkeypatch):
    from tests.smtp import free_port
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")  # nobody there
    result = cli.invoke(quality_cli, ["report", "--send", "--agency", world.org["name"]])
    assert result.exit_code != 0
    assert "đã gửi 0/2 thư" in result.output and "2 thư không gửi được" in result.output
