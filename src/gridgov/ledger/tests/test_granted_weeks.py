"""The points granted per week (``GrantedWeek``) that the journal keeps equal the grant lines they sum, week by
local week, whatever path wrote them; the cockpit's ``granted_by_week`` reads them, by the weeks' Mondays, in one
query."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.ledger import aggregates, journal, selectors, services
from gridgov.ledger.models import GrantedWeek
from gridgov.orgs import services as orgs_services
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM

SHANGHAI = timezone.get_default_timezone()
# Sunday 29 November 2026, 23:59 in Shanghai (15:59 UTC), and the Monday that follows, 00:01.
SUNDAY_NIGHT = datetime(2026, 11, 29, 23, 59, tzinfo=SHANGHAI)
MONDAY_MORNING = datetime(2026, 11, 30, 0, 1, tzinfo=SHANGHAI)


def weeks_to(monday: date, count: int = 3) -> list[tuple]:
    """The cockpit's weeks: ``count`` local Mondays' midnights up to ``monday``'s, each to the next."""
    starts = [datetime.combine(monday - timedelta(weeks=back), time(), tzinfo=SHANGHAI)
              for back in range(count - 1, -1, -1)]
    return [(start, start + timedelta(days=7)) for start in starts]


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def totals() -> dict:
    return {(row.week, row.path): row.points for row in GrantedWeek.objects.all() if row.points}


def from_lines(node, weeks) -> dict:
    return selectors._granted_by_week_from_lines(node=node, weeks=weeks)


def granted(node, weeks) -> dict:
    """``granted_by_week`` of the Mondays of ``weeks``, keyed by the weeks' starts as ``from_lines``."""
    read = selectors.granted_by_week(node=node, mondays=[start.date() for start, _end in weeks])
    return {start: read[start.date()] for start, _end in weeks}


@pytest.fixture
def funded(street):
    services.budget_set(actor=SYSTEM, node=street.community, period="2026-11", amount=10_000)
    return street


@pytest.mark.django_db
def test_a_grant_on_sunday_night_and_one_on_monday_morning_fall_in_their_local_weeks(funded, monkeypatch):
    street = funded
    at(monkeypatch, SUNDAY_NIGHT)
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=30, reason="巡查",
                          idempotency_key="sunday", budget_node=street.community)
    at(monkeypatch, MONDAY_MORNING)
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=7, reason="巡查",
                          idempotency_key="monday", budget_node=street.community)
    services.grant_points(actor=street.auditor, person=street.resident, amount=5, reason="巡查",
                          idempotency_key="resident", budget_node=street.community)
    assert totals() == {(date(2026, 11, 23), street.grid_a.path): 30, (date(2026, 11, 30), street.grid_a.path): 7,
                        (date(2026, 11, 30), street.micro_a1.path): 5}
    weeks = weeks_to(date(2026, 11, 30))
    for node in (street.street, street.community, street.grid_a, street.micro_a1, street.grid_b, street.village):
        assert granted(node, weeks) == from_lines(node, weeks)
    assert list(granted(street.street, weeks).values()) == [0, 30, 12]
    assert list(granted(street.micro_a1, weeks).values()) == [0, 0, 5]


@pytest.mark.django_db
def test_a_batch_adds_each_payees_points_to_their_nodes_week(funded, monkeypatch):
    street = funded
    at(monkeypatch, SUNDAY_NIGHT)
    people = [street.worker_a, street.worker_b, street.resident] + [
        orgs_services.person_create(actor=SYSTEM, name=f"居民{number}", node=street.micro_b1, role=Role.RESIDENT)
        for number in range(20)]
    services.grant_batch(actor=street.auditor, budget_node=street.community, idempotency_key="batch",
                         grants=[{"person": person, "amount": 1 + index, "reason": "巡查"}
                                 for index, person in enumerate(people)])
    at(monkeypatch, MONDAY_MORNING)
    services.grant_batch(actor=street.auditor, budget_node=street.community, idempotency_key="again",
                         grants=[{"person": person, "amount": 2, "reason": "巡查"} for person in people[:5]])
    expected_b1 = sum(range(4, 24))
    assert totals()[(date(2026, 11, 23), street.micro_b1.path)] == expected_b1
    weeks = weeks_to(date(2026, 11, 30))
    for node in (street.street, street.community, street.grid_a, street.grid_b, street.micro_b1):
        assert granted(node, weeks) == from_lines(node, weeks)
    assert list(granted(street.street, weeks).values()) == [
        0, sum(range(1, 24)), 10]


