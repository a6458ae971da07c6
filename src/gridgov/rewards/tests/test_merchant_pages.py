"""The cadre's merchant pages: register a merchant, its catalogue and its till staff, within the cadre's area."""

import pytest
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.orgs.models import Role, RoleAssignment
from gridgov.rewards import services
from gridgov.rewards.models import CatalogueItem, Merchant, MerchantStaff
from gridgov.testing.factories import person


def log_in(client, someone):
    client.force_login(someone.user)
    return client


@pytest.fixture
def merchant(street):
    return services.merchant_create(actor=street.community_cadre, name="东门惠民超市", node=street.community)


@pytest.fixture
def soap(street, merchant):
    return services.item_create(actor=street.community_cadre, merchant=merchant, name="洗衣皂", points=30, stock=5)


def detail(merchant):
    return reverse("rewards:merchant", args=[merchant.pk])


# Registering a merchant


def test_cadre_registers_a_merchant_in_their_community_and_lands_on_its_page(client, street):
    log_in(client, street.community_cadre)
    form_page = client.get(reverse("rewards:merchant_create"))
    assert form_page.status_code == 200
    assert [node.pk for node in form_page.context["form"].fields["node"].queryset] == [street.community.pk]
    key = form_page.context["form"]["creation_key"].value()
    response = client.post(reverse("rewards:merchant_create"),
                           {"name": " 东门菜场 ", "node": street.community.pk, "creation_key": key})
    merchant = Merchant.objects.get(name="东门菜场")
    assert response.status_code == 302 and response["Location"] == detail(merchant)
    assert merchant.node == street.community and merchant.account is not None
    assert AuditRecord.objects.filter(action="merchant.create", object_id=str(merchant.pk),
                                      actor_id=street.community_cadre.pk).exists()
    assert client.get(detail(merchant)).status_code == 200


