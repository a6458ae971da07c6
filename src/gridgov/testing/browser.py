"""Browser tests: Debian's chromium driven by Playwright (never a downloaded browser).

Test modules set ``pytestmark = BROWSER_MARKS`` and take the session-wide ``browser`` fixture from the
root conftest. Screenshots go to ``GRIDGOV_SCREENSHOT_DIR`` (default ``/tmp/gg-pages``) for a person to look at.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls happen elsewhere.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOT_DIR", "/tmp/gg-pages"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Debian's chromium is not installed at {CHROMIUM}"),
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def logged_in(browser, base_url: str, username: str, viewport=PHONE, password: str = "pass-for-tests-1", **options):
    """A new browser context logged in through the real login form; returns (context, page) on the home page.
    ``options`` go to the context (e.g. ``service_workers="block"``, ``permissions=["camera"]``)."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport == PHONE, has_touch=True,
                                  **options)
    page = context.new_page()
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")
    return context, page
