"""The pages: cadres' list and household page, the resident's own household only, the member's households and
the visit check-in, coverage, the audited reveal of a sensitive value, and the Excel page."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.households import services
from gridgov.households.models import FileField, Visit
from gridgov.reports.models import Report
from gridgov.testing.raw_text import raw_text

pytestmark = pytest.mark.django_db


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_cadre_lists_the_area_and_a_worker_sees_heads_masked(client, village):
    page = login(client, "community").get(reverse("households:list")).content.decode()
    assert "H-A1-01" in page and "H-B1-01" in page and "周居民" in page
    page = login(client, "worker_a").get(reverse("households:list")).content.decode()
    assert "H-A1-01" in page and "H-B1-01" not in page  # grid A only
    assert "周**" in page and "周居民" not in page  # names in full are for those with person.view_private


def test_the_household_page_shows_chinese_and_no_raw_codes(client, village):
    page = login(client, "community").get(reverse("households:detail", args=[village.home.pk])).content.decode()
    assert "户主" in page and "民情档案" in page
    assert raw_text(page) == []


def test_resident_opens_their_own_household_and_not_the_neighbours(client, village):
    login(client, "resident")
    response = client.get(reverse("households:mine"))
    assert response.status_code == 302 and response["Location"] == reverse("households:detail", args=[village.home.pk])
    assert client.get(reverse("households:detail", args=[village.home.pk])).status_code == 200
    assert client.get(reverse("households:detail", args=[village.next_door.pk])).status_code == 404


def test_revealing_a_sensitive_value_is_audited(client, village):
    field = FileField.objects.get(code="income")
    services.file_write(actor=village.street.community_cadre, household=village.home, field=field, value="3-6万元")
    login(client, "community")
    page = client.get(reverse("households:detail", args=[village.home.pk])).content.decode()
    assert "3-6万元" not in page
    answer = client.post(reverse("households:file_reveal", args=[village.home.pk, "income"]), HTTP_HX_REQUEST="true")
    assert "3-6万元" in answer.content.decode()
    assert AuditRecord.objects.filter(action="household.file_read").count() == 1


def test_worker_checks_in_a_visit_and_turns_a_finding_into_a_report(client, village):
    login(client, "worker_a")
    url = reverse("households:visit", args=[village.home.pk])
    assert "用火用电安全" in client.get(url).content.decode()
    response = client.post(url, {"checked": ["power", "gas"], "note": "楼道堆放杂物", "report": "on",
                                 "category": Report._meta.get_field("category").related_model.objects.get(
                                     code="safety").pk})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.checked == ["gas", "power"] and Report.objects.filter(pk=visit.report_id).exists()


def test_a_visit_form_asking_for_a_report_without_a_category_is_answered_on_the_form(client, village):
    login(client, "worker_a")
    response = client.post(reverse("households:visit", args=[village.home.pk]), {"note": "x", "report": "on"})
    assert response.status_code == 200 and not Visit.objects.exists()


def test_member_sees_their_households_and_those_not_visited(client, village):
    services.link_create(actor=village.street.community_cadre, household=village.home,
                         member=village.party_member, kind="party_member")
    page = login(client, "party").get(reverse("households:linked")).content.decode()
    assert "育才路1弄1号" in page and "本月未走访" in page


def test_coverage_page_for_cadres_only(client, village):
    assert login(client, "community").get(reverse("households:coverage")).status_code == 200
    assert login(client, "worker_a").get(reverse("households:coverage")).status_code == 403


def test_excel_page_exports_and_refuses_a_broken_file(client, village):
    login(client, "community")
    export = client.get(reverse("households:export"))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(reverse("households:excel"), {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert answer.status_code == 400 and not AuditRecord.objects.filter(action="household.import").exists()
