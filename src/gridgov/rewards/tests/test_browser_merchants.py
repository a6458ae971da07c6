"""The cadre's merchant pages in a real browser, on a phone (375 px) and a desktop.

Screenshots go to ``GRIDGOV_SCREENSHOT_DIR`` (default ``/tmp/gg-pages``) for a person to look at.
"""

from gridgov.orgs.models import Role
from gridgov.rewards.models import CatalogueItem, MerchantStaff
from gridgov.testing.browser import BROWSER_MARKS, DESKTOP, PHONE, logged_in, shoot
from gridgov.testing.factories import person

pytestmark = BROWSER_MARKS


def test_cadre_registers_a_merchant_fills_its_catalogue_and_adds_staff(live_server, street, browser):
    """The whole flow on a phone; then the same pages on a desktop, for the screenshots."""
    person("钱店员", node=street.grid_a, role=Role.MERCHANT_STAFF)
    name = "phone"
    context, page = logged_in(browser, live_server.url, "community", viewport=PHONE)
    try:
        page.goto(f"{live_server.url}/rewards/merchants/")
        shoot(page, f"merchants-{name}-1-empty-list")
        page.get_by_test_id("new-merchant").click()
        page.fill("input[name=name]", "东门惠民超市")
        shoot(page, f"merchants-{name}-2-new")
        page.get_by_test_id("save").click()
        page.locator("#catalogue").wait_for()

        page.fill("#new-item-name", "洗衣皂")
        page.fill("#new-item-points", "0")
        page.get_by_test_id("add-item").click()
        assert page.get_by_test_id("error").count() == 1  # refused with a message, nothing added
        shoot(page, f"merchants-{name}-3-bad-price")
        page.fill("#new-item-points", "30")
        page.fill("#new-item-stock", "5")
        page.get_by_test_id("add-item").click()
        page.locator("#catalogue li.rw-item").first.wait_for()
        assert CatalogueItem.objects.filter(name="洗衣皂", points=30, stock=5).count() == 1

        page.locator("details#add-item summary").click()
        page.fill("#new-item-name", "九折优惠")
        page.select_option("#new-item-kind", "discount")
        page.fill("#new-item-points", "50")
        page.fill("#new-item-description", "凭积分享受9折")
        page.get_by_test_id("add-item").click()
        page.locator("#catalogue li.rw-item").nth(1).wait_for()

        page.get_by_test_id("candidates").get_by_role("button").first.click()
        page.locator("#staff .rw-people").first.wait_for()
        assert MerchantStaff.objects.filter(person__name="钱店员").count() == 1
        shoot(page, f"merchants-{name}-4-detail")

        page.goto(f"{live_server.url}/rewards/merchants/")
        shoot(page, f"merchants-{name}-5-list")
        assert page.locator(".rw-row").count() == 1
        detail_url = page.locator(".rw-row-title").get_attribute("href")
    finally:
        context.close()

    context, page = logged_in(browser, live_server.url, "community", viewport=DESKTOP)
    try:
        page.goto(f"{live_server.url}/rewards/merchants/")
        shoot(page, "merchants-desktop-1-list")
        page.goto(f"{live_server.url}{detail_url}")
        assert page.locator("#catalogue li.rw-item").count() == 2
        shoot(page, "merchants-desktop-2-detail")
    finally:
        context.close()
