"""What the browser tests share: Debian's Chromium driven by Playwright (no browser download),
screenshots in ``test-artifacts/`` (git-ignored), and a watch on every page that fails the test
on a console error (a Content-Security-Policy violation included), a failed response or any
request leaving 127.0.0.1 (such requests are
aborted: the portal must work offline)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("LONGAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: keyword arguments of ``launch``/``launch_persistent_context``
LAUNCH = {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS,
          "ignore_default_args": ["--enable-automation"]}
#: keyword arguments of a browser context: Vietnamese, a laptop screen
CONTEXT = {"locale": "vi-VN", "viewport": {"width": 1280, "height": 900}}

#: reports every Content-Security-Policy violation of any frame as a console error (which the
#: watch records): the portal's pages must run under their CSP without inline-script violations
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => console.error(
  'CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
  ' in ' + e.sourceFile + ':' + e.lineNumber));
"""

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                    reason=f"{CHROMIUM} missing: apt-get install chromium")


class Watch:
    """Records what goes wrong on ``page``: console errors, uncaught exceptions, responses of
    status 400 or more, and requests to any host but 127.0.0.1 (aborted)."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.add_init_script(CSP_LISTENER)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.status} {r.url}"))
        page.route("**/*", self._guard)

    def _guard(self, route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def expected(self, status: int) -> None:
        """Forget an expected failure: its response and the console's note of it."""
        self.errors = [e for e in self.errors if not e.startswith(f"{status} http")
                       and f"status of {status}" not in e]

    def assert_clean(self) -> None:
        assert self.outside == [], f"requests leaving 127.0.0.1: {self.outside}"
        assert self.errors == [], f"errors on the page: {self.errors}"


def fresh_database() -> None:
    """Empty CKAN tables (with the project's migrated plugins) and an empty search index, for
    a module that serves the portal to a browser (the served process sees what this one made)."""
    from ckan.cli.db import _run_migrations
    from ckan.lib import search
    from ckan.tests import helpers

    from tests.conftest import PROJECT_MIGRATED_PLUGINS

    helpers.reset_db()
    for plugin in PROJECT_MIGRATED_PLUGINS:
        _run_migrations(plugin)
    search.clear_all()


def launched_chromium(prefix: str) -> Iterator[Any]:
    """A module's Chromium (for a module-scoped fixture), after removing the screenshots of the
    previous run whose names start with ``prefix``."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}-*.png"):
        old.unlink()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**LAUNCH)
        yield browser
        browser.close()


class Person:
    """One person at their own browser: a context of their own (cookies), one tab, watched.
    A scenario subclasses it with its screenshot ``prefix`` and its users' ``password``."""

    prefix = "scenario"
    password = ""

    def __init__(self, chromium: Any, url: str, shots: list[Path]):
        self.context = chromium.new_context(base_url=url, **CONTEXT)
        self.context.set_default_timeout(20000)
        self.page = self.context.new_page()
        self.watch = Watch(self.page)
        self.shots = shots

    def go(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(path, wait_until="load")
        assert response is not None and response.status == status, (path, response.status)
        return response

    def click(self, locator: Any) -> None:
        """Click what leads to another page, and wait until it has loaded."""
        with self.page.expect_navigation(wait_until="load"):
            locator.click()

    def shot(self, step: str) -> None:
        """A screenshot of this step, numbered in the order of the scenario."""
        path = ARTIFACTS / f"{self.prefix}-{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def log_in(self, user: dict) -> None:
        from playwright.sync_api import expect

        self.go("/user/login")
        form = self.page.locator("form").filter(has=self.page.locator("#field-login"))
        form.locator("#field-login").fill(user["name"])
        form.locator("#field-password").fill(self.password)
        self.click(form.get_by_role("button", name="Đăng nhập"))
        expect(self.page.locator(f'a[href="/user/{user["name"]}"]').first).to_be_visible()
