"""The alerts inbox: who sees which alert, in what order, in one query (issue 18: read as a UNION of two index
reads, not one ``OR`` that neither index serves)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.deadlines.selectors import alerts_for, open_alerts_counted
from gridgov.orgs.models import NodeKind, Role
from gridgov.testing.factories import node, person


def alert(at, level, *, recipient=None, hours=0, closed=False):
    now = timezone.now()
    return Alert.objects.create(item_type="report", item_id=Alert.objects.count() + 1, level=level, stage="submitted",
                                due_at=now + timedelta(hours=hours), title=f"#{level}/{hours}", node=at,
                                node_path=at.path, recipient=recipient, closed_at=now if closed else None)


def test_a_supervisor_sees_their_own_and_the_escalated_alerts_of_their_area_in_order_and_paged(street):
    other_street = node(street.district, NodeKind.STREET, "别的街道", "S09")
    own = alert(street.grid_a, AlertLevel.OVERDUE, recipient=street.supervisor, hours=-1)
    escalated_late = alert(street.grid_b, AlertLevel.ESCALATED, hours=5)
    escalated_early = alert(street.micro_a1, AlertLevel.ESCALATED, hours=-3)
    both = alert(street.grid_c, AlertLevel.ESCALATED, recipient=street.supervisor, hours=1)  # listed once
    alert(street.grid_a, AlertLevel.OVERDUE, hours=-9)                     # not addressed, not escalated
    alert(street.grid_a, AlertLevel.ESCALATED, hours=-9, closed=True)      # closed
    alert(other_street, AlertLevel.ESCALATED, hours=-9)                    # outside the area
    alert(street.grid_a, AlertLevel.DUE_SOON, recipient=street.worker_a)   # someone else's

    with CaptureQueriesContext(connection) as captured:
        seen = list(alerts_for(person=street.supervisor))
        assert [a.node.name for a in seen]  # nodes come with the alerts
    assert seen == [escalated_early, both, escalated_late, own]
    assert len(captured.captured_queries) == 2  # the supervisor's assignments, then the alerts with their nodes
    sql = captured.captured_queries[-1]["sql"]
    assert "UNION" in sql and " OR " not in sql.partition("UNION")[0]

    assert alerts_for(person=street.supervisor).count() == 4
    assert list(alerts_for(person=street.supervisor)[1:3]) == [both, escalated_late]
    assert len(alerts_for(person=street.supervisor, include_closed=True)) == 5


def test_someone_who_is_not_a_supervisor_sees_only_what_is_addressed_to_them(street):
    mine = alert(street.grid_a, AlertLevel.DUE_SOON, recipient=street.worker_a)
    alert(street.grid_a, AlertLevel.ESCALATED, hours=-1)
    alert(street.grid_a, AlertLevel.DUE_SOON, recipient=street.worker_a, closed=True)
    assert list(alerts_for(person=street.worker_a)) == [mine]
    assert alerts_for(person=street.street_cadre).count() == 0
    assert list(alerts_for(person=None)) == []


def test_a_supervisor_of_two_streets_sees_both(street):
    other_street = node(street.district, NodeKind.STREET, "别的街道", "S09")
    double = person("双监察", node=street.street, role=Role.SUPERVISOR)
    from gridgov.orgs import services as orgs
    from gridgov.orgs.permissions import SYSTEM

    orgs.role_grant(actor=SYSTEM, person=double, node=other_street, role=Role.SUPERVISOR)
    here, there = alert(street.grid_a, AlertLevel.ESCALATED, hours=1), alert(other_street, AlertLevel.ESCALATED)
    assert list(alerts_for(person=double)) == [there, here]


def counted_both_ways(who, at_most):
    return open_alerts_counted(person=who, at_most=at_most), min(alerts_for(person=who).count(), at_most + 1)


def test_the_badge_count_is_the_inboxs_count_up_to_its_bound(street):
    assert counted_both_ways(street.supervisor, 3) == (0, 0)
    alert(street.grid_a, AlertLevel.OVERDUE, recipient=street.supervisor)
    alert(street.grid_b, AlertLevel.ESCALATED)
    alert(street.grid_c, AlertLevel.ESCALATED, recipient=street.supervisor)  # both kinds: counted once
    alert(street.grid_a, AlertLevel.ESCALATED, closed=True)
    alert(street.grid_a, AlertLevel.DUE_SOON, recipient=street.worker_a)
    assert counted_both_ways(street.supervisor, 3) == (3, 3)
    assert counted_both_ways(street.worker_a, 3) == (1, 1) and counted_both_ways(street.street_cadre, 3) == (0, 0)
    alert(street.micro_a1, AlertLevel.ESCALATED)
    assert counted_both_ways(street.supervisor, 3) == (4, 4)  # one past the bound: "3+"
    for _ in range(3):
        alert(street.grid_a, AlertLevel.ESCALATED, recipient=street.supervisor)  # every one of both kinds
    assert counted_both_ways(street.supervisor, 3) == (4, 4) and counted_both_ways(street.supervisor, 10) == (7, 7)
    assert open_alerts_counted(person=None, at_most=3) == 0
