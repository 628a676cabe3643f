"""E-mails of the workflow, rendered by the portal's mailer in the recipient's language and sent
through CKAN's mailer to a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import logging

import pytest

from ckanext.longan_opendata import mailer
from ckanext.longan_opendata import workflow as wf
from ckanext.longan_opendata.workflow import mail as wf_mail
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
    subject = message["Subject"].replace("\u00a0", " ")  # no-break spaces (see mailer._unfoldable)
    assert subject == "[Cổng dữ liệu mở] Bộ dữ liệu chờ duyệt: Danh sách trường mầm non"
    body = message.get_body(("plain",)).get_content()
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
    body = inbox[0].get_body(("plain",)).get_content()
    assert words in body
    if transition != "approve":
        assert "Lý do: Số liệu năm 2025 chưa đủ" in body


def test_a_mail_server_that_is_down_never_blocks_a_transition(people, ckan_config, monkeypatch,
                                                              caplog):
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{free_port()}")  # nobody there
    pkg = people.fresh(wf.DRAFT)
    logger = logging.getLogger("ckanext.longan_opendata.mailer")
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


#: per transition: (Vietnamese subject, Vietnamese words, English subject, English words)
EXPECTED = {
    "submit": ("Bộ dữ liệu chờ duyệt", 'Ánh đã gửi bộ dữ liệu "{t}" của Sở Y tế để duyệt.',
               "Dataset awaiting review", 'Ánh submitted the dataset "{t}" of Sở Y tế for review.'),
    "approve": ("Bộ dữ liệu đã được duyệt", 'Ánh đã duyệt bộ dữ liệu "{t}" (Đã công bố).',
                "Dataset approved", 'Ánh approved the dataset "{t}" (Published).'),
    "reject": ("Bộ dữ liệu bị trả lại", 'Ánh đã trả lại bộ dữ liệu "{t}".',
               "Dataset returned", 'Ánh returned the dataset "{t}".'),
    "withdraw": ("Bộ dữ liệu đã bị thu hồi", 'Ánh đã thu hồi bộ dữ liệu "{t}"',
                 "Dataset withdrawn", 'Ánh withdrew the dataset "{t}"'),
}


@pytest.mark.parametrize("transition", wf_mail.TRANSITIONS)
def test_each_mail_reads_in_the_recipients_language(people, inbox, transition):
    title = 'Trạm "quan trắc" <nước>'
    sent = mailer.send(
        [{"email": "vi@longan.test", "name": "Bình", "locale": "vi"},
         {"email": "en@longan.test", "name": "Bob", "locale": "en"},
         {"email": "km@longan.test", "name": "Sok", "locale": "km"}],  # not offered: default
        f"{wf_mail.TEMPLATES}/{transition}",
        {"title": title, "actor": "Ánh", "org": "Sở Y tế", "comment": None, "state": wf.PUBLISHED,
         "url": "http://data.longan.test/dataset/x", "queue": "http://data.longan.test/cho-duyet"})
    assert sent == 3
    by_to = {m["To"].addresses[0].addr_spec: m for m in inbox}
    vi_subject, vi_words, en_subject, en_words = EXPECTED[transition]
    for address, subject, words, other, none in (
            ("vi@longan.test", f"[Cổng dữ liệu mở] {vi_subject}: {title}", vi_words,
             en_words, "(không có)"),
            ("km@longan.test", f"[Cổng dữ liệu mở] {vi_subject}: {title}", vi_words,
             en_words, "(không có)"),
            ("en@longan.test", f"[Open data portal] {en_subject}: {title}", en_words,
             vi_words, "(none)")):
        message = by_to[address]
        assert message["Subject"].replace("\u00a0", " ") == subject
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert words.format(t=title) in text  # plain text: not HTML-escaped
        assert other.format(t=title) not in text
        assert none in text and "http://data.longan.test/dataset/x" in text
        # HTML: the same words, the title escaped
        assert words.format(t="Trạm &#34;quan trắc&#34; &lt;nước&gt;") in html
        assert "<nước>" not in html and 'href="http://data.longan.test/dataset/x"' in html


def test_a_user_who_chose_english_is_told_in_english(people, inbox):
    from ckan import model
    pkg = people.fresh(wf.PENDING, title="Chất lượng nước")
    editor = model.User.get(people.users["editor"])
    mailer.set_user_locale(editor, "en")
    model.Session.commit()
    inbox.clear()
    try:
        act("longan_workflow_reject", people.users["admin"], id=pkg["id"], reason="Thiếu cột")
    finally:
        mailer.set_user_locale(model.User.get(people.users["editor"]), None)
        model.Session.commit()
    [message] = inbox
    assert message["Subject"].replace("\u00a0", " ") == (
        "[Open data portal] Dataset returned: Chất lượng nước")
    body = message.get_body(("plain",)).get_content()
    assert 'returned the dataset "Chất lượng nước".' in body and "Reason: Thiếu cột" in body
    assert "Lý do" not in body


def test_a_locale_the_site_does_not_offer_cannot_be_chosen(people):
    from ckan import model
    with pytest.raises(ValueError):
        mailer.set_user_locale(model.User.get(people.users["editor"]), "km")
