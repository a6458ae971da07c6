"""The deadline engine: alerts on work orders and task claims that are due soon or late (SPEC §5).

``scan_deadlines(now=...)`` is run every five minutes (``gridgov deadlines scan`` from a systemd timer or
cron, or the ``scan_deadlines_task`` django-tasks task; see docs/operations.md). Each kind of item is
found with ONE query over an indexed due time that also excludes items already alerted at the level they
need, so a scan of a million open items reads only the few that are late and not yet alerted.

Levels: 0 due within ``DUE_SOON`` (to the handler), 1 overdue (to the handler), 2 still overdue after
``GRACE`` (to the cadre above the handler, and seen by every supervisor over the item's node). Alerts are
idempotent (a conditional unique constraint: one open alert per item and level) and are closed when the
item moves on: by the report services at once, and for task claims by the next scan.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils.translation import gettext as _

from gridgov.orgs.models import Node, Role
from gridgov.reports import routing
from gridgov.reports.models import Alert, AlertLevel, ItemType, Report, ReportState

DUE_SOON = timedelta(hours=4)
GRACE = timedelta(hours=24)
MAX_NEW_PER_SCAN = 20_000  # a first scan of a big backlog raises alerts in slices, never all in one go
ANALYZE_AFTER = 1_000  # new alerts in one scan after which PostgreSQL's statistics are refreshed at once


@dataclass
class ScanResult:
    raised: dict = field(default_factory=dict)
    closed: int = 0
    auto_closed: int = 0
    skipped: list = field(default_factory=list)


def scan_deadlines(*, now) -> ScanResult:
    """Close alerts of items that moved, raise the missing ones, auto-close resolved reports left unrated."""
    result = ScanResult()
    result.closed += _close_moved_report_alerts(now)
    result.raised[ItemType.REPORT.value] = _raise(ItemType.REPORT, _report_rows(now), now)
    if apps.is_installed("gridgov.tasks"):
        result.closed += _close_moved_claim_alerts(now)
        result.raised[ItemType.CLAIM.value] = _raise(ItemType.CLAIM, _claim_rows(now), now)
    else:
        result.skipped.append("claims: the tasks app is not installed")
    result.auto_closed = _auto_close(now)
    return result


def _needed_level(due_field: str, now) -> Case:
    return Case(
        When(**{f"{due_field}__lte": now - GRACE}, then=Value(AlertLevel.ESCALATED)),
        When(**{f"{due_field}__lte": now}, then=Value(AlertLevel.OVERDUE)),
        default=Value(AlertLevel.DUE_SOON), output_field=IntegerField(),
    )


def _not_alerted(item_type: str):
    return ~Exists(Alert.objects.filter(item_type=item_type, item_id=OuterRef("pk"), level=OuterRef("needed"),
                                        closed_at=None))


# ---------------------------------------------------------------- reports


def late_reports_query(now):
    """The one query: open reports due by ``now + DUE_SOON`` (partial index on ``due_at``) not yet
    alerted at the level they need, the longest overdue first. Ordered by the indexed column on purpose: with
    the model's default ordering (``-created_at``) SQLite walks the created_at index over every report."""
    return (Report.objects.filter(due_at__lte=now + DUE_SOON)
            .annotate(needed=_needed_level("due_at", now)).filter(_not_alerted(ItemType.REPORT))
            .order_by("due_at", "pk"))


def _report_rows(now):
    rows = late_reports_query(now).values_list(
        "pk", "needed", "state", "due_at", "node_id", "node__path", "handler_id", "category__name")[:MAX_NEW_PER_SCAN]
    for pk, needed, state, due_at, node_id, path, handler_id, category in rows:
        stage_label = ReportState(state).label
        yield {"item_id": pk, "needed": needed, "stage": state, "due_at": due_at, "node_id": node_id,
               "node_path": path, "handler_id": handler_id, "title": f"#{pk} {category} · {stage_label}"}


def _close_moved_report_alerts(now) -> int:
    same = Report.objects.filter(pk=OuterRef("item_id"), state=OuterRef("stage"), due_at=OuterRef("due_at"))
    return (Alert.objects.filter(item_type=ItemType.REPORT, closed_at=None).exclude(Exists(same))
            .update(closed_at=now))


def _auto_close(now) -> int:
    from gridgov.reports.services import report_auto_close

    count = 0
    for report in Report.objects.filter(auto_close_at__lte=now, state=ReportState.RESOLVED)[:1000]:
        report_auto_close(report=report, now=now)
        count += 1
    return count


# ---------------------------------------------------------------- task claims (read-only)


