"""CSS/JS bundles built once per process: after a page, the bundles it included stop checking
their source files on every later page (``assets.build_once``); with the option off, or in
CKAN's debug mode, every page checks them, as CKAN does."""
from __future__ import annotations

import pytest
from ckan.lib import webassets_tools

from tests.fast import cached_test_app

BUNDLE = "longan_opendata/portal-css"  # on every page of the portal


def _checks_its_files(name: str) -> bool:
    return webassets_tools.env[name].config.get("auto_build") is not False


def _page_with_bundle(app) -> None:
    response = app.get("/huong-dan-api")
    assert response.status_code == 200
    url = webassets_tools.env[BUNDLE].urls()[0].split("?")[0]
    assert url in response.get_data(as_text=True)  # the page links the built bundle


@pytest.mark.usefixtures("with_plugins")
def test_a_page_s_bundles_stop_checking_their_files_after_it():
    app = cached_test_app()
    config = webassets_tools.env[BUNDLE].config
    if "auto_build" in config:  # stopped by an earlier test's page
        del config["auto_build"]
    assert _checks_its_files(BUNDLE)
    _page_with_bundle(app)
    assert not _checks_its_files(BUNDLE)
    assert webassets_tools.env["longan_opendata/portal-js"].config.get("auto_build") is False
    _page_with_bundle(app)  # the next page takes the URL as built


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("option", [
    pytest.param(None, marks=pytest.mark.ckan_config(
        "ckanext.longan_opendata.assets.build_once", "false"), id="option-off"),
    pytest.param(None, marks=pytest.mark.ckan_config("debug", "true"), id="debug")])
def test_without_the_option_or_in_debug_every_page_checks(app, option):
    _page_with_bundle(app)
    assert _checks_its_files(BUNDLE)
