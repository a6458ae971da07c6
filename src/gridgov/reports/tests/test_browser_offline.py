"""A resident reports without signal, with no service worker at all: the page keeps the report and sends it once,
even when the first send reached the server and its answer was lost on the way back.

Drives Debian's chromium through Playwright; screenshots go to ``/tmp/gg-pages/``.
"""

import pytest

from gridgov.models import Submission
from gridgov.reports.models import Report
from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot
from gridgov.testing.offline import kept, photo

pytestmark = BROWSER_MARKS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_report_kept_offline_is_filed_once_though_the_first_answer_was_lost(live_server, street, browser, tmp_path):
    context, phone = logged_in(browser, live_server.url, "resident", service_workers="block")
    lost = []

    def answer_lost(route):
        """The report reaches the server, which files it; the signal drops before the answer comes back."""
        if route.request.method != "POST":
            return route.continue_()
        route.fetch()
        lost.append(route.request.url)
        route.abort("internetdisconnected")

    try:
        phone.goto(f"{live_server.url}/reports/new/")
        context.set_offline(True)
        phone.locator(".outbox-offline").wait_for()  # the page says it is offline
        phone.click(".choice-card:has-text('环境卫生')")
        phone.fill("#id_text", "白岩村口垃圾堆积")
        phone.set_input_files("#id_photos", photo(tmp_path / "litter.jpg", (40, 140, 40)))
        phone.click("#report-form button[type=submit]")
        phone.locator(".outbox-waiting", has_text="等待发送 1 条").wait_for()
        shoot(phone, "offline-3-report-kept")
        assert Report.objects.count() == 0

        phone.route("**/reports/new/", answer_lost)
        context.set_offline(False)  # the page sends at once; the server files the report; the answer is lost
        while not lost:
            phone.wait_for_timeout(50)
        phone.locator(".outbox-waiting", has_text="等待发送 1 条").wait_for()
        [item] = kept(phone)
        assert item["state"] == "waiting" and Report.objects.count() == 1

        phone.unroute("**/reports/new/", answer_lost)
        phone.reload()  # opening a page sends what waits: the same form again, answered "already sent"
        phone.locator(".outbox-success", has_text="已发送").wait_for()
        shoot(phone, "offline-4-report-sent")
        assert kept(phone) == []
        report = Report.objects.get()
        assert report.text == "白岩村口垃圾堆积" and report.photos.count() == 1
        assert Submission.objects.filter(key=item["token"]).count() == 1
    finally:
        context.close()
