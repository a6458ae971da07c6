"""Under the Content-Security-Policy, in a real browser: pages, the admin and Swagger UI work, nothing is refused."""

import pytest
from django.contrib.auth import get_user_model

from gridgov.audit.models import AuditRecord
from gridgov.testing.browser import BROWSER_MARKS, DESKTOP, logged_in

pytestmark = BROWSER_MARKS

PASSWORD = "pass-for-tests-1"


def watch(page) -> list[str]:
    """Every policy refusal and script error the page reports."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"{page.url}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


def test_pages_run_their_scripts_under_the_policy(live_server, street, browser):
    context, page = logged_in(browser, live_server.url, "street", viewport=DESKTOP)
    problems = watch(page)
    try:
        page.goto(f"{live_server.url}/tree/S01/")
        page.locator("#tree-search").press_sequentially("dmsq", delay=40)
        page.locator("#search-results a", has_text="东门社区").wait_for()  # htmx swapped the results in
        page.goto(f"{live_server.url}/reports/new/")
        assert page.locator("[data-locate]").count() == 1
        assert problems == []
    finally:
        context.close()


def test_admin_and_swagger_ui_work_under_their_policies(live_server, street, superuser, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    problems = watch(page)
    try:
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "root")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        for path in ["orgs/node/", f"orgs/person/{street.worker_a.pk}/change/", "ledger/account/", "audit/auditrecord/"]:
            page.goto(f"{live_server.url}/admin/{path}")
            assert page.locator("#content-main").count() == 1, path
        record = AuditRecord.objects.order_by("pk").first()
        page.goto(f"{live_server.url}/admin/audit/auditrecord/{record.pk}/change/")
        page.goto(f"{live_server.url}/admin/orgs/roleassignment/add/")
        page.locator("#id_node + .select2 .select2-selection").click()  # the autocomplete widget (select2)
        page.locator(".select2-search__field").fill("东门")
        page.locator(".select2-results__option", has_text="东门社区").first.wait_for()
        page.goto(f"{live_server.url}/api/v1/docs")
        page.locator(".opblock-summary").first.click()  # Swagger UI read the schema and drew the operations
        page.locator(".opblock-body").first.wait_for()
        assert problems == []
    finally:
        context.close()
