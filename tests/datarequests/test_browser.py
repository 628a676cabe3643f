"""A data request as people live it (issue 12), in Debian's Chromium driven by Playwright over a
portal served by gunicorn, its e-mails caught by a real SMTP server on loopback.

A visitor with an account logs in and proposes data to an agency through the Vietnamese form; the
agency's steward (admin) finds the request, publishes the dataset that answers it (approving it
in the publish workflow) and answers the request with it; the visitor receives the e-mail and
follows its link to the dataset. CSRF stays on; every page loads with no console error and no
request leaving 127.0.0.1; screenshots ``test-artifacts/datarequest-NN-<step>.png``.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from aiosmtpd.controller import Controller  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from tests import browser  # noqa: E402
from tests.browser import launched_chromium, needs_chromium  # noqa: E402
from tests.served import serve_portal  # noqa: E402
from tests.smtp import _Inbox, free_port  # noqa: E402

pytestmark = needs_chromium

PASSWORD = "MatKhau-2026!"
REQUEST_TITLE = "Chất lượng nước sông Vàm Cỏ Đông theo tháng"
DATASET_TITLE = "Quan trắc chất lượng nước mặt sông Vàm Cỏ Đông"


@pytest.fixture(scope="module")
def portal(request, world):
    """On the shared test world's database (not wiped, so the next modules keep the world):
    one more agency with its steward (admin) and an editor, a visitor with an account, a dataset
    waiting for review; a loopback SMTP server; the portal served."""
    import ckan.plugins.toolkit as tk
    from ckan.tests import factories

    from tests.workflow.conftest import dataset_fields

    visitor = factories.User(name="le-thi-cuc", fullname="Lê Thị Cúc", password=PASSWORD,
                             email="cuc@nguoidan.test", image_url="")
    steward = factories.User(name="pham-van-duc", fullname="Phạm Văn Đức", password=PASSWORD,
                             email="duc@stnmt.longan.test", image_url="")
    editor = factories.User(name="vo-thi-em", password=PASSWORD, image_url="")
    org = factories.Organization(
        name="so-tai-nguyen-moi-truong", title="Sở Tài nguyên và Môi trường", image_url="",
        users=[{"name": steward["name"], "capacity": "admin"},
               {"name": editor["name"], "capacity": "editor"}])
    dataset = tk.get_action("package_create")({"user": editor["name"]}, dataset_fields(
        name="quan-trac-nuoc-song-vam-co-dong", title=DATASET_TITLE, owner_org=org["id"],
        theme=["moi-truong"]))
    tk.get_action("longan_workflow_submit")({"user": editor["name"]}, {"id": dataset["id"]})
    handler = _Inbox()
    smtp_port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    request.addfinalizer(smtp.stop)
    workdir = Path(tempfile.mkdtemp(prefix="longan-datarequest-served-"))
    extra = f"smtp.server = 127.0.0.1:{smtp_port}\nsmtp.mail_from = cong-du-lieu@longan.test\n"
    with serve_portal(request.config.getoption("--ckan-ini"), workdir,
                      extra_config=extra) as url:
        yield {"url": url, "visitor": visitor, "steward": steward, "org": org,
               "dataset": dataset, "inbox": handler.messages}
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium():
    yield from launched_chromium("datarequest")


class Person(browser.Person):
    """One person of the data-request scenario at their own browser."""

    prefix = "datarequest"
    password = PASSWORD


def _propose(visitor: Person) -> str:
    page = visitor.page
    visitor.go("/")
    visitor.click(page.get_by_role("link", name="Đề xuất dữ liệu").first)
    visitor.click(page.get_by_role("link", name="Đề xuất dữ liệu").last)
    page.fill("#field-title", REQUEST_TITLE)
    page.fill("#field-description", "Các chỉ số pH, DO, COD, BOD5 tại các điểm quan trắc.")
    page.select_option("#field-owner_org", label="Sở Tài nguyên và Môi trường")
    page.fill("#field-reason", "Theo dõi nguồn nước tưới cho hợp tác xã.")
    page.fill("#field-desired_format", "CSV")
    page.select_option("#field-theme", "moi-truong")
    visitor.shot("visitor-form")
    visitor.click(page.get_by_role("button", name="Gửi đề xuất"))
    expect(page.locator("h1")).to_have_text(REQUEST_TITLE)
    expect(page.locator(".longan-datarequest-state")).to_have_text("Mới")
    expect(page.locator(".longan-deadline")).to_contain_text("Hạn trả lời")
    visitor.shot("visitor-proposed")
    return page.url


def _publish_and_answer(steward: Person, portal: dict) -> None:
    page, name = steward.page, portal["dataset"]["name"]
    steward.go("/de-xuat-du-lieu")
    expect(page.locator('[data-facet="owner_org"]')).to_contain_text("Sở Tài nguyên và Môi trường")
    steward.click(page.get_by_role("link", name=REQUEST_TITLE))
    request_url = page.url
    expect(page.locator(".longan-datarequest-answer-form")).to_be_visible()
    steward.shot("steward-request")
    # the dataset that answers it is waiting for review: the steward (a reviewer) publishes it
    steward.go(f"/dataset/{name}/workflow/approve")
    steward.click(page.locator("form").get_by_role("button", name="Duyệt công bố"))
    expect(page.locator(".longan-workflow .longan-workflow-badge")).to_have_text("Đã công bố")
    steward.go(request_url.removeprefix(portal["url"]))
    form = page.locator(".longan-datarequest-answer-form form")
    form.locator("#answer-state").select_option(label="Đã đáp ứng")
    form.locator("#answer-dataset_id").fill(name)
    form.locator("#answer-answer").fill("Sở đã công bố số liệu quan trắc hằng tháng.")
    steward.shot("steward-answer-form")
    steward.click(form.get_by_role("button", name="Công bố câu trả lời"))
    expect(page.locator(".longan-datarequest-state")).to_have_text("Đã đáp ứng")
    steward.shot("steward-answered")


def test_a_visitor_proposes_and_finds_the_published_dataset(portal, chromium):
    shots: list[Path] = []
    visitor = Person(chromium, portal["url"], shots)
    steward = Person(chromium, portal["url"], shots)
    visitor.log_in(portal["visitor"])
    request_url = _propose(visitor)
    steward.log_in(portal["steward"])
    _publish_and_answer(steward, portal)

    # the e-mail was sent while the answer was saved: the visitor reads it
    # (the dataset's submitter got the workflow's own e-mail on approval)
    [mail] = [m for m in portal["inbox"] if "cuc@nguoidan.test" in m["X-Envelope-To"]]
    assert REQUEST_TITLE in mail["Subject"].replace("\u00a0", " ")
    text = mail.get_body(("plain",)).get_content()
    assert "Đã đáp ứng" in text and "Sở Tài nguyên và Môi trường" in text
    link = next(line.split(": ", 1)[1].strip() for line in text.splitlines()
                if "/dataset/" in line)
    assert link == f"{portal['url']}/dataset/{portal['dataset']['name']}"
    visitor.go(link.removeprefix(portal["url"]))
    expect(visitor.page.locator("h1")).to_contain_text(DATASET_TITLE)
    expect(visitor.page.locator(".longan-datarequests-fulfilled")).to_contain_text(REQUEST_TITLE)
    visitor.shot("visitor-dataset")
    visitor.go(request_url.removeprefix(portal["url"]))
    expect(visitor.page.locator(".longan-datarequest-dataset a")).to_have_text(DATASET_TITLE)
    visitor.shot("visitor-request-answered")
    for person in (visitor, steward):
        person.watch.assert_clean()
