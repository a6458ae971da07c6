from datetime import date

import pytest

from gridgov.households import services
from gridgov.households.models import Relation
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.factories import person

MOVED_IN = date(2020, 5, 1)


class Village:
    """Two households in 东门社区's micro-grid A1 (the 周 family and the 钱 family) and one in B1; a party member
    living in grid A who may serve A's households."""

    def __init__(self, street):
        self.street = street
        self.home = services.household_create(actor=SYSTEM, node=street.micro_a1, code="H-A1-01",
                                              house_number="1号", address="育才路1弄1号")
        self.next_door = services.household_create(actor=SYSTEM, node=street.micro_a1, code="H-A1-02",
                                                   house_number="2号", address="育才路1弄2号")
        self.across = services.household_create(actor=SYSTEM, node=street.micro_b1, code="H-B1-01",
                                                house_number="9号", address="人民路9号")
        self.head = street.resident  # 周居民, who can log in
        self.spouse = person("钱配偶", node=street.micro_a1, role=Role.RESIDENT, phone="13900000001")
        self.neighbour = person("孙邻居", node=street.micro_a1, role=Role.RESIDENT, phone="13900000002")
        self.party_member = person("党员甲", node=street.micro_a2, role=Role.RESIDENT, username="party")
        self.stranger = person("外人", node=street.micro_b1, role=Role.RESIDENT, phone="13900000003")
        services.member_move_in(actor=SYSTEM, household=self.home, person=self.head, relation=Relation.HEAD,
                                moved_in=MOVED_IN)
        services.member_move_in(actor=SYSTEM, household=self.home, person=self.spouse, relation=Relation.SPOUSE,
                                moved_in=MOVED_IN)
        services.member_move_in(actor=SYSTEM, household=self.next_door, person=self.neighbour,
                                relation=Relation.HEAD, moved_in=MOVED_IN)


@pytest.fixture
def village(street):
    return Village(street)
