"""An area's overdue work and the cockpit's claim counts, read per node of the area (issue 18): the same claims
as before, the open ones only, and none from outside the area."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.orgs.models import Role
from gridgov.tasks import selectors, services
from gridgov.tasks.models import Claim, ClaimState
from gridgov.testing.factories import person


@pytest.fixture
def claims(publish, street):
    """A task published to the street, claimed by a worker of each of the community's grids and of the village's,
    then moved by hand to each state (what these reads count does not depend on how a claim got there)."""
    now = timezone.now()
    task = publish(actor=street.street_cadre, node=street.street, places=20, deadline=now + timedelta(days=7))
    village_worker = person("白网格", node=street.grid_c, role=Role.GRID_WORKER)
    extra = [person(f"东门{n}", node=street.grid_b, role=Role.GRID_WORKER) for n in range(5)]
    workers = {"a": street.worker_a, "b": street.worker_b, "v": village_worker,
               **{f"b{n}": worker for n, worker in enumerate(extra)}}
    made = {name: services.task_claim(actor=worker, task=task, now=now) for name, worker in workers.items()}

    def move(name, state, due):
        Claim.objects.filter(pk=made[name].pk).update(state=state, due_at=due)

    move("a", ClaimState.CLAIMED, now - timedelta(days=1))     # overdue, in hand
    move("b", ClaimState.SUBMITTED, now + timedelta(days=1))   # waiting for evaluation
    move("b0", ClaimState.SENT_BACK, now - timedelta(hours=2))  # waiting for evaluation again, overdue
    move("b1", ClaimState.EVALUATED, now - timedelta(hours=1))  # waiting for audit, overdue
    move("b2", ClaimState.AUDITED, None)                       # done
    move("b3", ClaimState.RELEASED, None)                      # given up
    move("b4", ClaimState.EXPIRED, None)                       # expired
    move("v", ClaimState.CLAIMED, now - timedelta(days=2))     # overdue, in the village
    return now, made


def test_the_cockpit_counts_the_open_claims_per_child_of_the_area(street, claims, django_assert_num_queries):
    now, _made = claims
    with django_assert_num_queries(4):  # the area's node ids, its open tasks, its claim tallies, claims due today
        figures = selectors.work_under(node=street.street, depth=street.street.depth + 1, now=now)
    community, village = figures[street.community.path], figures[street.village.path]
    claim_figures = ("claims_overdue", "to_evaluate", "to_audit")
    assert {name: community[name] for name in claim_figures} == {"claims_overdue": 3, "to_evaluate": 2, "to_audit": 1}
    assert {name: village[name] for name in claim_figures} == {"claims_overdue": 1, "to_evaluate": 0, "to_audit": 0}
    assert figures[street.street.path]["tasks_open"] == 1  # the task itself sits at the street
    inside = selectors.work_under(node=street.community, depth=street.grid_a.depth, now=now)
    assert inside[street.grid_a.path]["claims_overdue"] == 1 and inside[street.grid_b.path]["to_evaluate"] == 2
    assert street.grid_c.path not in inside


def test_the_overdue_list_is_the_areas_late_claims_longest_overdue_first(street, claims):
    now, made = claims
    assert list(selectors.overdue_for(person=street.community_cadre, now=now)) == [made["a"], made["b0"], made["b1"]]
    assert list(selectors.overdue_for(person=street.street_cadre, now=now)) == [
        made["v"], made["a"], made["b0"], made["b1"]]
    assert list(selectors.overdue_for(person=street.village_cadre, now=now)) == [made["v"]]
