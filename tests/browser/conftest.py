"""Playwright driving Debian's Chromium (`apt-get install chromium fonts-noto-cjk`).

Outside CI a missing browser skips these tests; under CI=true it fails them.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SCREENSHOTS = Path(os.environ.get("FORUM_SCREENSHOTS", Path(__file__).parent / "screenshots"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_script():
    """axe.min.js (tests/browser/axe.py): installed from the npm registry when missing."""
    from tests.browser.axe import axe_script

    return axe_script()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # 4xx answers to fetch() are expected (a refused vote); CSP violations and script errors are not.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and "responded with a status of 4" not in msg.text else None)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors or CSP violations: {errors}"


def screenshot(page, name: str, backend: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{backend}.png"
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky header is drawn mid-page
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_configure(config):
    config.addinivalue_line("markers", "one_backend: the test checks what the database does not change "
                                       "(the pages' HTML, scanned by axe-core): it runs with one backend, "
                                       "PostgreSQL when configured, else SQLite")


def pytest_collection_modifyitems(config, items):
    """Deselect the SQLite variant of `one_backend` tests when PostgreSQL runs too."""
    from tests.conftest import BACKENDS

    if len(BACKENDS) < 2:
        return
    drop = [item for item in items if item.get_closest_marker("one_backend")
            and getattr(getattr(item, "callspec", None), "params", {}).get("app") == "sqlite"]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item not in drop]
