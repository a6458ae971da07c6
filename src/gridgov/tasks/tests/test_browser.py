"""One task from publish to points in a real browser, across three logins (cadre, worker, auditor).

Drives Debian's chromium through Playwright (never a downloaded browser); screenshots go to
``/tmp/gg-pages/`` (or ``GRIDGOV_SCREENSHOT_DIR``).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.tasks.models import Claim, ClaimState
from gridgov.tasks.tests.conftest import ensure_catalogue
from gridgov.testing.browser import BROWSER_MARKS, DESKTOP, PHONE, logged_in
from gridgov.testing.browser import shoot as browser_shoot

pytestmark = BROWSER_MARKS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def shoot(page, name: str) -> None:
    browser_shoot(page, f"tasks-{name}")


def test_one_task_from_publish_to_points_across_three_logins(live_server, street, budget, browser, tmp_path):
    ensure_catalogue()
    from gridgov.tasks.models import WorkType

    fire_safety = WorkType.objects.get(name="消防安全")
    cadre, page = logged_in(browser, live_server.url, "community", DESKTOP)
    page.goto(f"{live_server.url}/tasks/publish/")
    page.fill("#area-search", "dmsq")  # the area picker: search by pinyin initials, add the result as a chip
    page.click(f"[data-pick='{street.community.pk}']")
    assert page.locator(".area-chip").inner_text().startswith("浮云街道 › 东门社区")
    page.fill("input[name=title]", "东门消防通道巡查")
    page.select_option("select[name=work_type]", str(fire_safety.pk))
    page.fill("input[name=points]", "30")
    page.fill("input[name=places]", "2")
    page.fill("input[name=deadline]", (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"))
    shoot(page, "1-publish")
    page.click("form.cadre-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/tasks/published/")
    assert "东门消防通道巡查" in page.content()

    worker, phone = logged_in(browser, live_server.url, "worker_a", PHONE)
    phone.goto(f"{live_server.url}/tasks/")
    shoot(phone, "2-square")
    phone.locator("article", has_text="东门消防通道巡查").get_by_role("button", name="认领").click()
    phone.wait_for_url(f"{live_server.url}/tasks/mine/")
    phone.click("text=东门消防通道巡查")
    photo = tmp_path / "scene.jpg"
    from PIL import Image

    Image.new("RGB", (800, 600), (30, 120, 200)).save(photo, format="JPEG")
    phone.fill("textarea[name=text]", "检查了三栋楼的消防通道，清理杂物两处")
    phone.set_input_files("input[name=photos]", str(photo))
    shoot(phone, "3-evidence")
    phone.click("form.evidence-form button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/tasks/mine/")
    claim = Claim.objects.get(task__title="东门消防通道巡查")
    assert claim.state == ClaimState.SUBMITTED and claim.photos.count() == 1

    page.goto(f"{live_server.url}/tasks/evaluation/")
    card = page.locator("article", has_text="东门消防通道巡查")
    card.locator("input[name=adjustment]").fill("5")
    card.locator("input[name=reason]").fill("清理及时")
    shoot(page, "4-evaluate")
    card.locator("button[value=approve]").click()
    page.wait_for_selector(f"#claim-{claim.pk}.decided")  # decided in place: the queue keeps its place

    auditor, desk = logged_in(browser, live_server.url, "auditor", DESKTOP)
    desk.goto(f"{live_server.url}/tasks/audit/")
    desk.check(f"#claim-{claim.pk} input[name=claim]")
    shoot(desk, "5-audit")
    desk.click(".batch-bar button[type=submit]")
    desk.wait_for_url(f"{live_server.url}/tasks/audit/")

    claim.refresh_from_db()
    assert (claim.state, claim.points_awarded) == (ClaimState.AUDITED, 35)
    phone.goto(f"{live_server.url}/tasks/mine/")
    shoot(phone, "6-points")
    assert "35" in phone.locator("article", has_text="东门消防通道巡查").inner_text()
    for context in (cadre, worker, auditor):
        context.close()


def test_the_published_list_fits_a_phone_and_withdrawing_asks_first(live_server, street, publish, browser):
    from gridgov.tasks import services
    from gridgov.tasks.models import Task, TaskStatus

    task = publish(title="东门社区冬季消防通道巡查（含楼道杂物清理）")
    services.task_claim(actor=street.worker_a, task=task)
    context, page = logged_in(browser, live_server.url, "community", {"width": 360, "height": 780})
    page.goto(f"{live_server.url}/tasks/published/")
    shoot(page, "published-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
    context, page = logged_in(browser, live_server.url, "community", DESKTOP)
    page.goto(f"{live_server.url}/tasks/published/")
    shoot(page, "published-desktop")
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.fill("input[name=reason]", "上级通知取消")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button.danger")
    assert asked and "不能恢复" in asked[0]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.danger")
    page.wait_for_selector(".withdrawn-note")
    shoot(page, "withdrawn")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSED
    context.close()