@pytest.mark.django_db
def test_reversals_and_transfers_leave_the_weeks_as_granted(funded, monkeypatch):
    street = funded
    at(monkeypatch, MONDAY_MORNING)
    grant = services.grant_points(actor=street.auditor, person=street.worker_a, amount=40, reason="巡查",
                                  idempotency_key="grant", budget_node=street.community)
    services.reverse_posting(actor=street.community_cadre, posting=grant, reason="更正", idempotency_key="undo")
    services.grant_points(actor=street.auditor, person=street.worker_b, amount=10, reason="巡查",
                          idempotency_key="other", budget_node=street.community)
    services.post(actor=SYSTEM, lines=[(services.account_for_person(street.worker_b), -4),
                                       (services.account_for_person(street.worker_a), 4)],
                  reason="转赠", idempotency_key="gift")
    assert totals() == {(date(2026, 11, 30), street.grid_a.path): 40, (date(2026, 11, 30), street.grid_b.path): 10}
    weeks = weeks_to(date(2026, 11, 30))
    assert granted(street.community, weeks) == from_lines(street.community, weeks)


@pytest.mark.django_db
def test_a_person_who_moves_takes_their_weeks_to_their_new_node(funded, monkeypatch):
    street = funded
    at(monkeypatch, SUNDAY_NIGHT)
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=30, reason="巡查",
                          idempotency_key="before", budget_node=street.community)
    grid_a_role = street.worker_a.roles.get()
    orgs_services.role_grant(actor=SYSTEM, person=street.worker_a, node=street.grid_c, role=Role.GRID_WORKER)
    orgs_services.role_revoke(actor=SYSTEM, assignment=grid_a_role)
    weeks = weeks_to(date(2026, 11, 30))
    assert services.account_for_person(street.worker_a).node == street.grid_c
    assert totals() == {(date(2026, 11, 23), street.grid_c.path): 30}
    for node in (street.community, street.village, street.grid_c):
        assert granted(node, weeks) == from_lines(node, weeks)


@pytest.mark.django_db
def test_the_cockpits_weeks_are_one_query_and_the_recount_takes_any_ranges(funded, monkeypatch):
    street = funded
    at(monkeypatch, MONDAY_MORNING)
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=30, reason="巡查",
                          idempotency_key="one", budget_node=street.community)
    weeks = weeks_to(date(2026, 11, 30), count=8)
    with CaptureQueriesContext(connection) as queries:
        points = granted(street.street, weeks)
    assert len(queries) == 1 and "ledger_grantedweek" in queries[0]["sql"]
    assert points[weeks[-1][0]] == 30
    # The recount takes any ranges (from Monday noon here): Monday 00:01 is then in the week before.
    noon = [(start + timedelta(hours=12), end + timedelta(hours=12)) for start, end in weeks]
    shifted = from_lines(street.street, noon)
    assert shifted[noon[-2][0]] == 30 and shifted[noon[-1][0]] == 0


@pytest.mark.django_db
def test_the_fill_rebuilds_from_the_lines_what_the_journal_kept(funded, monkeypatch):
    street = funded
    for moment, person, key in ((SUNDAY_NIGHT, street.worker_a, "a"), (MONDAY_MORNING, street.worker_a, "b"),
                                (MONDAY_MORNING, street.resident, "c"), (SUNDAY_NIGHT, street.worker_b, "d")):
        at(monkeypatch, moment)
        services.grant_points(actor=street.auditor, person=person, amount=len(key) + ord(key[0]) - 96,
                              reason="巡查", idempotency_key=key, budget_node=street.community)
    kept = totals()
    assert len(kept) == 4
    GrantedWeek.objects.all().delete()
    assert aggregates.fill_granted_weeks() == 4
    assert totals() == kept


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_totals_of_an_existing_ledger_and_empties_them_going_back(funded, monkeypatch):
    from django.core.management import call_command

    street = funded
    at(monkeypatch, SUNDAY_NIGHT)
    services.grant_points(actor=street.auditor, person=street.worker_a, amount=30, reason="巡查",
                          idempotency_key="old", budget_node=street.community)
    at(monkeypatch, MONDAY_MORNING)
    services.grant_points(actor=street.auditor, person=street.resident, amount=8, reason="巡查",
                          idempotency_key="new", budget_node=street.community)
    kept = totals()
    call_command("migrate", "ledger", "0008", verbosity=0)
    assert "ledger_grantedweek" not in connection.introspection.table_names()
    call_command("migrate", "ledger", verbosity=0)
    assert totals() == kept == {(date(2026, 11, 23), street.grid_a.path): 30,
                                (date(2026, 11, 30), street.micro_a1.path): 8}


def test_the_week_of_a_moment_is_its_local_monday():
    assert aggregates.week_of(SUNDAY_NIGHT) == date(2026, 11, 23)
    assert aggregates.week_of(MONDAY_MORNING) == date(2026, 11, 30)
    assert journal.current_period(SUNDAY_NIGHT) == "2026-11"
