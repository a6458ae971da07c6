"""Browser run: a worker's inbox on the phone; a tap opens the task and marks the message read.

Drives Debian's chromium through Playwright (never a downloaded browser).
"""

from datetime import timedelta

from gridgov.testing.browser import BROWSER_MARKS, PHONE, logged_in, shoot

pytestmark = BROWSER_MARKS


def test_worker_opens_a_message_from_the_inbox_on_the_phone(live_server, street, browser, publish, environment):
    from django.utils import timezone

    from gridgov.notifications.models import Message
    from gridgov.reports import services as reports

    now = timezone.now()
    for minute, title in enumerate(["河道保洁", "消防通道清理", "独居老人探访"]):
        publish(title=title, now=now - timedelta(hours=2, minutes=-minute), deadline=now + timedelta(days=3))
    task = publish(node=street.grid_a, title="楼道杂物清理", now=now - timedelta(minutes=30),
                   deadline=now + timedelta(days=2))
    reports.report_file(actor=street.resident, node=street.micro_a1, category=environment, text="垃圾桶满了没人清理",
                        now=now - timedelta(minutes=5))
    base = live_server.url
    context, page = logged_in(browser, base, "worker_a", viewport=PHONE)
    assert page.inner_text(".bell .badge") == "3"
    page.goto(f"{base}/messages/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "messages-1-inbox-phone")
    page.click("text=新任务：楼道杂物清理")
    page.wait_for_url(f"{base}/tasks/{task.pk}/")
    assert Message.objects.get(recipient=street.worker_a, title="新任务：楼道杂物清理").read_at is not None
    page.goto(f"{base}/messages/")
    assert page.inner_text(".bell .badge") == "2"
    page.click("text=全部标为已读")
    page.wait_for_selector("text=已全部标为已读")
    shoot(page, "messages-2-all-read-phone")
    context.close()
