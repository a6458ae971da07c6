"""The ledger in the admin: every table can be read and searched, none can be written."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from gridgov.ledger import services
from gridgov.ledger.models import Account, Budget, Line, Posting
from gridgov.orgs.permissions import SYSTEM

LEDGER_MODELS = [model for model in admin.site._registry if model._meta.app_label == "ledger"]


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pass-for-tests-1")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def grant(street, budget):
    posting = services.grant_points(actor=SYSTEM, person=street.resident, amount=25, reason="清理楼道杂物",
                                    idempotency_key="admin-test-grant", budget_node=street.community)
    services.reverse_posting(actor=SYSTEM, posting=posting, reason="录入错误", idempotency_key="admin-test-reverse")
    return posting


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_ledger_model_is_registered():
    assert set(apps.get_app_config("ledger").get_models()) == set(LEDGER_MODELS)
    assert {Account, Posting, Line, Budget} <= set(LEDGER_MODELS)


def test_every_ledger_changelist_and_view_page_loads_for_a_superuser(admin_client, grant):
    for model in LEDGER_MODELS:
        assert admin_client.get(url(model, "changelist")).status_code == 200, model
        assert admin_client.get(url(model, "changelist"), {"q": "东门"}).status_code == 200, model
        assert admin_client.get(url(model, "changelist"), {"q": "1"}).status_code == 200, model
        first = model._default_manager.first()
        if first is not None:
            assert admin_client.get(url(model, "change", first.pk)).status_code == 200, model


def test_posting_list_shows_sequence_reason_actor_and_points_moved(admin_client, grant):
    response = admin_client.get(url(Posting, "changelist"), {"q": "清理楼道"})
    page = response.content.decode()
    assert "清理楼道杂物" in page and SYSTEM.name in page
    assert [row.pk for row in response.context["cl"].result_list] == [grant.pk]
    assert response.context["cl"].result_list[0].moved_total == 25


def test_posting_page_lists_its_lines_read_only(admin_client, grant):
    page = admin_client.get(url(Posting, "change", grant.pk)).content.decode()
    assert "+25" in page and "-25" in page
    assert 'name="lines-0-amount"' not in page and 'name="lines-0-account"' not in page  # shown, not editable
    assert 'name="_save"' not in page


def test_ledger_admin_offers_no_add_change_or_delete(admin_client, superuser, grant):
    request = RequestFactory().get("/")
    request.user = superuser
    for model in LEDGER_MODELS:
        model_admin = admin.site._registry[model]
        first = model._default_manager.first()
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request, first), model
        assert not model_admin.has_delete_permission(request, first), model
        assert model_admin.get_actions(request) == {}, model
        assert admin_client.get(url(model, "add")).status_code == 403, model
        if first is not None:
            assert admin_client.post(url(model, "change", first.pk), {}).status_code == 403, model
            assert admin_client.post(url(model, "delete", first.pk), {"post": "yes"}).status_code == 403, model


def test_a_forged_change_post_leaves_the_posting_and_budget_as_they_were(admin_client, grant, budget):
    admin_client.post(url(Posting, "change", grant.pk), {"reason": "篡改", "sequence": 999})
    admin_client.post(url(Budget, "change", budget.pk), {"amount": 5})
    admin_client.post(url(Posting, "changelist"), {"action": "delete_selected", "_selected_action": [grant.pk],
                                                   "post": "yes"})
    grant.refresh_from_db()
    budget.refresh_from_db()
    assert grant.reason == "清理楼道杂物" and budget.amount == 1000
    assert Posting.objects.filter(pk=grant.pk).exists()
