"""The base's staff keep its page: text, opening days, photos and plans; nobody else may, and a base keeps
two plans on offer."""

import pytest
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.bookings import services
from gridgov.bookings.models import Base, BasePhoto
from gridgov.bookings.tests.conftest import jpeg
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db


def test_staff_edit_the_base_page_and_visitors_see_it(client, catalogue):
    client.force_login(catalogue.staff.user)
    response = client.post(reverse("bookings:base_edit", args=["red-hall"]), {
        "description": "新馆开放", "address": "白岩村2号", "open_weekdays": ["2", "4", "6"], "accessibility": "有坡道",
        "phone": "0574-1234"})
    assert response.status_code == 302
    base = Base.objects.get(pk=catalogue.base.pk)
    assert (base.address, base.open_weekdays, base.accessibility) == ("白岩村2号", "246", "有坡道")
    assert AuditRecord.objects.filter(action="booking.base.edit").count() == 1
    client.logout()
    page = client.get(reverse("bookings:base", args=["red-hall"])).content.decode()
    assert "新馆开放" in page and "白岩村2号" in page and "/edit/" not in page


def test_a_base_must_open_on_some_day(catalogue):
    with pytest.raises(DomainError):
        services.base_update(actor=catalogue.staff, base=catalogue.base, description="", address="",
                             open_weekdays=["8"], accessibility="", phone="")


def test_someone_else_cannot_edit_and_is_recorded(client, street, catalogue):
    with pytest.raises(DomainError) as refused:
        services.base_update(actor=street.community_cadre, base=catalogue.base, description="x", address="",
                             open_weekdays=["1"], accessibility="", phone="")
    assert refused.value.code == "forbidden"
    assert AuditRecord.objects.filter(action="booking.catalogue", outcome="denied").exists()
    client.force_login(street.community_cadre.user)
    assert client.get(reverse("bookings:base_edit", args=["red-hall"])).status_code == 404


def test_staff_upload_photos_shown_publicly_and_remove_them(client, catalogue):
    client.force_login(catalogue.staff.user)
    client.post(reverse("bookings:base_photos", args=["red-hall"]), {"photos": [jpeg("a.jpg"), jpeg("b.jpg")]})
    photos = list(BasePhoto.objects.filter(base=catalogue.base))
    assert len(photos) == 2
    client.logout()
    shown = client.get(reverse("bookings:base_photo", args=[photos[0].pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert reverse("bookings:base_photo", args=[photos[0].pk]) in client.get(
        reverse("bookings:base", args=["red-hall"])).content.decode()
    client.force_login(catalogue.staff.user)
    client.post(reverse("bookings:base_photo_remove", args=["red-hall", photos[0].pk]))
    assert BasePhoto.objects.filter(base=catalogue.base).count() == 1


def test_too_many_photos_are_refused_whole(catalogue):
    with pytest.raises(DomainError):
        services.base_photos_add(actor=catalogue.staff, base=catalogue.base,
                                 photos=[jpeg(f"{n}.jpg") for n in range(services.MAX_BASE_PHOTOS + 1)])
    assert BasePhoto.objects.count() == 0


def test_staff_edit_a_plan_but_keep_two_on_offer(client, catalogue):
    client.force_login(catalogue.staff.user)
    client.post(reverse("bookings:plan_edit", args=[catalogue.plan.pk]), {
        "theme": "重温入党誓词（新版）", "duration_minutes": 90, "teaching": "誓词\n党史", "activities": "宣誓",
        "is_active": "on"})
    catalogue.plan.refresh_from_db()
    assert catalogue.plan.theme == "重温入党誓词（新版）" and catalogue.plan.duration_minutes == 90
    with pytest.raises(DomainError) as refused:
        services.plan_update(actor=catalogue.staff, plan=catalogue.other_plan, theme="红色故事会", duration_minutes=90,
                             teaching="", activities="", is_active=False)
    assert refused.value.code == "invalid_state"
    response = client.post(reverse("bookings:plan_edit", args=[catalogue.plan.pk]), {
        "theme": "x", "duration_minutes": 5, "teaching": "", "activities": ""})
    assert response.status_code == 200  # the form shows what is wrong
