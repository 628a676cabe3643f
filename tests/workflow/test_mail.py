"""E-mails of the workflow, sent through CKAN's mailer to a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import logging

import pytest

from ckanext.longan_opendata import workflow as wf
from tests.smtp import free_port

from .conftest import act


def _user_email(name: str) -> str:
    from ckan import model
    return model.User.get(name).email


def test_submit_tells_the_agency_reviewers_in_vietnamese(people, inbox):
    pkg = people.fresh(wf.DRAFT, title="Danh sách trường mầm non")
    inbox.clear()
    act("longan_workflow_submit", people.users["editor"], id=pkg["id"], comment="Nhờ anh chị xem")
    to = sorted(m["To"].addresses[0].addr_spec for m in inbox)
    assert to == sorted(_user_email(people.users[r]) for r in ("admin", "second_admin"))
    message = inbox[0]
    subject = message["Subject"].replace("\u00a0", " ")  # no-break spaces (see workflow_mail)
    assert subject == "[Cổng dữ liệu mở] Bộ dữ liệu chờ duyệt: Danh sách trường mầm non"
    body = message.get_content()
    assert "đã gửi bộ dữ liệu \"Danh sách trường mầm non\"" in body
    assert "Nhờ anh chị xem" in body and f"/dataset/{pkg['name']}" in body


@pytest.mark.parametrize(("transition", "state", "words"), [
    ("reject", wf.PENDING, "đã trả lại"),
    ("approve", wf.PENDING, "đã duyệt"),
    ("withdraw", wf.PUBLISHED, "đã thu hồi"),
])
def test_decisions_tell_the_submitter(people, inbox, transition, state, words):
    pkg = people.fresh(state)
    inbox.clear()
    act(f"longan_workflow_{transition}", people.users["admin"], id=pkg["id"],
        reason="Số liệu năm 2025 chưa đủ")
    assert [m["To"].addresses[0].addr_spec for m in inbox] == [
        _user_email(people.users["editor"])]
    body = inbox[0].get_content()
    assert words in body
    if transition != "approve":
        assert "Lý do: Số liệu năm 2025 chưa đủ" in body


def test_a_mail_server_that_is_down_never_blocks_a_transition(people, ckan_config, monkeypatch,
                                                              caplog):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")  # nobody there
    pkg = people.fresh(wf.DRAFT)
    logger = logging.getLogger("ckanext.longan_opendata.workflow.mail")
    # imported before the test config's fileConfig, which disabled it; the ckanext logger does
    # not propagate to the root, where caplog listens
    monkeypatch.setattr(logger, "disabled", False)
    logger.addHandler(caplog.handler)
    try:
        done = act("longan_workflow_submit", people.users["editor"], id=pkg["id"])
    finally:
        logger.removeHandler(caplog.handler)
    assert done["workflow_state"] == wf.PENDING
    assert "not sent" in caplog.text
