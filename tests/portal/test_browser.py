"""The portal as a person sees it: Debian's Chromium, driven by Playwright, over a CKAN served by
gunicorn on a free 127.0.0.1 port with the test configuration.

Every page must load with no console error and no request leaving 127.0.0.1 (any other request
is aborted and fails the test); screenshots go to ``test-artifacts/`` (git-ignored). The API
guide's examples are copied from the page and run, as a reader would, against the same server.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import ARTIFACTS, CONTEXT, LAUNCH, Watch, fresh_database, needs_chromium  # noqa: E402
from tests.fast import ensure_plugins  # noqa: E402
from tests.served import serve_portal  # noqa: E402

pytestmark = needs_chromium


def _load_catalogue() -> dict:
    """A fresh database and index with two agencies, a DataStore table and a few datasets."""
    from ckan.tests import factories

    from tests.portal.conftest import make_dataset, make_table

    fresh_database()
    user = factories.Sysadmin()
    office = factories.Organization(name="cuc-thong-ke", title="Cục Thống kê tỉnh Long An",
                                    image_url="")
    health = factories.Organization(name="so-y-te", title="Sở Y tế", image_url="")
    pkg = make_dataset(user, office, "dan-so-trung-binh", title="Dân số trung bình phân theo huyện",
                       notes="Dân số trung bình hằng năm của các huyện.")
    table = make_table(user, pkg)
    make_dataset(user, health, "co-so-y-te", title="Cơ sở y tế và giường bệnh")
    make_dataset(user, office, "doanh-nghiep", title="Doanh nghiệp đăng ký mới")
    return {"dataset": pkg, "table": table}


@pytest.fixture(scope="module")
def served(request):
    """gunicorn (2 workers) serving the test configuration on a free loopback port."""

    ensure_plugins()  # the plugins of the test ini, as with_plugins does for a test
    catalogue = _load_catalogue()
    workdir = Path(tempfile.mkdtemp(prefix="longan-served-"))
    with serve_portal(request.config.getoption("--ckan-ini"), workdir, workers=2,
                      extra_config="ckanext.longan_opendata.stats.cache_seconds = 0\n") as url:
        yield {"url": url, **catalogue}
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tempfile.mkdtemp(prefix="longan-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(profile, **LAUNCH, **CONTEXT)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


class Visit:
    """A page load that records console errors and any request leaving 127.0.0.1."""

    def __init__(self, context, url: str):
        self.page = context.new_page()
        self.watch = Watch(self.page)
        self.response = self.page.goto(url, wait_until="networkidle")

    def check(self, name: str, full_page: bool = True) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
        assert self.response is not None and self.response.status == 200
        self.watch.assert_clean()
        self.page.close()


def test_home_page(served, browser):
    visit = Visit(browser, served["url"] + "/")
    page = visit.page
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).first.inner_text() == "Cổng dữ liệu mở tỉnh Long An"
    assert page.locator('[data-figure="datasets"] .longan-figure-value').inner_text() == "3"
    assert "Bộ dữ liệu mới nhất" in page.inner_text("body")
    page.fill("#home-search", "dan so")
    with page.expect_navigation():
        page.press("#home-search", "Enter")
    assert "Dân số trung bình" in page.inner_text("#search-results")
    visit.check("home-then-search")


def test_home_page_on_a_phone(served, browser):
    visit = Visit(browser, served["url"] + "/")
    visit.page.set_viewport_size({"width": 390, "height": 844})
    wide = visit.page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391)
        .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""")
    assert wide == []  # no sideways scrolling
    visit.check("home-mobile")


def test_search_page(served, browser):
    visit = Visit(browser, served["url"] + "/dataset/?q=y+te&sort=metadata_created+desc")
    body = visit.page.inner_text("body")
    assert "Cơ sở y tế và giường bệnh" in body
    assert visit.page.locator("#field-order-by option").count() >= 5
    visit.check("search")


def test_dataset_page_preview_table_loads(served, browser):
    name = served["dataset"]["name"]
    visit = Visit(browser, f"{served['url']}/dataset/{name}")
    page = visit.page
    assert "Dùng dữ liệu này qua API" in page.inner_text("body")
    frame = page.frame_locator("iframe.longan-preview-frame")
    frame.locator("table tbody tr").first.wait_for(timeout=20000)
    assert "Tân An" in frame.locator("table tbody").inner_text()
    visit.check("dataset")


def test_statistics_page_draws_its_charts(served, browser):
    visit = Visit(browser, served["url"] + "/thong-ke")
    page = visit.page
    assert "Thống kê cổng dữ liệu" in page.inner_text("h1")
    drawn = page.locator('canvas[data-drawn="true"]')
    assert drawn.count() == 3  # agency, month, format (no theme codes in these datasets)
    visit.check("thong-ke")


def test_api_guide_page_and_its_examples_run(served, browser):
    visit = Visit(browser, served["url"] + "/huong-dan-api")
    page = visit.page
    assert "Hướng dẫn sử dụng API" in page.inner_text("h1")
    examples = page.eval_on_selector_all(
        "pre[data-example]", "els => els.map(e => [e.dataset.example, e.dataset.expect, "
        "e.innerText])")
    visit.check("huong-dan-api")
    assert {kind for kind, _, _ in examples} == {"curl", "python"}
    for kind, expect, code in examples:
        assert served["url"] in code
        if kind == "curl":
            run = subprocess.run(["bash", "-c", code], capture_output=True, text=True,
                                 timeout=60)
        else:
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 timeout=60)
        assert run.returncode == 0, (code, run.stderr)
        if expect == "dcat":
            assert "dcat:Dataset" in run.stdout or "dcat:Catalog" in run.stdout, code
        elif kind == "curl":
            answer = json.loads(run.stdout)
            assert answer["success"] is True, code
        else:
            assert run.stdout.splitlines()[0] == "6"  # total rows of the table
            assert "Tân An" in run.stdout


def test_inline_script_is_blocked_and_the_watch_sees_it(served, browser):
    """The pages' CSP is enforced by the browser, and a violation reaches the watch (which
    fails every other browser test on one)."""
    visit = Visit(browser, served["url"] + "/")
    page = visit.page
    with page.expect_console_message(lambda m: "CSP violation" in m.text):
        page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); }""")
    assert page.evaluate("() => window.inlineRan") is None
    assert any("script-src" in e for e in visit.watch.errors)
    page.close()
