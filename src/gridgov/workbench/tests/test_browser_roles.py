"""Every demo role in Chromium, on its own device: phone roles at 390×844, cadres at 1440×900, zh-CN.

Each login opens its workbench, then every to-do link on it and every entry of its navigation (the side
navigation, or the tab bar and the 我的 page on a phone). Every page must answer 200, show no raw developer
text (codes, reprs, English words on a zh-Hans page: ``testing.raw_text``), and on a phone be no wider than the
screen. The demo is seeded once for all roles; each role's workbench is kept as a screenshot."""

from urllib.parse import urlsplit

import pytest
from django.db import transaction

from gridgov import demo
from gridgov.demo import DEMO_PASSWORD
from gridgov.orgs.models import Node
from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot
from gridgov.testing.raw_text import raw_text

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}
ROLES = {  # demo login: the device it works on
    "worker": PHONE, "leader": PHONE, "resident": PHONE, "merchant": PHONE,
    "dongmen": DESK, "street": DESK, "auditor": DESK, "supervisor": DESK, "admin": DESK,
}
NOT_OPENED = ("/logout/", "/api/", "/static/", "/media/", "/i18n/", "/admin/")
TODO_LINKS = "main a[href]"
NAV_LINKS = ".side-nav a[href], .tab-bar a[href]"
WIDTH = "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


def _links(page, selector: str) -> list[str]:
    """The same-site paths the links matching ``selector`` open, in page order, once each."""
    found = page.eval_on_selector_all(selector, "links => links.map(link => link.href)")
    paths = []
    for href in found:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc and parts.netloc != urlsplit(page.url).netloc or path.startswith(NOT_OPENED):
            continue
        if path not in paths:
            paths.append(path)
    return paths


def _check(page, base: str, path: str, viewport, codes) -> list[str]:
    """What is wrong with the page at ``path``: its status, its width on a phone, its raw text."""
    response = page.goto(f"{base}{path}")
    if response is None or response.status != 200:
        return [f"{path}: answered {response.status if response else 'nothing'}"]
    problems = []
    if viewport is PHONE and (width := page.evaluate(WIDTH)) > viewport["width"]:
        problems.append(f"{path}: {width} px wide on a {viewport['width']}-px phone")
    problems += [f"{path}: shows {found}" for found in raw_text(page.content(), codes=codes)]
    return problems


@pytest.fixture
def seeded(db):
    with transaction.atomic():
        demo.seed_demo()


def test_every_role_opens_its_workbench_its_to_dos_and_its_navigation_on_its_own_device(seeded, live_server, browser):
    base, codes = live_server.url, set(Node.objects.values_list("code", flat=True))
    problems, opened = [], {}
    for username, viewport in ROLES.items():
        context, page = logged_in(browser, base, username, viewport=viewport, password=DEMO_PASSWORD)
        try:
            phone = "shell-phone" in (page.get_attribute("body", "class") or "")
            assert phone == (viewport is PHONE), f"{username} gets the {'phone' if phone else 'desk'} shell"
            shoot(page, f"workbench-{username}")
            problems += [f"{username} {found}" for found in _check(page, base, "/", viewport, codes)]
            todos, nav = _links(page, TODO_LINKS), _links(page, NAV_LINKS)
            assert todos and nav, (username, todos, nav)
            if phone:  # the tab bar's 我的 holds every other entry
                page.goto(f"{base}/me/")
                nav += [path for path in _links(page, "main a[href]") if path not in nav]
            pages = [path for path in dict.fromkeys(todos + nav) if path != "/"]
            for path in pages:
                problems += [f"{username} {found}" for found in _check(page, base, path, viewport, codes)]
            opened[username] = len(pages)
        finally:
            context.close()
    assert not problems, "\n".join(problems)
    assert min(opened.values()) >= 3, opened
