"""Read-only supervision API: overdue counts by level, anomaly findings, the audit trail (``audit.view``)."""

from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema

from gridgov.errors import PermissionDenied
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import can
from gridgov.oversight import anomalies
from gridgov.oversight.selectors import audit_records_under

router = Router(tags=["oversight"])


class LevelOut(Schema):
    level: int
    label: str
    open: int
    overdue: int
    average_hours: float | None


class FindingOut(Schema):
    rule: str
    title: str
    detail: str
    person_id: int | None
    claims: list[int]
    postings: list[int]
    audit_records: list[int]


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    outcome: str
    node_path: str
    node_name: str
    object_type: str
    object_id: str
    object_repr: str
    reason: str


def _node(request, code: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None:
        raise Http404("No such node.")
    if not can(request.person, "audit.view", node):
        raise PermissionDenied("You do not oversee this area.")
    return node


@router.get("/oversight/{code}/levels", response=list[LevelOut], summary="Open and overdue reports per level")
def levels(request, code: str):
    from gridgov.reports.selectors import overdue_by_level

    return overdue_by_level(node=_node(request, code))


@router.get("/oversight/{code}/findings", response=list[FindingOut], summary="Anomaly findings of the last days")
def findings(request, code: str, days: int = 31):
    node = _node(request, code)
    since = timezone.now() - timedelta(days=max(1, min(days, 366)))
    return [finding for _rule, found in anomalies.run_all(node=node, since=since) for finding in found]


@router.get("/oversight/{code}/audit", response=list[AuditOut], summary="Audit trail search (newest first, 200)")
def audit(request, code: str, action: str = "", actor_id: int | None = None, since: datetime | None = None,
          until: datetime | None = None):
    records = audit_records_under(node=_node(request, code), action=action, actor_id=actor_id, since=since,
                                  until=until)
    return list(records[:200])
