"""Reading alerts as a given person may see them."""

from django.db.models import Count, Q

from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.orgs.models import Node, Role
from gridgov.orgs.permissions import assignments_of
from gridgov.orgs.tree import under


def alerts_for(*, person, include_closed: bool = False):
    """The person's alerts: those addressed to them, and level-2 alerts in a supervisor's area."""
    supervised = [path for role, _id, path in assignments_of(person) if role == Role.SUPERVISOR] if person else []
    alerts = Alert.objects.filter(Q(recipient=person) | (Q(level=AlertLevel.ESCALATED) & under(supervised, "node_path")))
    if not include_closed:
        alerts = alerts.filter(closed_at=None)
    return alerts.select_related("node", "recipient").order_by("-level", "due_at", "pk")


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
