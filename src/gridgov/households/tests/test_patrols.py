from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.deadlines.scan import scan_deadlines
from gridgov.errors import DomainError
from gridgov.geo import services as geo
from gridgov.households import patrols
from gridgov.households.models import PatrolRound
from gridgov.orgs.models import Role, RoleAssignment
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.factories import person

SQUARE = {"type": "Polygon", "coordinates": [[[119.5, 28.1], [119.51, 28.1], [119.51, 28.11], [119.5, 28.11],
                                                [119.5, 28.1]]]}
THURSDAY = datetime(2026, 12, 3).date()


def at(hour: int, minute: int = 0, day=THURSDAY):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def windows(street):
    created = at(0, 0)
    morning = patrols.window_create(actor=street.street_cadre, node=street.community, label="早巡",
                                    starts=time(8, 30), ends=time(9, 30), weekdays="12345", now=created)
    afternoon = patrols.window_create(actor=street.street_cadre, node=street.community, label="午巡",
                                      starts=time(16, 0), ends=time(17, 0), weekdays="12345", now=created)
    return morning, afternoon


def test_the_scan_gives_each_worker_a_round_per_window_today_once(street, windows):
    assert patrols.rounds_due(at(7)) == 4  # worker_a and worker_b, two windows
    assert patrols.rounds_due(at(7, 5)) == 0
    rounds = PatrolRound.objects.filter(worker=street.worker_a).order_by("due_at")
    assert [r.due_at for r in rounds] == [at(9, 30), at(17)]
    assert {r.node_id for r in rounds} == {street.grid_a.pk}


def test_no_rounds_on_a_weekday_the_window_skips(street, windows):
    saturday = THURSDAY + timedelta(days=2)
    assert patrols.rounds_due(at(7, day=saturday)) == 0


def test_a_check_in_in_the_window_closes_the_round(street, windows):
    patrols.rounds_due(at(7))
    done = patrols.check_in(actor=street.worker_a, latitude="28.105", longitude="119.505", note="一切正常",
                            now=at(8, 45))
    assert done.state == "done" and done.due_at is None and done.window == windows[0]
    assert PatrolRound.objects.filter(worker=street.worker_a).count() == 2
    assert AuditRecord.objects.filter(action="household.patrol").count() == 1


def test_a_check_in_outside_any_window_is_refused_and_writes_nothing(street, windows):
    with pytest.raises(DomainError) as refused:
        patrols.check_in(actor=street.worker_a, now=at(10))
    assert refused.value.code == "outside_window"
    assert not PatrolRound.objects.exists()
    assert not AuditRecord.objects.filter(action="household.patrol").exists()


def test_a_second_check_in_in_the_same_window_is_refused_and_a_retry_returns_the_first(street, windows):
    first = patrols.check_in(actor=street.worker_a, idempotency_key="k1", now=at(8, 40))
    assert patrols.check_in(actor=street.worker_a, idempotency_key="k1", now=at(8, 41)).pk == first.pk
    with pytest.raises(DomainError) as refused:
        patrols.check_in(actor=street.worker_a, idempotency_key="k2", now=at(8, 50))
    assert refused.value.code == "already_checked_in"
    assert PatrolRound.objects.count() == 1
    assert AuditRecord.objects.filter(action="household.patrol").count() == 1


def test_a_check_in_outside_the_grid_boundary_is_refused(street, windows):
    geo.boundary_set(actor=SYSTEM, node=street.grid_a, geometry_in=SQUARE)
    with pytest.raises(DomainError) as refused:
        patrols.check_in(actor=street.worker_a, latitude="28.2", longitude="119.6", now=at(8, 40))
    assert refused.value.code == "outside_grid"
    assert not PatrolRound.objects.exists()
    patrols.check_in(actor=street.worker_a, latitude="28.105", longitude="119.505", now=at(8, 41))


def test_someone_without_the_windows_role_cannot_check_in(street, windows):
    with pytest.raises(DomainError) as refused:
        patrols.check_in(actor=street.community_cadre, now=at(8, 40))
    assert refused.value.code == "outside_window"


