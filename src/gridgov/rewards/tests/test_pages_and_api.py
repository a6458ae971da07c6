"""The till pages, settlements and the JSON API of the rewards app."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gridgov.orgs.services import api_token_create
from gridgov.rewards import selectors, services
from gridgov.rewards.models import Redemption, RedemptionToken
from gridgov.rewards.tests.conftest import balance, fund


def redeem(shop, item, key):
    return services.redeem(actor=shop.clerk, token_string=services.token_issue(person=shop.member).token, item=item,
                           idempotency_key=key)


def test_settlement_lists_the_months_redemptions_with_totals(shop):
    fund(shop.member, 100)
    redeem(shop, shop.soap, "s1")
    redeem(shop, shop.soap, "s2")
    redeem(shop, shop.discount, "s3")
    result = selectors.settlement(merchant=shop.merchant, period=None)
    assert result.count == 3 and result.points == 30 + 30 + 50
    assert {(line.item_name, line.count, line.points) for line in result.lines} == {("洗衣皂", 2, 60), ("九折优惠", 1, 50)}
    assert result.points == balance(shop.merchant.account)
    last_year = selectors.settlement(merchant=shop.merchant, period=f"{timezone.localdate().year - 1}-01")
    assert last_year.count == 0 and last_year.points == 0


def test_settlement_page_and_xlsx_for_the_merchants_staff(shop, client):
    redeem(shop, shop.discount, "x1")
    client.force_login(shop.clerk.user)
    page = client.get(f"/rewards/merchants/{shop.merchant.pk}/settlement/")
    assert page.status_code == 200 and "九折优惠" in page.content.decode()
    download = client.get(f"/rewards/merchants/{shop.merchant.pk}/settlement/", {"format": "xlsx"})
    sheet = load_workbook(BytesIO(download.content)).active
    values = [value for row in sheet.iter_rows(values_only=True) for value in row]
    assert "九折优惠" in values and 50 in values
    assert client.get(f"/rewards/merchants/{shop.merchant.pk}/settlement/", {"period": "2026-13"}).status_code == 400


def test_settlement_is_closed_to_other_people(shop, client):
    client.force_login(shop.member.user)
    assert client.get(f"/rewards/merchants/{shop.merchant.pk}/settlement/").status_code == 403


def test_my_code_page_shows_a_qr_code_and_a_typeable_code(shop, client):
    client.force_login(shop.member.user)
    page = client.get("/rewards/my-code/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'data-testid="fallback-code"' in body
    assert shop.member.name not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_reloading_my_code_shows_the_same_code_until_it_is_used_or_nearly_lapses(shop, client):
    client.force_login(shop.member.user)
    for _reload in range(3):
        assert client.get("/rewards/my-code/").status_code == 200
        assert client.get("/rewards/my-code/card/").status_code == 200
    shown = RedemptionToken.objects.get(person=shop.member)  # one row, however often the page is opened
    assert f"{shown.code[:4]}-{shown.code[4:]}" in client.get("/rewards/my-code/").content.decode()
    RedemptionToken.objects.filter(pk=shown.pk).update(used_at=timezone.now())
    client.get("/rewards/my-code/")
    fresh = RedemptionToken.objects.filter(person=shop.member, used_at__isnull=True).get()
    RedemptionToken.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() + timedelta(seconds=30))
    client.get("/rewards/my-code/")
    assert RedemptionToken.objects.filter(person=shop.member).count() == 3  # less than a minute left: a new one
    assert services.token_issue(person=shop.member).code != services.token_issue(person=shop.member).code


def test_till_flow_on_pages_posts_once_for_a_double_tap(shop, client):
    code = services.token_issue(person=shop.member).code
    client.force_login(shop.clerk.user)
    checked = client.post("/rewards/till/", {"token": code.lower(), "merchant": shop.merchant.pk})
    body = checked.content.decode()
    assert checked.status_code == 200 and "周**" in body and "100" in body
    key = body.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    form = {"token": code, "merchant": shop.merchant.pk, "idempotency_key": key, "item": shop.soap.pk}
    first = client.post("/rewards/till/confirm/", form)
    second = client.post("/rewards/till/confirm/", form)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Redemption.objects.count() == 1 and balance(shop.member) == 70
    receipt = client.get(first["Location"])
    assert "洗衣皂" in receipt.content.decode()


def test_till_shows_the_reason_for_a_bad_code(shop, client):
    client.force_login(shop.clerk.user)
    page = client.post("/rewards/till/", {"token": "ZZZZ-ZZZZ", "merchant": shop.merchant.pk})
    assert page.status_code == 404 and 'data-testid="error"' in page.content.decode()


def test_till_is_closed_to_non_staff(shop, client):
    client.force_login(shop.member.user)
    assert client.get("/rewards/till/").status_code == 403


def bearer(person) -> Client:
    _token, secret = api_token_create(actor=person, label="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_api_redeem_flow_and_stable_error_codes(shop):
    member, clerk = bearer(shop.member), bearer(shop.clerk)
    issued = member.post("/api/v1/rewards/my-token", content_type="application/json")
    assert issued.status_code == 200
    token = issued.json()["token"]
    seen = clerk.post("/api/v1/rewards/tokens/inspect", {"token": token}, content_type="application/json")
    assert seen.status_code == 200 and seen.json()["member_masked"] == "周**" and seen.json()["balance"] == 100
    body = {"token": token, "item_id": shop.soap.pk, "idempotency_key": "api-1"}
    done = clerk.post("/api/v1/rewards/redemptions", body, content_type="application/json")
    assert done.status_code == 201 and done.json()["points"] == 30
    again = clerk.post("/api/v1/rewards/redemptions", body, content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == done.json()["id"]
    replay = clerk.post("/api/v1/rewards/redemptions", {**body, "idempotency_key": "api-2"},
                        content_type="application/json")
    assert replay.status_code == 409 and replay.json()["code"] == "token_used"
    forged = clerk.post("/api/v1/rewards/tokens/inspect", {"token": token[:-2] + "xx"}, content_type="application/json")
    assert forged.status_code == 400 and forged.json()["code"] == "token_invalid"
    mine = member.get("/api/v1/rewards/my/redemptions").json()["items"]
    assert [row["item_name"] for row in mine] == ["洗衣皂"]
    catalogue = member.get(f"/api/v1/rewards/merchants/{shop.merchant.pk}/catalogue").json()["items"]
    assert {row["name"] for row in catalogue} == {"洗衣皂", "九折优惠"}
    settlement = clerk.get(f"/api/v1/rewards/merchants/{shop.merchant.pk}/settlement").json()
    assert settlement["count"] == 1 and settlement["points"] == 30
    bad_period = clerk.get(f"/api/v1/rewards/merchants/{shop.merchant.pk}/settlement?period=May")
    assert bad_period.status_code == 400 and bad_period.json()["code"] == "invalid_period"
    assert member.get(f"/api/v1/rewards/merchants/{shop.merchant.pk}/settlement").status_code == 403


def test_api_refuses_a_member_buying_beyond_their_points(shop):
    clerk = bearer(shop.clerk)
    expensive = services.item_create(actor=shop.street.community_cadre, merchant=shop.merchant, name="电风扇",
                                      points=1000)
    token = services.token_issue(person=shop.member).token
    refused = clerk.post("/api/v1/rewards/redemptions", {"token": token, "item_id": expensive.pk,
                                                          "idempotency_key": "fan"}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_points"
    assert balance(shop.member) == 100


def test_api_dividend_table(shop):
    cadre = bearer(shop.street.community_cadre)
    year = timezone.localdate().year
    table = cadre.get("/api/v1/rewards/dividend", {"node": shop.street.community.code, "year": year,
                                                   "amount": "99.99", "unit": "person"})
    assert table.status_code == 200
    assert sum(float(row["share"]) for row in table.json()["rows"]) == pytest.approx(99.99)
    assert table.json()["total_share"] in ("99.99", 99.99)
    bad = cadre.get("/api/v1/rewards/dividend", {"node": shop.street.community.code, "year": year, "amount": "1.005"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_amount"
    worker = bearer(shop.street.worker_a)
    assert worker.get("/api/v1/rewards/dividend", {"node": shop.street.community.code, "year": year,
                                                   "amount": "10"}).status_code == 403


def test_settlement_xlsx_keeps_formula_like_names_as_text(shop, client):
    from gridgov.testing.spreadsheets import HOSTILE_TEXT, formula_cells, texts

    shop.discount.name = HOSTILE_TEXT
    shop.discount.save(update_fields=["name"])
    redeem(shop, shop.discount, "x-hostile")
    client.force_login(shop.clerk.user)
    download = client.get(f"/rewards/merchants/{shop.merchant.pk}/settlement/", {"format": "xlsx"})
    assert formula_cells(download.content) == []
    assert HOSTILE_TEXT in texts(download.content)