def test_double_tap_on_register_creates_one_merchant(client, street):
    log_in(client, street.community_cadre)
    data = {"name": "东门菜场", "node": street.community.pk, "creation_key": "tap-merchant-1"}
    first = client.post(reverse("rewards:merchant_create"), data)
    second = client.post(reverse("rewards:merchant_create"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Merchant.objects.filter(name="东门菜场").count() == 1


def test_street_cadre_may_place_a_merchant_in_any_community_of_the_street(client, street):
    log_in(client, street.street_cadre)
    nodes = client.get(reverse("rewards:merchant_create")).context["form"].fields["node"].queryset
    assert {street.street, street.community, street.village} == set(nodes)


def test_registering_at_a_node_outside_the_area_is_refused_on_the_form(client, street):
    log_in(client, street.village_cadre)
    response = client.post(reverse("rewards:merchant_create"),
                           {"name": "越权商店", "node": street.community.pk, "creation_key": "k-out"})
    assert response.status_code == 400
    assert response.context["form"].errors["node"]
    assert not Merchant.objects.filter(name="越权商店").exists()


def test_a_duplicate_or_empty_name_shows_a_message_not_a_server_error(client, street, merchant):
    log_in(client, street.community_cadre)
    duplicate = client.post(reverse("rewards:merchant_create"),
                            {"name": merchant.name, "node": street.community.pk, "creation_key": "k-dup"})
    assert duplicate.status_code == 400
    assert merchant.name in " ".join(duplicate.context["form"].non_field_errors())
    assert 'data-testid="error"' in duplicate.content.decode()
    empty = client.post(reverse("rewards:merchant_create"), {"name": "  ", "node": street.community.pk,
                                                             "creation_key": "k-empty"})
    assert empty.status_code == 400 and empty.context["form"].errors
    missing_key = client.post(reverse("rewards:merchant_create"), {"name": "无钥匙", "node": "abc"})
    assert missing_key.status_code == 400
    assert Merchant.objects.count() == 1


def test_list_shows_the_merchants_of_the_cadres_area_only(client, street, merchant):
    services.merchant_create(actor=street.village_cadre, name="白岩小卖部", node=street.village)
    village_page = log_in(client, street.village_cadre).get(reverse("rewards:merchants")).content.decode()
    assert "白岩小卖部" in village_page and merchant.name not in village_page
    street_page = log_in(client, street.street_cadre).get(reverse("rewards:merchants")).content.decode()
    assert "白岩小卖部" in street_page and merchant.name in street_page


def test_people_without_a_cadres_role_cannot_open_the_merchant_pages(client, street, merchant):
    log_in(client, street.resident)
    assert client.get(reverse("rewards:merchants")).status_code == 403
    assert client.get(reverse("rewards:merchant_create")).status_code == 403
    assert client.get(detail(merchant)).status_code == 403


def test_community_cadre_sees_the_merchants_menu_entry_and_a_resident_does_not(client, street):
    url = reverse("rewards:merchants")
    assert f'href="{url}"' in log_in(client, street.community_cadre).get("/").content.decode()
    assert f'href="{url}"' not in log_in(client, street.resident).get("/").content.decode()


# Catalogue


def test_cadre_adds_an_item_and_a_double_tap_adds_it_once(client, street, merchant):
    log_in(client, street.community_cadre)
    key = client.get(detail(merchant)).context["item_form"]["creation_key"].value()
    data = {"name": "九折优惠", "kind": "discount", "points": "50", "stock": "", "description": "凭积分享受9折",
            "creation_key": key}
    first = client.post(reverse("rewards:item_create", args=[merchant.pk]), data)
    second = client.post(reverse("rewards:item_create", args=[merchant.pk]), data)
    assert first.status_code == second.status_code == 302
    item = CatalogueItem.objects.get(merchant=merchant)
    assert (item.name, item.kind, item.points, item.stock) == ("九折优惠", "discount", 50, None)
    assert AuditRecord.objects.filter(action="merchant.item_create", object_id=str(item.pk)).count() == 1
    assert "九折优惠" in client.get(detail(merchant)).content.decode()


def test_cadre_changes_price_stock_and_takes_an_item_off_offer(client, street, merchant, soap):
    log_in(client, street.community_cadre)
    response = client.post(reverse("rewards:item_update", args=[merchant.pk, soap.pk]),
                           {"points": "40", "stock": ""})
    assert response.status_code == 302
    soap.refresh_from_db()
    assert (soap.points, soap.stock, soap.is_active) == (40, None, False)
    record = AuditRecord.objects.filter(action="merchant.item_update", object_id=str(soap.pk)).latest("pk")
    assert record.before["points"] == 30 and record.after["points"] == 40


@pytest.mark.parametrize("points,stock", [("0", "3"), ("abc", ""), ("", ""), ("10", "-1"), ("99999999999", "")])
def test_bad_price_or_stock_shows_a_message_not_a_server_error(client, street, merchant, soap, points, stock):
    log_in(client, street.community_cadre)
    update = client.post(reverse("rewards:item_update", args=[merchant.pk, soap.pk]),
                         {"points": points, "stock": stock, "is_active": "on"})
    assert update.status_code == 400
    assert 'data-testid="error"' in update.content.decode()
    soap.refresh_from_db()
    assert (soap.points, soap.stock) == (30, 5)
    create = client.post(reverse("rewards:item_create", args=[merchant.pk]),
                         {"name": "坏价格", "kind": "goods", "points": points, "stock": stock, "creation_key": "k"})
    assert create.status_code == 400
    assert create.context["item_form"].errors
    assert not CatalogueItem.objects.filter(name="坏价格").exists()


def test_an_item_of_another_merchant_cannot_be_edited_through_this_one(client, street, merchant, soap):
    other = services.merchant_create(actor=street.community_cadre, name="东门药店", node=street.community)
    log_in(client, street.community_cadre)
    response = client.post(reverse("rewards:item_update", args=[other.pk, soap.pk]), {"points": "1"})
    assert response.status_code == 404


# Staff


def test_cadre_finds_a_person_by_name_and_adds_them_to_the_till(client, street, merchant):
    log_in(client, street.community_cadre)
    page = client.get(detail(merchant), {"q": "刘网"})
    assert [candidate.pk for candidate in page.context["candidates"]] == [street.worker_a.pk]
    response = client.post(reverse("rewards:staff_add", args=[merchant.pk]), {"person": street.worker_a.pk})
    assert response.status_code == 302
    assert MerchantStaff.objects.filter(merchant=merchant, person=street.worker_a).exists()
    assert RoleAssignment.objects.filter(person=street.worker_a, role=Role.MERCHANT_STAFF,
                                         node=street.community).exists()
    assert AuditRecord.objects.filter(action="merchant.staff_add", object_id=str(merchant.pk)).exists()


def test_staff_search_offers_people_holding_the_merchant_staff_role_by_default(client, street, merchant):
    clerk = person("钱店员", node=street.grid_a, role=Role.MERCHANT_STAFF)
    log_in(client, street.community_cadre)
    candidates = client.get(detail(merchant)).context["candidates"]
    assert candidates == [clerk]
    client.post(reverse("rewards:staff_add", args=[merchant.pk]), {"person": clerk.pk})
    assert client.get(detail(merchant)).context["candidates"] == []  # already linked


def test_a_person_outside_the_cadres_area_cannot_be_added_as_staff(client, street, merchant):
    outsider = person("赵外人", node=street.grid_c, role=Role.MERCHANT_STAFF)
    log_in(client, street.community_cadre)
    assert client.get(detail(merchant), {"q": "赵外"}).context["candidates"] == []
    response = client.post(reverse("rewards:staff_add", args=[merchant.pk]), {"person": outsider.pk})
    assert response.status_code == 400
    assert 'data-testid="staff-error"' in response.content.decode()
    bad = client.post(reverse("rewards:staff_add", args=[merchant.pk]), {"person": "not-a-number"})
    assert bad.status_code == 400
    assert not MerchantStaff.objects.filter(merchant=merchant).exists()


def test_cadre_removes_staff_and_the_removal_is_audited(client, street, merchant):
    link = services.staff_add(actor=street.community_cadre, merchant=merchant, person=street.worker_b)
    log_in(client, street.community_cadre)
    response = client.post(reverse("rewards:staff_remove", args=[merchant.pk, link.pk]))
    assert response.status_code == 302
    assert not MerchantStaff.objects.filter(pk=link.pk).exists()
    record = AuditRecord.objects.get(action="merchant.staff_remove", object_id=str(merchant.pk))
    assert record.before == {"person_id": street.worker_b.pk}


def test_cadre_pauses_a_merchant_and_opens_it_again(client, street, merchant):
    log_in(client, street.community_cadre)
    client.post(reverse("rewards:merchant_active", args=[merchant.pk]), {"is_active": "0"})
    merchant.refresh_from_db()
    assert merchant.is_active is False
    client.post(reverse("rewards:merchant_active", args=[merchant.pk]), {"is_active": "1"})
    merchant.refresh_from_db()
    assert merchant.is_active is True
    assert AuditRecord.objects.filter(action="merchant.update", object_id=str(merchant.pk)).count() == 2


# Out of scope


def test_cadre_of_another_village_can_neither_open_nor_change_the_merchant(client, street, merchant, soap):
    link = services.staff_add(actor=street.community_cadre, merchant=merchant, person=street.worker_a)
    log_in(client, street.village_cadre)
    assert client.get(detail(merchant)).status_code == 403
    attempts = [
        (reverse("rewards:item_create", args=[merchant.pk]),
         {"name": "越权", "kind": "goods", "points": "1", "creation_key": "k-x"}),
        (reverse("rewards:item_update", args=[merchant.pk, soap.pk]), {"points": "1", "is_active": "on"}),
        (reverse("rewards:staff_add", args=[merchant.pk]), {"person": street.worker_b.pk}),
        (reverse("rewards:staff_remove", args=[merchant.pk, link.pk]), {}),
        (reverse("rewards:merchant_active", args=[merchant.pk]), {"is_active": "0"}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 403, url
    soap.refresh_from_db()
    merchant.refresh_from_db()
    assert soap.points == 30 and merchant.is_active
    assert list(MerchantStaff.objects.filter(merchant=merchant)) == [link]
    assert not CatalogueItem.objects.filter(name="越权").exists()


def test_merchant_pages_only_take_posts_for_writes(client, street, merchant):
    log_in(client, street.community_cadre)
    assert client.get(reverse("rewards:item_create", args=[merchant.pk])).status_code == 405
