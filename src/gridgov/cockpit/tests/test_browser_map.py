"""一张图 in Chromium on the seeded demo street: it draws the street's 47 grids inside its organisations, clicking
an area opens the map of that area, and nothing overflows a phone."""

import pytest
from django.db import transaction

from gridgov import demo
from gridgov.demo import DEMO_PASSWORD
from gridgov.geo.models import Boundary
from gridgov.orgs.models import Node, NodeKind
from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(db):
    with transaction.atomic():
        demo.seed_demo()


def _open_map(page, base, query=""):
    page.goto(f"{base}/map/{query}")
    page.wait_for_selector("#map[data-ready]", state="attached")
    assert page.get_attribute("#map", "data-ready") == "1"


def test_the_map_draws_the_demo_grids_and_drills_down(seeded, live_server, browser):
    base = live_server.url
    street = Node.objects.get(kind=NodeKind.STREET)
    grids = Node.objects.filter(kind=NodeKind.GRID, path__startswith=street.path).count()
    assert grids == 47
    for viewport in (WIDE, PHONE):
        context, page = logged_in(browser, base, "street", viewport=viewport, password=DEMO_PASSWORD)
        _open_map(page, base)
        drawn = Boundary.objects.filter(node__path__startswith=street.path, node__depth=street.depth + 1).count()
        assert drawn >= 8 and int(page.get_attribute("#map", "data-areas")) == drawn  # cooperatives have none
        assert int(page.get_attribute("#map", "data-inner")) == grids
        assert page.locator("path.map-inner").count() == grids
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"map-street-{viewport['width']}")
        community = Node.objects.get(code="FY-DM")
        page.click(f"path[data-code='{community.code}']")
        page.wait_for_url(f"**/map/?node={community.code}*")
        page.wait_for_selector("#map[data-ready]", state="attached")
        inside = Boundary.objects.filter(node__path__startswith=community.path, node__depth=community.depth + 1).count()
        assert int(page.get_attribute("#map", "data-areas")) == inside
        assert "东门社区" in page.inner_text("h1")
        context.close()


def test_the_cockpit_draws_its_charts_and_the_large_screen_fits(seeded, live_server, browser):
    base = live_server.url
    context, page = logged_in(browser, base, "street", viewport=WIDE, password=DEMO_PASSWORD)
    page.goto(f"{base}/cockpit/")
    page.wait_for_selector("#chart-reports canvas")
    assert page.locator("#chart-points canvas").count() == 1
    shoot(page, "cockpit-street")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/cockpit/screen/")
    page.wait_for_selector("#chart-categories canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    shoot(page, "cockpit-screen")
    context.close()
    context, page = logged_in(browser, base, "dongmen", viewport=PHONE, password=DEMO_PASSWORD)
    page.goto(f"{base}/cockpit/")
    page.wait_for_selector("#chart-reports canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
