"""A grid worker on a phone (375 px): their linked households, a visit with the checklist, and a patrol check-in
with the phone's location, in a real browser (Debian's chromium through Playwright). Screenshots go to
``/tmp/gg-pages/`` (or ``GRIDGOV_SCREENSHOT_DIR``)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from gridgov.households import patrols, services
from gridgov.households.models import PatrolRound, Visit
from gridgov.testing.browser import BROWSER_MARKS, PHONE, logged_in
from gridgov.testing.browser import shoot as browser_shoot

pytestmark = BROWSER_MARKS

PLACE = {"latitude": 28.105, "longitude": 119.505}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def shoot(page, name: str) -> None:
    browser_shoot(page, f"households-{name}")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_worker_visits_a_linked_household_and_checks_in_a_patrol_on_the_phone(live_server, village, browser):
    street = village.street
    services.link_create(actor=street.community_cadre, household=village.home, member=street.worker_a,
                         kind="grid_worker")
    patrols.window_create(actor=street.street_cadre, node=street.community, label="全天巡查", starts=time(0, 0),
                          ends=time(23, 59, 59), weekdays="1234567", now=timezone.now() - timedelta(days=1))
    context, page = logged_in(browser, live_server.url, "worker_a", PHONE, geolocation=PLACE,
                              permissions=["geolocation"])
    page.goto(f"{live_server.url}/households/linked/")
    assert page.get_by_test_id("linked-count").inner_text() == "1"
    assert page.get_by_test_id("not-visited").inner_text() == "1"
    assert fits(page)
    shoot(page, "1-linked")

    page.get_by_role("link", name="走访", exact=True).click()
    page.wait_for_url(f"{live_server.url}/households/{village.home.pk}/visit/")
    boxes = page.locator("#visit-form input[name=checked]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.fill("textarea[name=note]", "老人身体尚好，燃气阀门正常")
    page.click("#locate")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert fits(page)
    shoot(page, "2-visit")
    page.click("#visit-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/linked/")
    assert page.get_by_test_id("not-visited").inner_text() == "0"
    visit = Visit.objects.get()
    assert len(visit.checked) == 2 and visit.latitude is not None

    page.goto(f"{live_server.url}/households/patrol/")
    assert "全天巡查" in page.content() and "正在进行" in page.content()
    page.fill("textarea[name=note]", "道路畅通")
    page.click("#locate")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert fits(page)
    shoot(page, "3-patrol")
    page.get_by_test_id("patrol-check-in").click()
    page.wait_for_url(f"{live_server.url}/households/patrol/")
    assert page.get_by_test_id("patrol-done").is_visible()
    assert page.get_by_test_id("patrols-done").inner_text() == "1"
    assert page.get_by_test_id("patrol-check-in").count() == 0
    assert fits(page)
    shoot(page, "4-patrol-done")
    patrol = PatrolRound.objects.get()
    assert patrol.state == "done" and patrol.latitude is not None and patrol.note == "道路畅通"
    context.close()
