"""The coverage tallies follow every write of households and links (services, bulk writes, plain updates),
the coverage report reads them, and a village ranking read page by page equals the whole ranking."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gridgov.households import ranking, selectors, services, tallies
from gridgov.households.models import Household, Inspection, Link, LinkKind, NodeTally
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.concurrency import race, skip_unless_postgres
from gridgov.testing.factories import person

pytestmark = pytest.mark.django_db


def served(node) -> tuple[int, int]:
    report = selectors.coverage(node=node)
    return report.households, report.linked


def test_two_members_serving_one_household_count_it_once_until_both_are_unlinked(street, village):
    first = services.link_create(actor=SYSTEM, household=village.home, member=village.party_member,
                                 kind=LinkKind.PARTY_MEMBER)
    assert served(street.micro_a1) == (2, 1)
    second = services.link_create(actor=SYSTEM, household=village.home, member=street.worker_a,
                                  kind=LinkKind.GRID_WORKER)
    assert served(street.micro_a1) == (2, 1) and served(street.street) == (3, 1)
    services.link_end(actor=SYSTEM, link=first)
    assert served(street.micro_a1) == (2, 1)
    services.link_end(actor=SYSTEM, link=second)
    assert served(street.micro_a1) == (2, 0)
    assert tallies.disagreements() == []


def test_member_loads_come_from_the_tallies(street, village):
    for household in (village.home, village.next_door):
        services.link_create(actor=SYSTEM, household=household, member=village.party_member,
                             kind=LinkKind.PARTY_MEMBER)
    loads = {(load.person_id, load.kind): load.households for load in selectors.coverage(node=street.street).members}
    assert loads == {(village.party_member.pk, LinkKind.PARTY_MEMBER): 2}
    assert selectors.coverage(node=street.micro_b1).members == []


def test_bulk_writes_moves_and_deletes_keep_the_tallies(street, village):
    services.link_create(actor=SYSTEM, household=village.home, member=village.party_member,
                         kind=LinkKind.PARTY_MEMBER)
    Household.objects.bulk_create([Household(code=f"H-B1-{n}", node=street.micro_b1, house_number=f"{n}号")
                                   for n in range(10, 15)])
    assert served(street.micro_b1) == (6, 0)
    Household.objects.filter(pk=village.home.pk).update(node=street.micro_b1)  # a household moved, served
    assert served(street.micro_b1) == (7, 1) and served(street.micro_a1) == (1, 0)
    Link.objects.filter(household=village.home).update(ended_at=village.home.created_at)
    assert served(street.micro_b1) == (7, 0)
    Household.objects.filter(code__startswith="H-B1-1").delete()
    assert served(street.micro_b1) == (2, 0)
    assert tallies.disagreements() == []


def test_the_coverage_sample_lists_unserved_households_in_tree_order(street, village):
    services.link_create(actor=SYSTEM, household=village.home, member=village.party_member,
                         kind=LinkKind.PARTY_MEMBER)
    report = selectors.coverage(node=street.street, sample=5)
    assert [household.code for household in report.unlinked_sample] == ["H-A1-02", "H-B1-01"]
    assert [household.code for household in selectors.coverage(node=street.street, sample=1).unlinked_sample] == [
        "H-A1-02"]
    children = {row["node"].code: (row["households"], row["linked"]) for row in
                selectors.coverage_children(street.street)}
    assert sum(households for households, _linked in children.values()) == 3
    assert sum(linked for _households, linked in children.values()) == 1


def test_a_wrong_tally_is_reported_and_rebuilt(street, village):
    NodeTally.objects.filter(node=street.micro_a1).update(households=40)
    assert tallies.disagreements() == [f"node {street.micro_a1.pk}: kept (40, 0), counted (2, 0)"]
    with pytest.raises(CommandError, match="1"):
        call_command("households", "tallies")
    call_command("households", "tallies", "--rebuild")
    assert tallies.disagreements() == [] and served(street.micro_a1) == (2, 0)


def test_a_ranking_read_page_by_page_is_the_whole_ranking(street, village):
    month = date(2026, 11, 1)
    extra = Household.objects.bulk_create([Household(code=f"H-A1-{n}", node=street.micro_a1, house_number=f"{n}号")
                                           for n in range(10, 22)])
    households = [village.home, village.next_door, village.across, *extra]
    Inspection.objects.bulk_create([
        Inspection(household=household, month=month, scores={}, total=[90, 80, 80, 80, 70][index % 5],
                   inspector=street.worker_a, node=household.node, inspected_at=household.created_at)
        for index, household in enumerate(households)])
    whole = ranking.ranking(node=street.street, month=month)
    assert [row.rank for row in whole] == [1] * 3 + [4] * 9 + [13] * 3
    pages = ranking.RankingPage(node=street.street, month=month)
    read = [row for start in range(0, len(whole), 4) for row in pages[start:start + 4]]
    assert [(row.rank, row.household_id) for row in read] == [(row.rank, row.household_id) for row in whole]
    assert pages.count() == len(whole) == 15
    red, black = ranking.red_and_black(node=street.street, month=month)
    board = ranking.board_of(street.street)
    assert [row.household_id for row in red] == [row.household_id for row in whole[:board.red_count]]
    expected = [row for row in reversed(whole) if row.total < board.black_below
                and row.household_id not in {r.household_id for r in red}][:board.black_count]
    assert [(row.rank, row.household_id) for row in black] == [(row.rank, row.household_id) for row in expected]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_members_linked_to_one_household_at_once_count_it_once(street, village):
    skip_unless_postgres()
    members = [person(f"党员{i}", node=street.micro_a2, role=Role.RESIDENT) for i in range(8)]
    results = race(8, lambda index: services.link_create(actor=SYSTEM, household=village.home,
                                                         member=members[index], kind=LinkKind.PARTY_MEMBER))
    assert all(isinstance(result, Link) for result in results)
    assert served(street.micro_a1) == (2, 1)
    assert len(selectors.coverage(node=street.street).members) == 8
    assert tallies.disagreements() == []
    assert connection.vendor == "postgresql"


def test_a_bulk_load_with_the_triggers_suspended_is_counted_once_at_the_end(street, village):
    with tallies.suspended():
        Household.objects.bulk_create([Household(code=f"H-B1-{n}", node=street.micro_b1, house_number=f"{n}号")
                                       for n in range(10, 40)])
        assert served(street.micro_b1) == (1, 0)  # not counted while loading
    assert served(street.micro_b1) == (31, 0) and tallies.disagreements() == []
    services.link_create(actor=SYSTEM, household=village.across, member=street.worker_b, kind=LinkKind.GRID_WORKER)
    assert served(street.micro_b1) == (31, 1)  # the triggers are back
