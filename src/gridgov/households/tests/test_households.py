from datetime import date

import pytest
from django.db import IntegrityError, transaction

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.households import selectors, services
from gridgov.households.models import Household, Membership, Relation
from gridgov.households.tests.conftest import MOVED_IN
from gridgov.orgs.permissions import SYSTEM


def test_a_person_cannot_live_in_two_households_at_once(village):
    with pytest.raises(DomainError) as refused:
        services.member_move_in(actor=village.street.community_cadre, household=village.next_door,
                                person=village.spouse, relation=Relation.SPOUSE, moved_in=MOVED_IN)
    assert refused.value.code == "already_in_household"
    assert not Membership.objects.filter(household=village.next_door, person=village.spouse).exists()


def test_the_database_keeps_one_open_household_per_person(village):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(household=village.next_door, person=village.spouse, relation=Relation.CHILD,
                                  moved_in=MOVED_IN)


def test_a_person_who_moved_out_may_move_in_elsewhere(village):
    cadre = village.street.community_cadre
    services.member_move_out(actor=cadre, household=village.home, person=village.spouse, moved_out=date(2024, 1, 1))
    services.member_move_in(actor=cadre, household=village.next_door, person=village.spouse,
                            relation=Relation.SPOUSE, moved_in=date(2024, 1, 2))
    assert selectors.household_of(village.spouse) == village.next_door
    assert [m.person for m in selectors.former_members(village.home)] == [village.spouse]


def test_a_household_has_one_head_living_in_it(village):
    with pytest.raises(DomainError) as refused:
        services.member_move_in(actor=SYSTEM, household=village.home, person=village.stranger,
                                relation=Relation.HEAD, moved_in=MOVED_IN)
    assert refused.value.code == "head_required"


def test_cadre_cannot_manage_a_household_outside_their_area(village):
    with pytest.raises(DomainError) as refused:
        services.member_move_in(actor=village.street.village_cadre, household=village.next_door,
                                person=village.stranger, relation=Relation.CHILD, moved_in=MOVED_IN)
    assert refused.value.code == "forbidden"
    assert AuditRecord.objects.filter(action="household.manage", outcome="denied").exists()


def test_a_household_lies_in_a_micro_grid(street):
    with pytest.raises(DomainError) as refused:
        services.household_create(actor=SYSTEM, node=street.grid_a, code="X1", house_number="1号")
    assert refused.value.code == "household_node"
    assert not Household.objects.filter(code="X1").exists()


def test_moving_out_before_moving_in_is_refused(village):
    with pytest.raises(DomainError):
        services.member_move_out(actor=SYSTEM, household=village.home, person=village.spouse,
                                 moved_out=date(2019, 1, 1))
    assert selectors.household_of(village.spouse) == village.home


def test_resident_sees_their_own_household_only(village):
    assert selectors.household_for(actor=village.head, pk=village.home.pk) == village.home
    with pytest.raises(DomainError) as refused:
        selectors.household_for(actor=village.head, pk=village.next_door.pk)
    assert refused.value.code == "not_found"
