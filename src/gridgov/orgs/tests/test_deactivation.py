"""Editing people in the admin, and switching off a login or a person: access ends at once, everywhere."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.orgs import services
from gridgov.orgs.models import ApiToken

PASSWORD = "pass-for-tests-1"


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def api_me(secret: str) -> int:
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code


def logged_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    assert browser.get(reverse("home")).status_code == 200
    return browser


def person_form(person, **changes) -> dict:
    data = {"name": person.name, "phone": person.phone, "address": person.address, "id_number": ""}
    if person.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_edits_a_person_through_the_service(admin_client, street):
    worker = street.worker_a
    response = admin_client.post(reverse("admin:orgs_person_change", args=[worker.pk]),
                                 person_form(worker, name="刘新名", phone="13912345678", address="东门路1号"))
    assert response.status_code == 302, response.content.decode()[:2000]
    worker.refresh_from_db()
    assert (worker.name, worker.phone, worker.address) == ("刘新名", "13912345678", "东门路1号")
    record = AuditRecord.objects.get(action="person.update", object_id=str(worker.pk))
    assert record.before["name"] == "刘网格" and record.after["name"] == "刘新名"


def test_admin_edit_with_a_bad_phone_shows_the_reason_on_the_form(admin_client, street):
    response = admin_client.post(reverse("admin:orgs_person_change", args=[street.worker_a.pk]),
                                 person_form(street.worker_a, phone="12345"))
    assert response.status_code == 200
    assert "12345" in str(response.context["adminform"].form.non_field_errors())


def test_deactivating_a_person_in_the_admin_ends_tokens_sessions_and_logins(admin_client, street):
    worker = street.worker_a
    _token, secret = services.api_token_create(actor=worker, label="phone")
    browser = logged_in(worker.user)
    assert api_me(secret) == 200

    form = person_form(worker)
    del form["is_active"]
    response = admin_client.post(reverse("admin:orgs_person_change", args=[worker.pk]), form)
    assert response.status_code == 302
    worker.refresh_from_db()
    assert not worker.is_active

    assert not ApiToken.objects.filter(person=worker).exists()
    assert api_me(secret) == 401
    assert browser.get(reverse("home"))["Location"].startswith(reverse("login"))  # the session is over
    assert Client().post(reverse("login"), {"username": "worker_a", "password": PASSWORD}).status_code == 200
    token = Client().post("/api/v1/auth/token", {"username": "worker_a", "password": PASSWORD},
                          content_type="application/json")
    assert token.status_code == 401
    assert AuditRecord.objects.filter(action="api_token.revoke", object_id=str(worker.pk),
                                      reason="deactivated").exists()


def test_switching_off_a_login_in_the_admin_ends_its_tokens_and_sessions(admin_client, street):
    user = street.worker_a.user
    _token, secret = services.api_token_create(actor=street.worker_a)
    browser = logged_in(user)
    joined = timezone.localtime(user.date_joined)
    response = admin_client.post(reverse("admin:auth_user_change", args=[user.pk]), {
        "username": user.username, "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),  # is_active left unticked
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active
    assert not ApiToken.objects.filter(person=street.worker_a).exists()
    assert api_me(secret) == 401
    assert browser.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_deactivating_through_the_service_deletes_tokens_and_reactivating_lets_the_person_in(street):
    cadre, worker = street.community_cadre, street.worker_a
    services.api_token_create(actor=worker)
    services.person_update(actor=cadre, person=worker, is_active=False)
    assert not ApiToken.objects.filter(person=worker).exists()
    services.person_update(actor=cadre, person=worker, is_active=True)
    response = Client().post(reverse("login"), {"username": "worker_a", "password": PASSWORD})
    assert response.status_code == 302


def test_saving_a_login_without_touching_is_active_keeps_the_tokens(street):
    user = street.worker_a.user
    services.api_token_create(actor=street.worker_a)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert ApiToken.objects.filter(person=street.worker_a).count() == 1