def test_a_missed_window_alerts_the_worker_then_the_cadre_above_and_a_check_in_closes_them(street, windows):
    scan_deadlines(now=at(7))  # the follow-up gives out today's rounds
    morning = PatrolRound.objects.get(worker=street.worker_a, window=windows[0])
    scan_deadlines(now=at(9, 45))
    overdue = Alert.objects.get(item_type=patrols.PATROL_ITEM, item_id=morning.pk, closed_at=None)
    assert overdue.level == AlertLevel.OVERDUE and overdue.recipient_id == street.worker_a.pk
    scan_deadlines(now=at(10, 45))
    escalated = Alert.objects.get(item_type=patrols.PATROL_ITEM, item_id=morning.pk, level=AlertLevel.ESCALATED)
    assert escalated.recipient_id == street.community_cadre.pk
    afternoon = patrols.check_in(actor=street.worker_a, now=at(16, 10))
    assert not Alert.objects.filter(item_type=patrols.PATROL_ITEM, item_id=afternoon.pk, closed_at=None).exists()
    missed = list(patrols.missed_in(street.community, since=THURSDAY, until=THURSDAY))
    assert morning in missed and afternoon not in missed


def test_a_window_needs_a_cadre_and_sensible_times(street):
    with pytest.raises(DomainError) as refused:
        patrols.window_create(actor=street.worker_a, node=street.grid_a, label="早巡", starts=time(8), ends=time(9))
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError) as refused:
        patrols.window_create(actor=street.street_cadre, node=street.grid_a, label="早巡", starts=time(9),
                              ends=time(8))
    assert refused.value.code == "invalid_window"
    with pytest.raises(DomainError) as refused:
        patrols.window_create(actor=street.street_cadre, node=street.grid_a, label="早巡", starts=time(8),
                              ends=time(9), weekdays="89")
    assert refused.value.code == "invalid_window"


def test_a_window_for_grid_leaders_gives_rounds_only_to_them(street):
    leader = person("郑组长", node=street.grid_a, role=Role.GRID_LEADER, username="leader")
    patrols.window_create(actor=street.street_cadre, node=street.street, label="夜巡", starts=time(20),
                          ends=time(21), weekdays="1234567", role=Role.GRID_LEADER, now=at(0))
    assert patrols.rounds_due(at(7)) == 1
    assert PatrolRound.objects.get().worker == leader


def test_a_check_in_before_the_first_scan_still_leaves_the_others_their_rounds(street, windows):
    patrols.check_in(actor=street.worker_a, now=at(8, 35))
    assert patrols.rounds_due(at(8, 40)) == 3  # worker_b's two, worker_a's afternoon
    assert PatrolRound.objects.filter(worker=street.worker_a, state="done").count() == 1


def test_someone_given_the_role_during_the_day_gets_rounds_at_the_next_scan(street, windows):
    patrols.rounds_due(at(7))
    newcomer = person("新网格员", node=street.grid_b, role=Role.GRID_WORKER, username="newcomer")
    assert patrols.rounds_due(at(7, 5)) == 2
    assert PatrolRound.objects.filter(worker=newcomer).count() == 2


def test_a_newcomer_gets_rounds_at_the_next_scan_though_someone_else_lost_the_role_the_same_day(street, windows):
    assert patrols.rounds_due(at(7)) == 4
    RoleAssignment.objects.filter(person=street.worker_b, role=Role.GRID_WORKER).delete()  # worker_b leaves
    newcomer = person("新网格员", node=street.grid_b, role=Role.GRID_WORKER, username="newcomer")
    # as many rounds as holders already (worker_a's and worker_b's), but the newcomer has none
    assert patrols.rounds_due(at(7, 5)) == 2
    assert PatrolRound.objects.filter(worker=newcomer).count() == 2
    assert patrols.rounds_due(at(7, 10)) == 0  # idempotent
    assert PatrolRound.objects.filter(worker=street.worker_b).count() == 2  # given out before: they stay


def test_once_everyone_has_a_round_a_scan_costs_one_query_per_window(street, windows, django_assert_num_queries):
    patrols.rounds_due(at(7))
    with django_assert_num_queries(3):  # the windows of the day, then one per window
        assert patrols.rounds_due(at(7, 5)) == 0