def late_claims_query(now):
    """The one query for claims: claims whose next move (the worker's, the evaluator's or the auditor's) is
    due by ``now + DUE_SOON`` (the stored ``Claim.due_at``, partial index ``tasks_claim_due_idx``; the rules
    are ``tasks.workflow.due_time``), not yet alerted at the level they need."""
    from gridgov.tasks.models import Claim

    return (Claim.objects.filter(due_at__lte=now + DUE_SOON)
            .annotate(needed=_needed_level("due_at", now)).filter(_not_alerted(ItemType.CLAIM))
            .order_by("due_at", "pk"))


# Whose move it is in each claim state: the worker, the evaluator (community cadre), the auditor.
CLAIM_WAITS_ON = {
    "claimed": None, "rejected": None, "submitted": Role.COMMUNITY_CADRE, "sent_back": Role.COMMUNITY_CADRE,
    "evaluated": Role.PARTY_AUDITOR,
}


def _claim_rows(now):
    from gridgov.tasks.models import ClaimState

    rows = late_claims_query(now).values_list(
        "pk", "needed", "state", "due_at", "node_id", "node__path", "worker_id", "task__title")[:MAX_NEW_PER_SCAN]
    for pk, needed, state, due, node_id, path, worker_id, title in rows:
        yield {"item_id": pk, "needed": needed, "stage": state, "due_at": due, "node_id": node_id, "node_path": path,
               "handler_id": worker_id, "waits_on": CLAIM_WAITS_ON.get(state),
               "title": f"{title} · {ClaimState(state).label}"}


def _close_moved_claim_alerts(now) -> int:
    from gridgov.tasks.models import Claim

    same = Claim.objects.filter(pk=OuterRef("item_id"), state=OuterRef("stage"), due_at=OuterRef("due_at"))
    return Alert.objects.filter(item_type=ItemType.CLAIM, closed_at=None).exclude(Exists(same)).update(closed_at=now)


# ---------------------------------------------------------------- raising


def _raise(item_type: str, rows, now) -> int:
    """Create the missing alerts (and the handler's overdue alert under a level-2 one) in bulk."""
    rows = list(rows)
    if not rows:
        return 0
    nodes = {node.pk: node for node in Node.objects.filter(pk__in={row["node_id"] for row in rows})}
    recipients_cache: dict = {}
    alerts = []
    for row in rows:
        node = nodes[row["node_id"]]
        handler_id = _responsible(row, node, recipients_cache)
        levels = [AlertLevel.OVERDUE, AlertLevel.ESCALATED] if row["needed"] == AlertLevel.ESCALATED else [row["needed"]]
        for level in levels:
            recipient_id = handler_id if level < AlertLevel.ESCALATED else _above(row, node, handler_id,
                                                                                  recipients_cache)
            alerts.append(Alert(item_type=item_type, item_id=row["item_id"], level=level, stage=row["stage"],
                                due_at=row["due_at"], title=row["title"][:200], node_id=node.pk, node_path=node.path,
                                recipient_id=recipient_id, created_at=now))
    Alert.objects.bulk_create(alerts, batch_size=2000, ignore_conflicts=True)
    if len(alerts) >= ANALYZE_AFTER:
        _refresh_statistics(Alert)
    overdue = [row["item_id"] for row in rows if row["needed"] >= AlertLevel.OVERDUE]
    if overdue:  # "due soon" is stale once the item is late
        Alert.objects.filter(item_type=item_type, item_id__in=overdue, level=AlertLevel.DUE_SOON,
                             closed_at=None).update(closed_at=now)
    return len(alerts)


def _refresh_statistics(model) -> None:
    """After a burst of new alerts, let PostgreSQL see them now rather than at autovacuum's next pass: with the
    statistics of a near-empty table it plans the "not yet alerted" anti-join as a nested loop over every open
    alert, and the next scans of a big backlog took seconds instead of milliseconds until ANALYZE ran."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def _responsible(row, node, cache) -> int | None:
    """The person whose move it is: the handler, or for a claim waiting on a decision, the decider."""
    role = row.get("waits_on")
    if role is None:
        return row["handler_id"]
    key = ("holder", node.pk, role)
    if key not in cache:
        person = routing.nearest_holder(node=node, roles=[role])
        cache[key] = person.pk if person else None
    return cache[key]


def _above(row, node, handler_id, cache) -> int | None:
    key = ("above", node.pk, handler_id)
    if key not in cache:
        from gridgov.orgs.models import Person

        handler = Person.objects.filter(pk=handler_id).first() if handler_id else None
        person = routing.cadre_above(node=node, role=routing.role_at(person=handler, node=node))
        cache[key] = person.pk if person else None
    return cache[key]


def describe(result: ScanResult) -> str:
    raised = ", ".join(f"{ItemType(kind).label}: {count}" for kind, count in result.raised.items()) or "0"
    return _("Alerts raised (%(raised)s), closed %(closed)d, reports closed automatically %(auto)d.") % {
        "raised": raised, "closed": result.closed, "auto": result.auto_closed}
