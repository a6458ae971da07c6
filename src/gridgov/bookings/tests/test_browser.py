"""Browser run on a phone (390 × 844): a visitor browses the catalogue without logging in; a cadre books from the
plan's page in one tap; the base's staff approve from the queue. Debian's chromium through Playwright."""

from gridgov.bookings.models import Booking, BookingState
from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot

pytestmark = BROWSER_MARKS
PHONE = {"width": 390, "height": 844}


def test_visitor_browses_cadre_books_in_one_tap_on_a_phone(live_server, street, catalogue, browser):
    base = live_server.url
    visitor = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = visitor.new_page()
    page.goto(f"{base}/bookings/")
    page.click(f"a[href='/bookings/bases/{catalogue.base.code}/']")
    page.click(f"a[href='/bookings/plans/{catalogue.plan.pk}/']")
    assert "登录后预约" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "bookings-1-plan-visitor")
    visitor.close()

    cadre, page = logged_in(browser, base, "community", viewport=PHONE)
    page.goto(f"{base}/bookings/plans/{catalogue.plan.pk}/")
    shoot(page, "bookings-2-plan-cadre")
    page.click("#book-now")  # everything is filled in: the next open slot, the organisation, 20 people
    page.wait_for_selector("#booking-state")
    shoot(page, "bookings-3-booked")
    booking = Booking.objects.get()
    assert booking.organisation == street.community and booking.headcount == 20
    assert booking.state == BookingState.PENDING_BASE
    cadre.close()

    staff, page = logged_in(browser, base, "base_staff", viewport={"width": 1440, "height": 900})
    page.goto(f"{base}/bookings/queue/")
    page.click(f"#booking-{booking.pk} button.approve")
    page.wait_for_selector(".messages")
    shoot(page, "bookings-4-queue")
    booking.refresh_from_db()
    assert booking.state == BookingState.APPROVED and booking.liaison == catalogue.liaison
    staff.close()
