"""What the browser tests share: Debian's Chromium driven by Playwright (no browser download),
screenshots in ``test-artifacts/`` (git-ignored), and a watch on every page that fails the test
on a console error (a Content-Security-Policy violation included), a failed response or any
request leaving 127.0.0.1 (such requests are
aborted: the portal must work offline)."""
from __future__ import annotations

import os
from pathlib import Path
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
