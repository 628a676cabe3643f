"""The publish workflow as people live it (issue 5), in Debian's Chromium driven by Playwright
over a portal served by gunicorn on a free 127.0.0.1 port with the test configuration.

Three people, three browser contexts (their own cookies): a steward (agency editor) logs in
through the login form, fills the Vietnamese dataset form, uploads a CSV and submits it; a
reviewer (agency admin) finds it in the "Chờ duyệt" queue, returns it with a reason; the steward
fixes it and submits again; the reviewer approves; an anonymous visitor, who could not open the
dataset before, finds it by searching without accents and downloads the file. CSRF stays on.

Every page must load with no console error and no request leaving 127.0.0.1; each step leaves
a screenshot ``test-artifacts/workflow-NN-<step>.png``. No jobs worker runs: the upload's
xloader job only waits in Redis, and nothing in the scenario waits for it.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

from ckanext.longan_opendata.metadata.slug import slugify  # noqa: E402
from tests import browser  # noqa: E402
from tests.browser import fresh_database, launched_chromium, needs_chromium  # noqa: E402
from tests.fast import ensure_plugins  # noqa: E402
from tests.served import serve_portal  # noqa: E402

pytestmark = needs_chromium

PASSWORD = "MatKhau-2026!"
TITLE = "Số lượng trường học mầm non theo xã"
NOTES = "Số trường mầm non (công lập và tư thục) của từng xã, phường."
SOURCE = "Nguồn: Phòng Giáo dục và Đào tạo các huyện, năm học 2024–2025."
REASON = "Mô tả chưa nêu nguồn số liệu và năm học; vui lòng bổ sung."
CSV = ("xa,loai_hinh,so_truong\n"
       "Phường 1 (Tân An),Công lập,4\n"
       "Xã Bình Thạnh (Thủ Thừa),Công lập,2\n"
       "Thị trấn Bến Lức,Tư thục,3\n")


@pytest.fixture(scope="module")
def portal(request):
    """A fresh database with one agency, its steward (editor) and its reviewer (admin); the
    portal served by gunicorn."""
    from ckan.tests import factories

    ensure_plugins()  # the plugins of the test ini, as with_plugins does for a test
    fresh_database()
    # no avatar URL: the factories' random ones are on the Internet, which the browser blocks
    steward = factories.User(name="nguyen-van-an", fullname="Nguyễn Văn An",
                             password=PASSWORD, image_url="")
    reviewer = factories.User(name="tran-thi-binh", fullname="Trần Thị Bình",
                              password=PASSWORD, image_url="")
    org = factories.Organization(
        name="so-giao-duc-dao-tao", title="Sở Giáo dục và Đào tạo", image_url="",
        users=[{"name": steward["name"], "capacity": "editor"},
               {"name": reviewer["name"], "capacity": "admin"}])
    workdir = Path(tempfile.mkdtemp(prefix="longan-workflow-served-"))
    with serve_portal(request.config.getoption("--ckan-ini"), workdir) as url:
        yield {"url": url, "steward": steward, "reviewer": reviewer, "org": org,
               "workdir": workdir}
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium():
    yield from launched_chromium("workflow")


class Person(browser.Person):
    """One person of the publishing scenario at their own browser."""

    prefix = "workflow"
    password = PASSWORD

    def badge(self):
        return self.page.locator(".longan-workflow .longan-workflow-badge")


def test_steward_reviewer_and_visitor_publish_a_dataset(portal, chromium):
    shots: list[Path] = []
    steward = Person(chromium, portal["url"], shots)
    reviewer = Person(chromium, portal["url"], shots)
    visitor = Person(chromium, portal["url"], shots)
    page = steward.page

    # the steward logs in and fills the Vietnamese form
    steward.log_in(portal["steward"])
    steward.go("/dataset/new")
    # CKAN's JS modules start after the page's "load" (they wait for the translations): the URL
    # preview exists once the title field is watched, so typing before it would go unseen
    expect(page.locator(".slug-preview")).to_be_visible()
    page.fill("#field-title", TITLE)
    # the URL the form proposes folds the Vietnamese letters (portal.js), as slug.py does
    expect(page.locator("#field-name")).to_have_value(slugify(TITLE))
    page.fill("#field-notes", NOTES)
    page.get_by_role("checkbox", name="Giáo dục, văn hóa và thể thao").check()
    assert page.input_value("#field-private") == "True"  # the form starts private
    page.select_option("#field-spatial_units", ["old-80"])
    page.fill("#field-temporal_start", "2024-09-01")
    page.fill("#field-temporal_end", "2025-05-31")
    page.select_option("#field-frequency", "annual")
    page.fill("#field-contact_points-0-name", "Phòng Giáo dục Mầm non")
    page.fill("#field-contact_points-0-email", "mamnon@sgd.longan.test")
    page.fill("#field-contact_points-0-phone", "0272 3826 001")
    page.select_option("#field-license_id", "vn-open-data-1.0")
    page.select_option("#field-contains_personal_data", "no")
    steward.shot("steward-form")
    steward.click(page.get_by_role("button", name="Tiếp theo: Thêm dữ liệu"))

    # the resource step: a real CSV file with Vietnamese text
    assert "/resource/new" in page.url, page.url
    csv_file = portal["workdir"] / "truong-mam-non.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    with page.expect_file_chooser() as chooser:  # the "Tải lên" button opens the file dialog
        page.get_by_role("button", name="Tải lên").click()
    chooser.value.set_files(str(csv_file))
    expect(page.locator("#field-resource-upload")).to_be_visible()
    expect(page.locator("#field-name")).to_have_value("truong-mam-non.csv")  # the form's guess
    page.fill("#field-name", "Số trường mầm non năm học 2024–2025")
    steward.shot("steward-upload")
    # the last step saves a draft: it is not called "Publish" (CKAN's label) in a workflow
    steward.click(page.get_by_role("button", name="Hoàn tất: lưu bản nháp"))
    found = re.fullmatch(re.escape(portal["url"]) + r"/dataset/([a-z0-9-]+)", page.url)
    assert found, page.url
    name = found.group(1)
    assert name == slugify(TITLE)
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(steward.badge()).to_have_text("Nháp")

    # nobody else sees a draft: 404 for the anonymous visitor
    visitor.go(f"/dataset/{name}", status=404)
    visitor.shot("visitor-draft-404")
    visitor.watch.expected(404)

    # the steward submits it for review
    steward.click(page.get_by_role("link", name="Gửi duyệt"))
    steward.click(page.locator("form").get_by_role("button", name="Gửi duyệt"))
    expect(steward.badge()).to_have_text("Chờ duyệt")
    steward.shot("steward-submitted")

    # the reviewer opens the queue from the dashboard and returns it, with a reason
    reviewer.log_in(portal["reviewer"])
    rpage = reviewer.page
    reviewer.go("/dashboard/datasets")
    reviewer.click(rpage.get_by_role("link", name="Chờ duyệt"))
    item = rpage.locator(f'article[data-dataset="{name}"]')
    expect(item).to_contain_text(TITLE)
    expect(item).to_contain_text("chưa từng được công bố")
    reviewer.shot("reviewer-queue")
    reviewer.click(item.get_by_role("link", name="Trả lại"))
    form_url = rpage.url
    send = rpage.locator("form").get_by_role("button", name="Trả lại")
    send.click()  # an empty reason: the browser itself refuses to send the form
    assert rpage.url == form_url and rpage.locator("#field-reason:invalid").count() == 1
    rpage.fill("#field-reason", "   ")  # blanks pass the browser: the server says what is wrong
    reviewer.click(send)
    errors = rpage.locator(".longan-workflow-errors")
    expect(errors).to_contain_text("Lý do")
    expect(errors).to_contain_text("Vui lòng nhập lý do")
    reviewer.shot("reviewer-empty-reason")
    rpage.fill("#field-reason", REASON)
    reviewer.click(send)
    expect(reviewer.badge()).to_have_text("Trả lại")
    reviewer.shot("reviewer-returned")

    # the steward sees the badge and the reason, fixes the description and submits again
    steward.go(f"/dataset/{name}")
    expect(steward.badge()).to_have_text("Trả lại")
    expect(page.locator(".longan-workflow-history")).to_contain_text(REASON)
    steward.shot("steward-sees-reason")
    steward.go(f"/dataset/edit/{name}")
    page.fill("#field-notes", f"{NOTES}\n\n{SOURCE}")
    # no CKAN "Unpublish" button beside the workflow: only the workflow changes visibility
    assert page.locator('button[value="go-metadata-unpublish"]').count() == 0
    steward.click(page.get_by_role("button", name="Cập nhật bộ dữ liệu"))
    expect(steward.badge()).to_have_text("Nháp")
    steward.click(page.get_by_role("link", name="Gửi duyệt"))
    page.fill("#field-comment", "Đã bổ sung nguồn và năm học")
    steward.click(page.locator("form").get_by_role("button", name="Gửi duyệt"))
    expect(steward.badge()).to_have_text("Chờ duyệt")
    steward.shot("steward-resubmitted")
    visitor.go(f"/dataset/{name}", status=404)  # still not public while pending
    visitor.watch.expected(404)

    # the reviewer approves
    reviewer.go("/cho-duyet")
    item = rpage.locator(f'article[data-dataset="{name}"]')
    expect(item).to_contain_text("Đã bổ sung nguồn và năm học")
    reviewer.click(item.get_by_role("link", name="Duyệt công bố"))
    reviewer.click(rpage.locator("form").get_by_role("button", name="Duyệt công bố"))
    expect(reviewer.badge()).to_have_text("Đã công bố")
    reviewer.shot("reviewer-approved")

    # the anonymous visitor searches without accents, opens the dataset, downloads the file
    vpage = visitor.page
    visitor.go("/dataset/")
    vpage.fill("#field-giant-search", "truong hoc mam non")
    with vpage.expect_navigation(wait_until="load"):
        vpage.press("#field-giant-search", "Enter")
    result = vpage.locator("#search-results, .dataset-list").get_by_role("link", name=TITLE)
    expect(result).to_be_visible()
    visitor.shot("visitor-search")
    visitor.click(result)
    expect(vpage.locator("body")).to_contain_text(SOURCE)
    expect(vpage.locator(".longan-workflow-badge").first).to_have_text("Đã công bố")
    download = vpage.locator(".longan-resource a", has_text="Tải về").first
    href = download.get_attribute("href")
    answer = visitor.context.request.get(href)
    assert answer.status == 200, (href, answer.status)
    assert answer.text() == CSV
    visitor.shot("visitor-dataset")

    for person in (steward, reviewer, visitor):
        person.watch.assert_clean()
        person.context.close()
    assert [p.name for p in shots] == [
        "workflow-01-steward-form.png", "workflow-02-steward-upload.png",
        "workflow-03-visitor-draft-404.png", "workflow-04-steward-submitted.png",
        "workflow-05-reviewer-queue.png", "workflow-06-reviewer-empty-reason.png",
        "workflow-07-reviewer-returned.png", "workflow-08-steward-sees-reason.png",
        "workflow-09-steward-resubmitted.png", "workflow-10-reviewer-approved.png",
        "workflow-11-visitor-search.png", "workflow-12-visitor-dataset.png"]
    for path in shots:
        assert path.exists() and path.stat().st_size > 0, path
