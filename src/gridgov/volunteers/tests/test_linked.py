"""Eligibility through linked households (联户): a member linked to a household inside a need's place is told
in its first wave (nearest first; one without a location after those with one), may see and claim it even when registered in
another street; an ended link counts for nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.errors import DomainError
from gridgov.households.models import Household, Link, LinkKind
from gridgov.households.selectors import members_linked_under
from gridgov.orgs.models import NodeKind, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.factories import node, person
from gridgov.volunteers import selectors, services, waves
from gridgov.volunteers.models import Told

pytestmark = pytest.mark.django_db


def link(member, household, *, ended=False):
    now = timezone.now()
    return Link.objects.create(household=household, member=member, kind=LinkKind.PARTY_MEMBER, node=household.node,
                               created_at=now - timedelta(days=30), ended_at=now if ended else None)


@pytest.fixture
def elsewhere(street):
    """A party member registered as a volunteer in another street, and one who is not linked."""
    other = node(node(street.district, NodeKind.STREET, "东山街道", "S02"), NodeKind.COMMUNITY, "东山社区", "C02")

    def volunteer(name, username, **fields):
        someone = person(name, node=other, role=Role.RESIDENT, username=username)
        services.volunteer_register(actor=SYSTEM, person=someone, node=other, is_party_member=True, **fields)
        return someone

    return (volunteer("外街党员", "linked_far", latitude="28.15", longitude="119.55"),
            volunteer("外街志愿者", "unlinked_far"))


@pytest.fixture
def households(street):
    return (Household.objects.create(code="H-M01-1", node=street.micro_a1, house_number="1号"),
            Household.objects.create(code="H-M03-1", node=street.micro_b1, house_number="2号"))


def first_wave(need):
    return list(Told.objects.filter(need=need, wave=1).order_by("pk").values_list("person_id", flat=True))


def test_a_member_linked_to_a_household_of_the_place_is_told_in_the_first_wave_after_the_located(
        post, crew, street, elsewhere, households):
    linked_far, unlinked_far = elsewhere
    in_m01, in_m03 = households
    link(linked_far, in_m01)
    link(crew.village, in_m01)  # registered in the village, linked in M01: no location of their own
    link(crew.b1, in_m03)  # linked elsewhere: not this need's place
    link(crew.a2, in_m01, ended=True)  # unlinked: counts for nothing
    need = post(latitude="28.1", longitude="119.5")
    # nearest first by where they registered (the linked member from afar is nearer than 志愿者乙), and the
    # linked member without a location after all who have one
    assert first_wave(need) == [crew.a1.pk, linked_far.pk, crew.a1_far.pk, crew.village.pk]
    assert set(members_linked_under(street.micro_a1)) == {linked_far.pk, crew.village.pk}
    assert unlinked_far.pk not in set(Told.objects.filter(need=need).values_list("person_id", flat=True))


def test_a_linked_member_needs_the_categorys_skill_too(post, crew, street, elsewhere, households):
    linked_far, _unlinked = elsewhere
    link(linked_far, households[0])
    need = post(category=crew.medical)
    assert first_wave(need) == [crew.a1.pk]  # the only one with 医护


def test_a_linked_member_of_another_street_sees_and_claims_the_need_and_others_there_may_not(
        post, crew, street, elsewhere, households):
    linked_far, unlinked_far = elsewhere
    link(linked_far, households[0])
    need = post()
    assert selectors.need_visible(person=linked_far, need=need)
    assert not selectors.need_visible(person=unlinked_far, need=need)
    claim = services.need_claim(actor=linked_far, need=need)
    assert claim.volunteer == linked_far
    with pytest.raises(DomainError) as refused:
        services.need_claim(actor=unlinked_far, need=need)
    assert refused.value.code == "out_of_scope"


def test_the_eligible_at_a_level_come_from_one_query(post, crew, street, elsewhere, households,
                                                     django_assert_num_queries):
    link(elsewhere[0], households[0])
    need = post(now=timezone.now(), starts_at=timezone.now() + timedelta(hours=1))
    Told.objects.filter(need=need).delete()
    with django_assert_num_queries(1):
        found = waves.eligible(need, street.micro_a1)
    assert {row[0] for row in found} == {crew.a1.pk, crew.a1_far.pk, elsewhere[0].pk}


def test_a_linked_member_of_another_street_finds_the_need_on_their_square_and_an_ended_link_does_not(
        post, crew, street, elsewhere, households):
    linked_far, unlinked_far = elsewhere
    link(linked_far, households[0])  # M01, inside the need's place
    link(unlinked_far, households[0], ended=True)
    need = post()
    assert need in selectors.needs_square(person=linked_far)
    assert need not in selectors.needs_square(person=unlinked_far)
    # a need whose place is only M03 does not cover the M01 household
    elsewhere_need = post(actor=street.street_cadre, node=street.micro_b1, title="帮忙修灯")
    assert elsewhere_need not in selectors.needs_square(person=linked_far)
    # a need for the whole street does cover it
    street_need = post(actor=street.street_cadre, node=street.street, title="帮忙搬东西")
    assert street_need in selectors.needs_square(person=linked_far)


def test_the_square_of_a_member_with_many_links_takes_a_bounded_number_of_queries(
        post, crew, street, elsewhere, households, django_assert_max_num_queries):
    linked_far = elsewhere[0]
    for number in range(20):
        link(linked_far, Household.objects.create(code=f"H-M01-x{number}", node=street.micro_a1,
                                                  house_number=f"{number}号"))
    link(linked_far, households[1])
    needs = [post(actor=street.street_cadre, title=f"需求{number}", node=street.micro_a1 if number % 2 else street.micro_b1)
             for number in range(6)]
    with django_assert_max_num_queries(5):
        listed = [(each.pk, each.category.code, each.node.name) for each in selectors.needs_square(person=linked_far)]
    assert {pk for pk, _code, _name in listed} == {each.pk for each in needs}
