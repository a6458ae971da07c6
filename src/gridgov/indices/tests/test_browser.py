"""A phone scans an organisation's QR code: the public page shows its colour, scores and chart, no login."""

from datetime import date

import pytest

from gridgov.indices import schemes, services
from gridgov.indices.models import ActivityRecord
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.browser import BROWSER_MARKS, PHONE, shoot

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


def test_scanning_the_qr_code_opens_the_public_page_with_the_current_colour(live_server, street, browser):
    services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    for month in (9, 10):
        day = date(2026, month, 10)
        ActivityRecord.objects.create(node=street.village, kind="党课", due_on=day)  # not held: tea, then grey
        for definition in schemes.DEFINITIONS:
            services.run_publish(actor=SYSTEM, run=services.run_compute(
                actor=SYSTEM, scheme=definition["code"], period=f"2026-{month:02d}"))
    code = services.org_code_issue(actor=SYSTEM, node=street.village)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/o/{code.slug}/")
        assert page.locator("[data-testid=org-name]").inner_text() == "白岩村"
        assert page.locator("[data-testid=current-colour]").get_attribute("data-colour") == "grey"
        assert page.locator("[data-testid=qr] svg").count() == 1
        assert page.locator("svg.chart rect").count() >= 2
        assert "刘网格" not in page.content() and "李社区" not in page.content()  # nothing personal
        shoot(page, "indices-public-qr-page")
    finally:
        context.close()
