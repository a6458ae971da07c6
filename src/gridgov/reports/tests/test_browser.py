"""Browser run: a resident reports from the phone form, the grid worker resolves, the resident rates.

Drives Debian's chromium through Playwright (never a downloaded browser).
"""

import re

from gridgov.testing.browser import BROWSER_MARKS, logged_in, shoot

pytestmark = BROWSER_MARKS


def test_resident_reports_worker_resolves_resident_rates(live_server, street, browser, tmp_path):
    from PIL import Image

    from gridgov.reports.models import Report, ReportState

    photo = tmp_path / "litter.jpg"
    Image.new("RGB", (800, 600), (40, 140, 40)).save(photo, format="JPEG")
    base = live_server.url

    resident, page = logged_in(browser, base, "resident")
    page.goto(f"{base}/reports/new/")
    page.click(".choice-card:has-text('环境卫生')")
    page.fill("#id_text", "东门路垃圾桶满了")
    page.set_input_files("#id_photos", str(photo))
    shoot(page, "reports-1-form")
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))  # sent by offline.js, which then opens the report
    report = Report.objects.get()
    assert report.handler == street.worker_a and report.photos.count() == 1

    worker, worker_page = logged_in(browser, base, "worker_a")
    worker_page.goto(f"{base}/reports/queue/")
    worker_page.click(f"a[href='/reports/{report.pk}/']")
    worker_page.click("#accept")
    worker_page.fill("#id_resolution", "已清理干净")
    worker_page.click("#resolve-form button[type=submit]")
    worker_page.wait_for_selector("#report-state")
    report.refresh_from_db()
    assert report.state == ReportState.RESOLVED

    page.goto(f"{base}/reports/{report.pk}/")
    page.check("#rate-form input[name=rating][value='5']")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector(".timeline")
    shoot(page, "reports-2-rated")
    report.refresh_from_db()
    assert report.state == ReportState.CONFIRMED and report.rating == 5
    assert "已清理干净" in page.content()
    resident.close()
    worker.close()
