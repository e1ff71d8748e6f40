"""Browser fixtures: Playwright driving Debian's chromium against the app served in a thread.

The live server runs on the session `app`; the per-test isolation pins that app's engine to
one connection, so what a test creates through the factories (in its own transaction) is what
the browser sees, and everything is rolled back after the test. Chromium comes from Debian
(`/usr/bin/chromium`, `executable_path`); Playwright never downloads a browser here.

On a failed test the page's screenshot is saved as `failure.png` in the test's tmp dir
(`pytest --basetemp=DIR` keeps it in a known place).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.helpers import DEFAULT_PASSWORD, LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 900}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def page(
    chromium_browser: Any, live_server: LiveServer, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Any]:
    """A fresh browser context at 1366 px wide whose relative URLs go to the live server."""
    context = chromium_browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            tab.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        context.close()


def sign_in(page: Any, username: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the admin's own sign-in form, as a person would."""
    page.goto("/admin/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
