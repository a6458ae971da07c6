"""A worker without signal: the evidence form opens from the phone, is kept, and is sent once when back online.

Drives Debian's chromium through Playwright with the service worker running; screenshots go to ``/tmp/gg-pages/``.
"""

import pytest

from gridgov.models import Submission
from gridgov.tasks import services
from gridgov.tasks.models import ClaimState
from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot
from gridgov.testing.offline import KEEP_TWICE, kept, photo, still_offline, wait_until_controlled

pytestmark = BROWSER_MARKS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_evidence_taken_offline_is_submitted_exactly_once_when_back_online(live_server, street, publish, browser,
                                                                           tmp_path):
    task = publish(title="白岩村护林巡查", requires_photo=True)
    claim = services.task_claim(actor=street.worker_a, task=task)
    context, phone = logged_in(browser, live_server.url, "worker_a")
    address = f"{live_server.url}/tasks/claims/{claim.pk}/"
    try:
        wait_until_controlled(phone)
        phone.goto(address)  # opened once with signal: the phone keeps the page

        context.set_offline(True)
        phone.reload()  # in the mountains: the page opens from the phone
        still_offline(phone)
        phone.locator(".outbox-offline").wait_for()  # the page says it is offline
        phone.fill("textarea[name=text]", "山林防火通道已巡查，无火情")
        phone.set_input_files("input[name=photos]", photo(tmp_path / "forest.jpg"))
        phone.click("form.evidence-form button[type=submit]")
        waiting = phone.locator(".outbox-waiting")
        waiting.wait_for()
        assert "已保存，恢复网络后自动发送" in waiting.inner_text() and "等待发送 1 条" in waiting.inner_text()
        assert phone.input_value("textarea[name=text]") == "山林防火通道已巡查，无火情"  # what was typed stays
        phone.click("form.evidence-form button[type=submit]")  # a second tap keeps the same form, not another
        phone.locator(".outbox-waiting", has_text="等待发送 1 条").wait_for()
        shoot(phone, "offline-1-evidence-kept")
        [item] = kept(phone)
        names = [name for name, _value in item["fields"]]
        assert {"csrfmiddlewaretoken", "form_token", "text", "photos"} <= set(names)
        assert dict(item["fields"])["photos"]["size"] > 0
        claim.refresh_from_db()
        assert claim.state == ClaimState.CLAIMED and claim.photos.count() == 0

        # As if a flush had reached the server and been cut off, then run again: the same form twice in the outbox.
        phone.evaluate(KEEP_TWICE)
        assert len(kept(phone)) == 2
        context.set_offline(False)  # the `online` event sends what waits, oldest first
        phone.wait_for_url(f"{live_server.url}/tasks/mine/")
        phone.locator("ul.messages li", has_text="已提交").wait_for()
        shoot(phone, "offline-2-evidence-sent")
        assert kept(phone) == []
        phone.reload()  # another page load sends again whatever waits: nothing does
        assert kept(phone) == []

        claim.refresh_from_db()
        assert claim.state == ClaimState.SUBMITTED
        assert claim.evidence_text == "山林防火通道已巡查，无火情" and claim.photos.count() == 1
        assert Submission.objects.filter(key=item["token"]).count() == 1
    finally:
        context.close()


def test_a_send_that_fails_while_the_phone_says_connected_counts_as_offline(live_server, street, publish, browser):
    """On a network without data navigator.onLine stays true: the failed send itself says the phone is offline,
    the form stays kept, and it goes when a retry reaches the server."""
    task = publish(title="白岩村河道巡查")
    claim = services.task_claim(actor=street.worker_a, task=task)
    context, phone = logged_in(browser, live_server.url, "worker_a")
    address = f"{live_server.url}/tasks/claims/{claim.pk}/"
    try:
        wait_until_controlled(phone)
        phone.goto(address)
        assert phone.locator(".outbox-offline").count() == 0
        phone.fill("textarea[name=text]", "河道已巡查，无垃圾")
        context.route("**/*", lambda route: route.abort())  # the radio is up, no data goes through
        phone.click("form.evidence-form button[type=submit]")
        phone.locator(".outbox-offline").wait_for()
        assert phone.evaluate("() => navigator.onLine") is True
        assert "手机当前离线" in phone.locator(".outbox-offline").inner_text()
        assert "等待发送 1 条" in phone.locator(".outbox-waiting").inner_text()
        assert phone.input_value("textarea[name=text]") == "河道已巡查，无垃圾"
        assert len(kept(phone)) == 1
        claim.refresh_from_db()
        assert claim.state == ClaimState.CLAIMED

        context.unroute("**/*")
        phone.evaluate("() => self.GridgovOutbox.flush()")  # as the retry timer would, sooner
        phone.reload()  # the next page opened sends what waits (nothing: the flush sent it)
        assert kept(phone) == []
        claim.refresh_from_db()
        assert claim.state == ClaimState.SUBMITTED and claim.evidence_text == "河道已巡查，无垃圾"
    finally:
        context.close()
