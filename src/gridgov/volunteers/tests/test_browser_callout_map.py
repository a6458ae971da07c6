"""The call-out's map in Chromium: the cadre sees the area's boundaries, the assembly point and a dot per person
coming, and a new 到 appears without reloading; a volunteer's phone shows the assembly point, not the people;
nothing overflows 390 px."""

import pytest

from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot
from gridgov.volunteers import callouts
from gridgov.volunteers.models import Answer

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}


def test_the_cadre_watches_people_coming_on_the_map_and_a_volunteer_sees_where_to_go(live_server, browser, street,
                                                                                      crew, drawn):
    base = live_server.url
    callout = callouts.callout_raise(actor=street.community_cadre, node=street.community, kind="flood",
                                     title="河水上涨", target=5, assembly_point="社区广场", latitude="28.05",
                                     longitude="119.52")
    callouts.callout_answer(actor=crew.a1, callout=callout, answer=Answer.COMING, latitude="28.06",
                            longitude="119.53")
    callouts.callout_answer(actor=crew.a2, callout=callout, answer=Answer.COMING)  # at M02's centre
    address = f"{base}/volunteers/callouts/{callout.pk}/"
    for viewport in (WIDE, PHONE):
        context, page = logged_in(browser, base, "community", viewport=viewport)
        page.goto(address)
        page.wait_for_selector("#callout-map[data-ready='1']", state="attached")
        assert page.locator("path.callout-person").count() == 2
        assert page.locator("path.callout-area").count() == 3  # the community and its two grids
        assert page.locator(".callout-assembly").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"volunteers-callout-map-{viewport['width']}")
        context.close()

    context, page = logged_in(browser, base, "community", viewport=PHONE)
    page.goto(address)
    page.wait_for_selector("#callout-map[data-people='2']", state="attached")
    callouts.callout_answer(actor=crew.b1, callout=callout, answer=Answer.COMING)  # M03's centre
    page.wait_for_selector("#callout-map[data-people='3']", state="attached", timeout=15_000)
    assert page.locator("path.callout-person").count() == 3
    context.close()

    context, page = logged_in(browser, base, "v_a1b", viewport=PHONE)
    page.goto(address)
    page.wait_for_selector("#callout-map[data-ready='1']", state="attached")
    assert page.locator(".callout-assembly").count() == 1 and page.locator("path.callout-person").count() == 0
    assert "志愿者甲" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
