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
        # A dot (an open report, located work) opens its own page: hide them to click the area under them.
        page.uncheck("#map-markers")
        page.uncheck("#map-claims")
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


def test_a_street_cadre_redraws_a_micro_grid_on_the_map_and_it_is_saved(seeded, live_server, browser):
    base = live_server.url
    street = Node.objects.get(kind=NodeKind.STREET)
    grid = (Node.objects.filter(kind=NodeKind.GRID, path__startswith=street.path, boundary__isnull=False)
            .order_by("path").first())
    micro = (Node.objects.filter(kind=NodeKind.MICRO_GRID, path__startswith=grid.path, boundary__isnull=False)
             .order_by("path").first())
    before = Boundary.objects.get(node=micro)
    context, page = logged_in(browser, base, "street", viewport=WIDE, password=DEMO_PASSWORD)
    _open_map(page, base, f"?node={grid.code}")
    page.click("#map-redraw-start")
    page.click(f"path[data-code='{micro.code}']")  # chooses the area instead of drilling down
    page.wait_for_selector("#map[data-redrawing]", state="attached")
    assert page.url.endswith(f"?node={grid.code}") or "redraw" not in page.url
    corners = page.locator(".map-vertex")
    assert corners.count() >= 3 and int(page.get_attribute("#map", "data-corners")) == corners.count()
    area = page.locator(f"path[data-code='{micro.code}']").bounding_box()
    centre = (area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
    corner = corners.first.bounding_box()
    start = (corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + (centre[0] - start[0]) * 0.4, start[1] + (centre[1] - start[1]) * 0.4, steps=8)
    page.mouse.up()
    shoot(page, "map-redraw")
    with page.expect_navigation():
        page.click("#map-redraw-save")
    page.wait_for_selector("#map[data-ready]", state="attached")
    assert "已保存" in page.inner_text(".messages")
    assert page.get_attribute("#map", "data-redrawing") is None
    after = Boundary.objects.get(node=micro)
    assert after.area_m2 < before.area_m2 and after.set_by.user.username == "street"
    context.close()


def test_cancelling_a_redraw_changes_nothing(seeded, live_server, browser):
    base = live_server.url
    grid = Node.objects.filter(kind=NodeKind.GRID, boundary__isnull=False).order_by("path").first()
    before = {each.node_id: each.geometry for each in Boundary.objects.filter(node__path__startswith=grid.path)}
    context, page = logged_in(browser, base, "street", viewport=WIDE, password=DEMO_PASSWORD)
    _open_map(page, base, f"?node={grid.code}")
    page.click("#map-redraw-start")
    code = page.locator("path.map-area").first.get_attribute("data-code")
    page.click(f"path[data-code='{code}']")
    page.wait_for_selector("#map[data-redrawing]", state="attached")
    page.click("#map-redraw-clear")
    assert int(page.get_attribute("#map", "data-corners")) == 0
    page.click("#map-redraw-cancel")
    assert page.locator(".map-vertex").count() == 0 and page.is_hidden("#map-redraw")
    page.click(f"path[data-code='{code}']")  # no longer redrawing: the click drills down again
    page.wait_for_url(f"**/map/?node={code}*")
    assert {each.node_id: each.geometry for each in Boundary.objects.filter(node__path__startswith=grid.path)} == before
    context.close()
