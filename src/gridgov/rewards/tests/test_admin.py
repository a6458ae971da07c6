"""Rewards in the admin: writes go through the services (checked, audited), redemptions and codes are read-only."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.orgs.models import Role, RoleAssignment
from gridgov.orgs.permissions import SYSTEM
from gridgov.rewards import services
from gridgov.rewards.models import CatalogueItem, Merchant, MerchantStaff, Redemption, RedemptionToken

REWARDS_MODELS = [model for model in admin.site._registry if model._meta.app_label == "rewards"]


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pass-for-tests-1")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def redeemed(shop):
    issued = services.token_issue(person=shop.member)
    return services.redeem(actor=shop.clerk, token_string=issued.token, item=shop.soap, idempotency_key="admin-1")


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_rewards_model_is_registered():
    assert set(apps.get_app_config("rewards").get_models()) == set(REWARDS_MODELS)
    assert {Merchant, CatalogueItem, MerchantStaff, Redemption, RedemptionToken} == set(REWARDS_MODELS)


def test_every_rewards_changelist_and_view_page_loads_for_a_superuser(admin_client, redeemed):
    services.token_issue(person=redeemed.member)  # a live, unused code too
    for model in REWARDS_MODELS:
        assert admin_client.get(url(model, "changelist")).status_code == 200, model
        assert admin_client.get(url(model, "changelist"), {"q": "东门"}).status_code == 200, model
        first = model._default_manager.first()
        assert first is not None, model
        assert admin_client.get(url(model, "change", first.pk)).status_code == 200, model


def test_a_merchant_added_in_the_admin_is_created_by_the_service_and_audited(admin_client, street):
    response = admin_client.post(url(Merchant, "add"), {"name": "白岩小卖部", "node": street.village.pk})
    assert response.status_code == 302
    merchant = Merchant.objects.get(name="白岩小卖部")
    assert merchant.account is not None and merchant.account.owner_key == f"merchant:{merchant.pk}"
    record = AuditRecord.objects.get(action="merchant.create", object_id=str(merchant.pk))
    assert record.actor_name == SYSTEM.name


def test_a_duplicate_merchant_in_the_admin_is_refused_on_the_form(admin_client, shop):
    response = admin_client.post(url(Merchant, "add"), {"name": shop.merchant.name, "node": shop.street.community.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Merchant.objects.filter(name=shop.merchant.name).count() == 1


def test_an_admin_user_acts_as_their_person_and_is_refused_outside_their_area(client, street):
    user = street.village_cadre.user
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    response = client.post(url(Merchant, "add"), {"name": "越权商店", "node": street.community.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not Merchant.objects.filter(name="越权商店").exists()
    assert AuditRecord.objects.filter(actor_id=street.village_cadre.pk, action="rewards.manage",
                                      outcome="denied").exists()


def test_staff_user_without_a_person_cannot_write(client, street):
    user = get_user_model().objects.create_user("helper", password="pass-for-tests-1", is_staff=True,
                                                is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="rewards"))
    client.force_login(user)
    response = client.post(url(Merchant, "add"), {"name": "无主商店", "node": street.community.pk})
    assert response.status_code == 200 and response.context["adminform"].form.non_field_errors()
    assert not Merchant.objects.filter(name="无主商店").exists()


def test_pausing_a_merchant_and_repricing_an_item_in_the_admin_are_audited(admin_client, shop):
    response = admin_client.post(url(Merchant, "change", shop.merchant.pk), {})  # the box unticked
    assert response.status_code == 302
    shop.merchant.refresh_from_db()
    assert shop.merchant.is_active is False
    assert AuditRecord.objects.filter(action="merchant.update", object_id=str(shop.merchant.pk)).exists()
    response = admin_client.post(url(CatalogueItem, "change", shop.soap.pk), {
        "name": shop.soap.name, "kind": shop.soap.kind, "points": 45, "description": "", "stock": 2,
        "is_active": "on",
    })
    assert response.status_code == 302
    shop.soap.refresh_from_db()
    assert (shop.soap.points, shop.soap.stock) == (45, 2)
    record = AuditRecord.objects.filter(action="merchant.item_update", object_id=str(shop.soap.pk)).latest("pk")
    assert record.before["points"] == 30 and record.after["points"] == 45


def test_an_item_with_a_zero_price_is_refused_on_the_form(admin_client, shop):
    response = admin_client.post(url(CatalogueItem, "add"), {"merchant": shop.merchant.pk, "name": "白送",
                                                              "kind": "goods", "points": 0, "description": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert not CatalogueItem.objects.filter(name="白送").exists()


def test_staff_added_and_removed_in_the_admin_go_through_the_services(admin_client, shop):
    worker = shop.street.worker_b
    response = admin_client.post(url(MerchantStaff, "add"), {"merchant": shop.merchant.pk, "person": worker.pk})
    assert response.status_code == 302
    link = MerchantStaff.objects.get(merchant=shop.merchant, person=worker)
    assert RoleAssignment.objects.filter(person=worker, role=Role.MERCHANT_STAFF).exists()
    response = admin_client.post(url(MerchantStaff, "delete", link.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not MerchantStaff.objects.filter(pk=link.pk).exists()
    assert AuditRecord.objects.filter(action="merchant.staff_add", object_id=str(shop.merchant.pk)).exists()
    assert AuditRecord.objects.filter(action="merchant.staff_remove", object_id=str(shop.merchant.pk)).exists()


def test_merchants_and_items_cannot_be_deleted_and_redemptions_and_codes_cannot_be_written(
        admin_client, superuser, redeemed):
    request = RequestFactory().get("/")
    request.user = superuser
    token = redeemed.token
    assert admin_client.post(url(Merchant, "delete", redeemed.merchant_id), {"post": "yes"}).status_code == 403
    assert admin_client.post(url(CatalogueItem, "delete", redeemed.item_id), {"post": "yes"}).status_code == 403
    for model, row in [(Redemption, redeemed), (RedemptionToken, token)]:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, row)
        assert not model_admin.has_delete_permission(request, row)
        assert admin_client.get(url(model, "add")).status_code == 403
        assert admin_client.post(url(model, "change", row.pk), {"points": 1}).status_code == 403
        assert admin_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    redeemed.refresh_from_db()
    assert redeemed.points == 30


def test_a_live_code_is_never_shown_whole_and_an_expired_one_is(admin_client, shop):
    live = services.token_issue(person=shop.member)
    expired = services.token_issue(person=shop.member)
    RedemptionToken.objects.filter(code=expired.code).update(expires_at=timezone.now() - timedelta(minutes=1))
    listing = admin_client.get(url(RedemptionToken, "changelist")).content.decode()
    assert live.code not in listing and live.code[:2] in listing
    assert expired.code in listing
    row = RedemptionToken.objects.get(code=live.code)
    page = admin_client.get(url(RedemptionToken, "change", row.pk)).content.decode()
    assert live.code not in page and row.nonce not in page
    assert admin_client.get(url(RedemptionToken, "changelist"), {"q": live.code}).context["cl"].result_count == 1
