"""Read-only supervision API: overdue counts by level, anomaly findings, the audit trail (``audit.view``)."""

from datetime import datetime, timedelta
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gridgov.api_schemas import DateTime, Id, Limit, Line, Offset, Page, errors, page
from gridgov.audit.models import AuditRecord
from gridgov.errors import PermissionDenied
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import can
from gridgov.oversight import anomalies
from gridgov.oversight import findings as computed
from gridgov.oversight.findings import FRESH_FOR, PERIOD_DAYS
from gridgov.oversight.selectors import audit_records_under
from gridgov.reports.selectors import HANDLING_WINDOW_DAYS

router = Router(tags=["oversight"])


class LevelOut(Schema):
    level: int
    label: str
    open: int
    overdue: int
    average_hours: float | None = Field(description="Mean hours from report to resolution of the area's reports "
                                        f"resolved in the last {HANDLING_WINDOW_DAYS} days at this level; null when "
                                        "none was")


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
        raise Http404(_("No such node."))
    if not can(request.person, "audit.view", node):
        raise PermissionDenied("You do not oversee this area.")
    return node


@router.get("/oversight/{code}/levels", response={200: Page[LevelOut], **errors(403)},
            summary="Open and overdue reports per level")
def levels(request, code: str, limit: Limit = 100, offset: Offset = 0):
    from gridgov.reports.selectors import overdue_by_level

    return page(overdue_by_level(node=_node(request, code)), limit=limit, offset=offset)


@router.get("/oversight/{code}/findings", response={200: Page[FindingOut], **errors(403)},
            summary="Anomaly findings of the last days")
def findings(request, code: str,
             days: Annotated[int, Query(PERIOD_DAYS, ge=1, le=366, description=(
                 f"1 to 366. {PERIOD_DAYS} (the default) reads the findings computed in the background, at most "
                 f"{FRESH_FOR.seconds // 60} minutes old; another number of days runs the rules now."))] = PERIOD_DAYS,
             limit: Limit = 100, offset: Offset = 0):
    node = _node(request, code)
    if days == PERIOD_DAYS:
        by_rule = computed.by_rule(computed.current(node))
    else:
        by_rule = anomalies.run_all(node=node, since=timezone.now() - timedelta(days=days))
    return page([finding.worded() for _rule, found in by_rule for finding in found], limit=limit, offset=offset)


@router.get("/oversight/{code}/audit", response={200: Page[AuditOut], **errors(403)},
            summary="Audit trail search, newest first")
def audit(request, code: str,
          action: Annotated[Line, Query("", max_length=AuditRecord._meta.get_field("action").max_length,
                                        description="An action or its prefix, e.g. points.")] = "",
          actor_id: Annotated[Id | None, Query(None)] = None,
          since: Annotated[DateTime | None, Query(None, description="From (2000 … 2099; no offset: Asia/Shanghai).")] = None,
          until: Annotated[DateTime | None, Query(None, description="Before (2000 … 2099).")] = None,
          limit: Limit = 100, offset: Offset = 0):
    records = audit_records_under(node=_node(request, code), action=action, actor_id=actor_id, since=since,
                                  until=until)
    return page(records, limit=limit, offset=offset)
