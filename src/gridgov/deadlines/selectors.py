"""Reading alerts as a given person may see them."""

from django.db.models import Count

from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.orgs.models import Node, Role
from gridgov.orgs.permissions import assignments_of
from gridgov.orgs.tree import under
from gridgov.sql import count_at_most


def _kinds(person, include_closed: bool = False):
    """The alerts addressed to ``person``, and the level-2 alerts of the areas they supervise (None if none)."""
    supervised = [path for role, _id, path in assignments_of(person) if role == Role.SUPERVISOR]
    addressed = Alert.objects.filter(recipient=person)
    escalated = Alert.objects.filter(under(supervised, "node_path"), level=AlertLevel.ESCALATED) if supervised else None
    if not include_closed:
        addressed = addressed.filter(closed_at=None)
        escalated = escalated.filter(closed_at=None) if escalated is not None else None
    return addressed, escalated


def alerts_for(*, person, include_closed: bool = False):
    """The person's alerts: those addressed to them, and level-2 alerts in a supervisor's area.

    One query. The two kinds are read apart and joined by a ``UNION`` of their ids (each read served by its own
    index: ``reports_alert_recipient_idx``, and for the open ones ``reports_alert_open_node_idx``): an ``OR`` of
    the two conditions in one ``WHERE`` is served by neither and reads every alert of the installation (issue 18,
    690 ms on the province bench). The ordering, the count and the paging stay the queryset's."""
    if person is None:
        return Alert.objects.none()
    addressed, escalated = _kinds(person, include_closed)
    ids = addressed.order_by().values("pk")
    if escalated is not None:
        ids = ids.union(escalated.order_by().values("pk"))
    return Alert.objects.filter(pk__in=ids).select_related("node", "recipient").order_by("-level", "due_at", "pk")


def open_alerts_counted(*, person, at_most: int) -> int:
    """How many open alerts ``alerts_for`` lists, counted no further than one past ``at_most`` (the navigation's
    badge, the home page's figure). Each kind is counted on its own index up to the bound, then the alerts of both
    kinds taken off once: counting the ``UNION`` up to the bound still built the whole union first, every open
    escalated alert of a large street (9 ms a count at a tenth of a province, three counts on a supervisor's home
    page). Below the bound the sum is exact; a kind at the bound puts the sum past it."""
    if person is None:
        return 0
    addressed, escalated = _kinds(person)
    if escalated is None:
        return count_at_most(addressed, at_most)
    mine, area = count_at_most(addressed, at_most), count_at_most(escalated, at_most)
    if mine > at_most or area > at_most:
        return at_most + 1
    return min(mine + area - escalated.filter(recipient=person).count(), at_most + 1)


def alerts_under(*, node: Node, include_closed: bool = False):
    alerts = Alert.objects.filter(node_path__startswith=node.path)
    if not include_closed:
        alerts = alerts.filter(closed_at=None)
    return alerts.select_related("node", "recipient").order_by("-level", "due_at", "pk")


def deadlines_stats() -> dict:
    """For ``gridgov stats``."""
    return {"alerts_open": Alert.objects.filter(closed_at=None).count()}


def open_alerts_by_level(*, node: Node) -> dict[int, int]:
    """How many alerts are open in ``node``'s subtree at each level (every level present). One query."""
    rows = (Alert.objects.filter(node_path__startswith=node.path, closed_at=None).values("level").order_by()
            .annotate(n=Count("pk")))
    found = {row["level"]: row["n"] for row in rows}
    return {level.value: found.get(level.value, 0) for level in AlertLevel}
