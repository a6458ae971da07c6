"""The points pages: my points, ranking, award with a one-time form key, reversal, budgets."""

import re

from gridgov.ledger import selectors, services
from gridgov.ledger.models import Posting


def login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_my_points_shows_balance_and_statement(client, street, budget):
    services.grant_points(actor=street.auditor, person=street.resident, amount=12, reason="垃圾分类",
                          idempotency_key="p", budget_node=street.community)
    page = login(client, "resident").get("/points/")
    assert page.status_code == 200
    assert "垃圾分类" in page.content.decode() and 'data-testid="balance">12<' in page.content.decode()
    assert login(client, "resident").get("/points/?period=bad").status_code == 200


def test_award_form_posts_once_on_double_submit(client, street, budget):
    login(client, "auditor")
    form = client.get(f"/points/award/?budget_node={street.community.code}&person={street.worker_a.pk}")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode()).group(1)
    data = {"idempotency_key": key, "budget_node": street.community.code, "person": street.worker_a.pk,
            "amount": 8, "reason": "协助调解", "memo": ""}
    assert client.post("/points/award/", data).status_code == 302
    assert client.post("/points/award/", data).status_code == 302
    assert Posting.objects.filter(kind="grant").count() == 1
    assert selectors.balance_of(services.account_for_person(street.worker_a)) == 8


def test_award_refusal_is_shown_not_500(client, street, budget):
    login(client, "auditor")
    data = {"idempotency_key": "x", "budget_node": street.community.code, "person": street.worker_a.pk,
            "amount": 99999, "reason": "太多"}
    page = client.post("/points/award/", data)
    assert page.status_code == 200
    assert not Posting.objects.filter(kind="grant").exists()


def test_award_page_names_a_picked_person_only_inside_the_cadres_area(client, street, budget):
    login(client, "community")
    url = f"/points/award/?budget_node={street.community.code}&person="
    inside = client.get(f"{url}{street.worker_a.pk}").content.decode()
    assert "刘网格" in inside and 'class="card award-form"' in inside
    for outsider in [street.village_cadre, street.street_cadre, street.supervisor]:  # another village; above
        page = client.get(f"{url}{outsider.pk}")
        assert page.status_code == 200
        assert outsider.name not in page.content.decode() and 'class="card award-form"' not in page.content.decode()
    assert client.get(f"{url}99999999999999999999999").status_code == 200


def test_worker_cannot_open_award_page(client, street):
    assert login(client, "worker_a").get("/points/award/").status_code == 403


def test_reverse_page_needs_reason_and_reverses(client, street, budget):
    posting = services.grant_points(actor=street.auditor, person=street.resident, amount=12, reason="x",
                                    idempotency_key="p", budget_node=street.community)
    login(client, "community")
    url = f"/points/postings/{posting.sequence}/reverse/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"idempotency_key": "k", "reason": ""}).status_code == 200
    assert client.post(url, {"idempotency_key": "k", "reason": "错发"}).status_code == 302
    assert Posting.objects.filter(reverses=posting).exists()


def test_ranking_page_highlights_me(client, street, budget):
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=12, reason="x",
                          idempotency_key="p", budget_node=street.community)
    page = login(client, "worker_a").get("/points/ranking/")
    assert page.status_code == 200 and 'class="me"' in page.content.decode()


def test_budget_page_sets_a_budget(client, street, period):
    login(client, "street")
    answer = client.post("/points/budgets/", {"node": street.community.code, "period": period, "amount": 300})
    assert answer.status_code == 302
    assert services.Budget.objects.get(node=street.community, period=period).amount == 300
    assert login(client, "worker_a").get("/points/budgets/").status_code == 403


def test_reading_my_points_and_the_ranking_opens_no_account(client, street):
    from gridgov.ledger.models import Account

    login(client, "worker_b")
    assert client.get("/points/").status_code == 200
    assert client.get("/points/ranking/").status_code == 200
    assert not Account.objects.filter(person=street.worker_b).exists()
