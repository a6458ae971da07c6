"""The claim tallies (open claims per node, state and due day) follow every write of claims — the services, bulk
updates, moves, deletes, threads at once — and the cockpit's work figures read from them are what counting the
claims gives, whatever the time of day."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.orgs.models import Role
from gridgov.orgs.tree import path_length
from gridgov.tasks import selectors, services, tallies
from gridgov.tasks.models import Claim, ClaimState, ClaimTally
from gridgov.testing.concurrency import race, skip_unless_postgres
from gridgov.testing.factories import person

pytestmark = pytest.mark.django_db

FIGURES = ("claims_overdue", "to_evaluate", "to_audit")


def counted(node, depth, now) -> dict[str, dict[str, int]]:
    """The claim figures the cockpit showed before the tallies: every open claim of the area, counted."""
    result: dict[str, dict[str, int]] = {}
    for claim in Claim.objects.filter(node__path__startswith=node.path, state__in=selectors.OPEN_CLAIM_STATES):
        counts = result.setdefault(claim.node.path[:path_length(depth)], dict.fromkeys(FIGURES, 0))
        counts["claims_overdue"] += bool(claim.due_at and claim.due_at <= now)
        counts["to_evaluate"] += claim.state in (ClaimState.SUBMITTED, ClaimState.SENT_BACK)
        counts["to_audit"] += claim.state == ClaimState.EVALUATED
    return result


def read(node, depth, now) -> dict[str, dict[str, int]]:
    figures = selectors.work_under(node=node, depth=depth, now=now)
    return {path: {name: values[name] for name in FIGURES} for path, values in figures.items()
            if any(values[name] for name in FIGURES)}


def nonzero(figures):
    return {path: values for path, values in figures.items() if any(values.values())}


def test_the_open_states_of_the_tallies_are_the_selectors_open_states():
    assert set(tallies.OPEN_STATES) == {str(state) for state in selectors.OPEN_CLAIM_STATES}


def test_the_tallies_follow_a_claim_through_every_step_of_the_services(street, publish, budget):
    task = publish(points=20)
    claim = services.task_claim(actor=street.worker_a, task=task)
    assert list(ClaimTally.objects.values_list("node_id", "state", "claims")) == [
        (street.grid_a.pk, ClaimState.CLAIMED, 1)]
    claim = services.claim_submit(actor=street.worker_a, claim=claim, text="巡查完毕")
    assert list(ClaimTally.objects.values_list("state", "claims")) == [(ClaimState.SUBMITTED, 1)]
    claim = services.claim_evaluate(actor=street.community_cadre, claim=claim, approve=True)
    assert list(ClaimTally.objects.values_list("state", "claims")) == [(ClaimState.EVALUATED, 1)]
    claim = services.claim_audit(actor=street.auditor, claim=claim, confirm=True)
    assert claim.state == ClaimState.AUDITED and not ClaimTally.objects.exists()  # done: its day's row went away
    second = services.task_claim(actor=street.worker_b, task=task)
    services.claim_release(actor=street.worker_b, claim=second)
    assert not ClaimTally.objects.exists() and tallies.disagreements() == []


def test_bulk_updates_moves_and_deletes_keep_the_tallies(street, publish):
    task = publish(places=10)
    workers = [person(f"网格员{n}", node=street.grid_a, role=Role.GRID_WORKER) for n in range(6)]
    made = [services.task_claim(actor=worker, task=task) for worker in workers]
    assert ClaimTally.objects.get().claims == 6  # one node, one state, one due day
    Claim.objects.filter(pk__in=[c.pk for c in made[:2]]).update(state=ClaimState.SUBMITTED)
    Claim.objects.filter(pk=made[2].pk).update(node=street.grid_b)
    Claim.objects.filter(pk=made[3].pk).update(due_at=None)
    Claim.objects.filter(pk=made[4].pk).update(due_at=made[4].due_at - timedelta(days=3))
    Claim.objects.filter(pk=made[5].pk).delete()
    assert tallies.disagreements() == []
    assert ClaimTally.objects.filter(due_on=tallies.NO_DUE).get().claims == 1
    assert sum(ClaimTally.objects.values_list("claims", flat=True)) == 5


@pytest.mark.parametrize("hour", [0, 9, 23])
def test_work_due_earlier_today_is_overdue_and_later_today_is_not(street, publish, hour):
    now = datetime(2026, 12, 7, hour, 30, tzinfo=UTC)
    task = publish(deadline=now + timedelta(days=7), places=10)
    workers = [person(f"网格员{n}", node=street.grid_a, role=Role.GRID_WORKER) for n in range(5)]
    made = [services.task_claim(actor=worker, task=task, now=now - timedelta(days=2)) for worker in workers]
    dues = [now - timedelta(days=1), now - timedelta(minutes=20), now, now + timedelta(minutes=20),
            now + timedelta(days=1)]
    for claim, due in zip(made, dues, strict=True):
        Claim.objects.filter(pk=claim.pk).update(due_at=due)
    figures = selectors.work_under(node=street.community, depth=street.grid_a.depth, now=now)
    assert figures[street.grid_a.path]["claims_overdue"] == 3  # a day ago, twenty minutes ago, this moment
    assert read(street.community, street.grid_a.depth, now) == nonzero(counted(street.community, street.grid_a.depth,
                                                                               now))


STATES = st.sampled_from([state.value for state in ClaimState])


@pytest.fixture
def workers(street):
    return [person(f"网格员{n}", node=street.grid_a, role=Role.GRID_WORKER) for n in range(6)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.integers(0, 5), STATES, st.integers(-3 * 24, 3 * 24), st.integers(0, 2),
                                st.booleans()), min_size=1, max_size=12),
       minutes=st.integers(0, 24 * 60 - 1))
def test_any_writes_keep_the_tallies_and_the_figures_equal_to_counting_the_claims(street, publish, workers, moves,
                                                                                   minutes):
    Claim.objects.all().delete()  # the examples share the test's database
    now = datetime(2026, 12, 7, tzinfo=UTC) + timedelta(minutes=minutes)
    task = publish(deadline=now + timedelta(days=7), places=10)
    made = [services.task_claim(actor=worker, task=task, now=now - timedelta(days=4)) for worker in workers]
    nodes = [street.grid_a, street.grid_b, street.grid_c]
    for index, state, hours, node, clear in moves:
        due = None if clear else now + timedelta(hours=hours)
        Claim.objects.filter(pk=made[index].pk).update(state=state, due_at=due, node=nodes[node])
    assert tallies.disagreements() == []
    for area in (street.street, street.community):
        assert read(area, area.depth + 1, now) == nonzero(counted(area, area.depth + 1, now))


def test_a_wrong_tally_is_reported_and_rebuilt(street, publish):
    claim = services.task_claim(actor=street.worker_a, task=publish())
    ClaimTally.objects.update(claims=40)
    due = claim.due_at.astimezone(UTC).date()
    assert tallies.disagreements() == [f"node {street.grid_a.pk} claimed due {due}: kept 40, counted 1"]
    with pytest.raises(CommandError, match="1"):
        call_command("tasks", "tallies")
    call_command("tasks", "tallies", "--rebuild")
    assert tallies.disagreements() == [] and ClaimTally.objects.get().claims == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_workers_of_one_grid_claiming_and_handing_in_at_once_are_all_counted(street, publish):
    skip_unless_postgres()
    task = publish(places=8)
    workers = [person(f"网格员{n}", node=street.grid_a, role=Role.GRID_WORKER) for n in range(8)]

    def work(index):
        claim = services.task_claim(actor=workers[index], task=task)
        if index % 2:
            claim = services.claim_submit(actor=workers[index], claim=claim, text="完成")
        return claim

    results = race(8, work)
    assert all(isinstance(result, Claim) for result in results)
    assert tallies.disagreements() == []
    assert dict(ClaimTally.objects.values_list("state", "claims")) == {ClaimState.CLAIMED: 4, ClaimState.SUBMITTED: 4}


def test_an_area_too_large_to_list_by_node_is_counted_by_path_the_same(street, publish, monkeypatch):
    now = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    task = publish(actor=street.street_cadre, node=street.street, deadline=now + timedelta(days=7), places=10)
    workers = [person(f"网格员{n}", node=grid, role=Role.GRID_WORKER)
               for n, grid in enumerate([street.grid_a, street.grid_b, street.grid_c] * 2)]
    made = [services.task_claim(actor=worker, task=task, now=now - timedelta(days=2)) for worker in workers]
    for claim, (state, due) in zip(made, [(ClaimState.CLAIMED, now - timedelta(days=1)),
                                          (ClaimState.SUBMITTED, now - timedelta(minutes=5)),
                                          (ClaimState.EVALUATED, now + timedelta(hours=1)),
                                          (ClaimState.SENT_BACK, None), (ClaimState.AUDITED, None),
                                          (ClaimState.CLAIMED, now + timedelta(days=2))], strict=True):
        Claim.objects.filter(pk=claim.pk).update(state=state, due_at=due)
    listed = selectors.work_under(node=street.street, depth=street.street.depth + 1, now=now)
    monkeypatch.setattr(selectors, "AREA_IDS_AT_MOST", 2)
    assert selectors.work_under(node=street.street, depth=street.street.depth + 1, now=now) == listed
    assert read(street.street, street.street.depth + 1, now) == nonzero(counted(street.street, street.street.depth + 1,
                                                                                now))
