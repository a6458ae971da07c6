"""The 善治宝 dividend: shares pro rata to points earned, exact to the cent by the largest remainder."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from gridgov.orgs import services as org_services
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.rewards import services
from gridgov.rewards.dividend import allocate, dividend_table, parse_amount
from gridgov.rewards.errors import RewardsRefusal
from gridgov.rewards.tests.conftest import fund

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2)


@given(amount=amounts, weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60)
       .filter(lambda weights: sum(weights) > 0))
def test_shares_sum_exactly_and_each_is_within_a_cent_of_pro_rata(amount, weights):
    shares = allocate(amount, weights)
    assert sum(shares) == amount
    total = sum(weights)
    for weight, share in zip(weights, shares, strict=True):
        exact = Fraction(amount) * weight / total
        assert abs(Fraction(share) - exact) < Fraction(1, 100)
        assert share == share.quantize(Decimal("0.01")) and share >= 0
        if weight == 0:
            assert share == 0


def test_three_equal_people_split_a_hundred_yuan_as_33_34_33_33():
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


@pytest.mark.parametrize("text", ["0", "-5", "1.234", "abc", "NaN", "Infinity", "", "1e12"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(RewardsRefusal) as refused:
        parse_amount(text)
    assert refused.value.code == "invalid_amount"


def villager(name, street, address):
    return org_services.person_create(actor=SYSTEM, name=name, node=street.grid_c, role=Role.RESIDENT,
                                      address=address)


@pytest.fixture
def village(street):
    people = {
        "a": villager("黄一", street, "白岩村1号"),
        "b": villager("黄二", street, " 白岩村1号 "),
        "c": villager("陈三", street, "白岩村2号"),
        "d": villager("林四", street, ""),
    }
    fund(people["a"], 100)
    fund(people["b"], 200)
    fund(people["c"], 300)
    return street, people


def test_per_person_table_shares_by_points_earned(village):
    street, people = village
    table = dividend_table(node=street.village, year=timezone.localdate().year, amount="1000.00", unit="person")
    shares = {row.label: row.share for row in table.rows}
    assert shares["黄一"] == Decimal("166.67") and shares["黄二"] == Decimal("333.33")
    assert shares["陈三"] == Decimal("500.00") and shares["林四"] == Decimal("0.00")
    assert table.total_share == Decimal("1000.00") and table.total_points == 600


def test_households_group_people_sharing_an_address(village):
    street, people = village
    table = dividend_table(node=street.village, year=timezone.localdate().year, amount="1000", unit="household")
    rows = {row.label: row for row in table.rows}
    assert rows["白岩村1号"].members == ["黄一", "黄二"] and rows["白岩村1号"].points == 300
    assert rows["白岩村1号"].share == Decimal("500.00") and rows["白岩村2号"].share == Decimal("500.00")
    assert rows["林四"].points == 0  # no address: a household of one
    assert table.total_share == Decimal("1000.00")


def test_redemptions_do_not_reduce_points_earned(village):
    street, people = village
    merchant = services.merchant_create(actor=street.village_cadre, name="白岩小卖部", node=street.village)
    clerk = org_services.person_create(actor=SYSTEM, name="何店员", node=street.village, role=Role.MERCHANT_STAFF)
    services.staff_add(actor=street.village_cadre, merchant=merchant, person=clerk)
    item = services.item_create(actor=street.village_cadre, merchant=merchant, name="酱油", points=250)
    services.redeem(actor=clerk, token_string=services.token_issue(person=people["c"]).token, item=item,
                    idempotency_key="soy")
    table = dividend_table(node=street.village, year=timezone.localdate().year, amount="600", unit="person")
    assert {row.label: row.points for row in table.rows}["陈三"] == 300


def test_a_year_without_points_has_nothing_to_divide(village):
    street, _people = village
    with pytest.raises(RewardsRefusal) as refused:
        dividend_table(node=street.village, year=2001, amount="100", unit="person")
    assert refused.value.code == "no_points"


def test_only_villages_and_communities_pay_dividends(street):
    with pytest.raises(RewardsRefusal) as refused:
        dividend_table(node=street.grid_c, year=2026, amount="100")
    assert refused.value.code == "invalid_node"


def test_dividend_page_shows_the_table_and_the_rule_and_downloads_xlsx(village, client):
    from io import BytesIO

    from openpyxl import load_workbook

    street, _people = village
    client.force_login(street.village_cadre.user)
    query = {"node": street.village.code, "year": timezone.localdate().year, "amount": "1000.00", "unit": "person"}
    page = client.get("/rewards/dividend/", query)
    assert page.status_code == 200
    body = page.content.decode()
    assert "1000.00" in body and "166.67" in body
    assert "largest-remainder" in body or "最大余额" in body
    download = client.get("/rewards/dividend/", {**query, "format": "xlsx"})
    assert download.status_code == 200
    sheet = load_workbook(BytesIO(download.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert any("largest-remainder" in str(value) or "最大余额" in str(value) for value in values)
    rows = [[value for value in row if value is not None] for row in sheet.iter_rows(values_only=True)]
    shares = [row[-1] for row in rows if row and isinstance(row[0], int)]
    assert len(shares) == 5  # four villagers and the village cadre (no points)
    assert sum(Decimal(str(share)) for share in shares) == Decimal("1000.00")


def test_dividend_is_for_cadres_in_scope_only(village, client):
    street, _people = village
    client.force_login(street.community_cadre.user)  # 东门社区's cadre: 白岩村 is not theirs
    page = client.get("/rewards/dividend/", {"node": street.village.code, "year": 2026, "amount": "100",
                                             "unit": "person"})
    assert page.status_code in (400, 403) and "166.67" not in page.content.decode()
    client.force_login(street.resident.user)
    assert client.get("/rewards/dividend/", {"node": street.village.code, "year": 2026, "amount": "100"}
                      ).status_code in (400, 403)


def test_dividend_xlsx_keeps_formula_like_names_as_text(village, client):
    from gridgov.orgs.models import Person
    from gridgov.testing.spreadsheets import HOSTILE_TEXT, formula_cells, texts

    street, people = village
    Person.objects.filter(pk=people["c"].pk).update(name=HOSTILE_TEXT, address="+86 白岩村")
    client.force_login(street.village_cadre.user)
    query = {"node": street.village.code, "year": timezone.localdate().year, "amount": "1000.00", "format": "xlsx"}
    for unit in ["person", "household"]:
        download = client.get("/rewards/dividend/", {**query, "unit": unit})
        assert download.status_code == 200
        assert formula_cells(download.content) == [], unit
        assert {HOSTILE_TEXT, "+86 白岩村"} & texts(download.content), unit
