"""A shop in 东门社区 with one till clerk, two items, and a resident holding points."""

import itertools
from dataclasses import dataclass

import pytest

from gridgov.ledger import services as ledger
from gridgov.ledger.selectors import balance_of
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.rewards import services
from gridgov.rewards.models import ItemKind
from gridgov.testing.factories import person

_keys = itertools.count(1)


def fund(member, points: int) -> None:
    """Give ``member`` points the way the platform does: a grant from the community's budget."""
    from gridgov.rewards.tests.ledger_helpers import grant

    grant(member, points, key=f"test-fund-{next(_keys)}")


def balance(person_or_account) -> int:
    account = person_or_account if hasattr(person_or_account, "owner_key") else ledger.account_for_person(
        person_or_account
    )
    return balance_of(account)


@dataclass
class Shop:
    street: object
    merchant: object
    clerk: object
    soap: object
    discount: object
    member: object


@pytest.fixture
def shop(street):
    merchant = services.merchant_create(actor=street.community_cadre, name="东门惠民超市", node=street.community)
    clerk = person("钱店员", node=street.community, role=Role.MERCHANT_STAFF, username="clerk")
    services.staff_add(actor=street.community_cadre, merchant=merchant, person=clerk)
    soap = services.item_create(actor=street.community_cadre, merchant=merchant, name="洗衣皂", points=30, stock=5)
    discount = services.item_create(
        actor=street.community_cadre, merchant=merchant, name="九折优惠", points=50, kind=ItemKind.DISCOUNT,
        description="凭积分享受9折",
    )
    fund(street.resident, 100)
    return Shop(street=street, merchant=merchant, clerk=clerk, soap=soap, discount=discount, member=street.resident)


@pytest.fixture
def system():
    return SYSTEM
