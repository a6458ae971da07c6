from datetime import timedelta

from django.utils import timezone

from gridgov.deadlines import scan as deadlines
from gridgov.reports.models import Report, ReportState
from gridgov.reports.tests.conftest import jpeg


def test_resident_files_a_report_with_a_photo_from_the_phone_form(street, client, environment):
    client.force_login(street.resident.user)
    form = client.get("/reports/new/")
    assert 'capture="environment"' in form.content.decode()
    response = client.post("/reports/new/", {"category": environment.pk, "node": street.micro_a1.pk, "text": "",
                                             "address": "东门路", "photos": [jpeg()]})
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.photos.count() == 1
    assert client.get(f"/reports/photos/{report.photos.get().pk}/").status_code == 200


def test_empty_report_form_shows_a_message_and_saves_nothing(street, client, environment):
    client.force_login(street.resident.user)
    response = client.post("/reports/new/", {"category": environment.pk, "node": street.micro_a1.pk, "text": ""})
    assert response.status_code == 200 and not Report.objects.exists()
    assert "error" in response.content.decode() or "errorlist" in response.content.decode()


def test_non_image_upload_on_the_form_is_refused_without_500(street, client, environment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(street.resident.user)
    bad = SimpleUploadedFile("x.png", b"\x00" * 100, content_type="image/png")
    response = client.post("/reports/new/", {"category": environment.pk, "node": street.micro_a1.pk, "text": "x",
                                             "photos": [bad]}, follow=True)
    assert response.status_code == 200 and not Report.objects.exists()


def test_worker_accepts_resolves_and_resident_rates_through_the_pages(street, client, file_report):
    report = file_report(now=timezone.now())
    client.force_login(street.worker_a.user)
    assert f"/reports/{report.pk}/" in client.get("/reports/queue/").content.decode()
    client.post(f"/reports/{report.pk}/accept/")
    client.post(f"/reports/{report.pk}/resolve/", {"resolution": "已清理", "useful": "on"})
    client.force_login(street.resident.user)
    client.post(f"/reports/{report.pk}/rate/", {"rating": "4", "comment": "好"})
    report.refresh_from_db()
    assert report.state == ReportState.CONFIRMED and report.rating == 4
    assert "已清理" in client.get(f"/reports/{report.pk}/").content.decode()


def test_another_resident_cannot_see_the_report(street, client, file_report):
    from gridgov.orgs.models import Role
    from gridgov.testing.factories import person

    report = file_report()
    other = person("冯居民", node=street.micro_b1, role=Role.RESIDENT, username="other_resident")
    client.force_login(other.user)
    assert client.get(f"/reports/{report.pk}/").status_code == 404


def test_wrong_step_on_the_page_shows_a_refusal(street, client, file_report):
    report = file_report()
    client.force_login(street.resident.user)
    response = client.post(f"/reports/{report.pk}/accept/", follow=True)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_alerts_page_lists_my_open_alerts(street, client, file_report):
    report = file_report(now=timezone.now() - timedelta(days=2))
    deadlines.scan_deadlines(now=timezone.now())
    client.force_login(street.worker_a.user)
    assert f"#{report.pk}" in client.get("/reports/alerts/").content.decode()
    client.force_login(street.worker_b.user)
    assert f"#{report.pk}" not in client.get("/reports/alerts/").content.decode()


def test_my_alerts_are_paged(street, client, file_report, monkeypatch):
    from gridgov import pages

    monkeypatch.setattr(pages.page_of, "__kwdefaults__", {"per_page": 1})  # one alert a page
    first, second = (file_report(now=timezone.now() - timedelta(days=2)) for _ in range(2))
    deadlines.scan_deadlines(now=timezone.now())
    client.force_login(street.worker_a.user)
    one, two = (client.get(f"/reports/alerts/?page={number}").content.decode() for number in (1, 2))
    assert (f"#{first.pk}" in one) != (f"#{first.pk}" in two) and (f"#{second.pk}" in one) != (f"#{second.pk}" in two)
    assert "?page=2" in one
