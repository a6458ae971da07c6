"""The deadline scan: alerts on registered items that are due soon or late (SPEC §5).

``scan_deadlines(now=...)`` runs every five minutes (``gridgov deadlines scan`` from a systemd timer or cron,
or the ``scan_deadlines_job`` background job; see docs/operations.md). Each registered source is read with ONE
query over its indexed due time that also excludes items already alerted at the level they need, so a scan of
a million open items reads only the few that are late and not yet alerted.

Levels: 0 due within the source's ``due_soon`` (to the one whose move it is), 1 overdue (to them), 2 still
overdue after the source's ``grace`` (to the cadre above them, and seen by every supervisor over the item's
node). Alerts are idempotent (a conditional unique constraint: one open alert per item and level) and are
closed when the item moves on: by the owner's services at once (``close_alerts``), else by the next scan.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils.translation import gettext as _

from gridgov.deadlines import inbox
from gridgov.deadlines.models import Alert, AlertLevel
from gridgov.deadlines.registry import SOURCES, DeadlineSource
from gridgov.orgs.models import Node, Person
from gridgov.orgs.tree import answers_to, nearest_holder, role_at

MAX_NEW_PER_SCAN = 20_000  # a first scan of a big backlog raises alerts in slices, never all in one go
ANALYZE_AFTER = 1_000  # new alerts in one scan after which PostgreSQL's statistics are refreshed at once


@dataclass
class ScanResult:
    raised: dict = field(default_factory=dict)
    closed: int = 0
    followed_up: dict = field(default_factory=dict)  # source code -> what its ``after_scan`` did


def scan_deadlines(*, now, minute_precision_only: bool = False) -> ScanResult:
    """For every source (or only those with ``minute_precision``, for ``gridgov deadlines watch``): close alerts
    of items that moved, raise the missing ones, run its follow-up."""
    result = ScanResult()
    for source in SOURCES.values():
        if minute_precision_only and not source.minute_precision:
            continue
        result.closed += _close_moved(source, now)
        result.raised[source.code] = _raise(source, _late_rows(source, now), now)
        if source.after_scan is not None:
            result.followed_up[source.code] = source.after_scan(now)
    return result


def close_alerts(*, item_type: str, item_ids, now) -> int:
    """Close the open alerts of items that just moved on (the owner's services call this at once)."""
    return Alert.objects.filter(item_type=item_type, item_id__in=list(item_ids), closed_at=None).update(closed_at=now)


def late_query(source: DeadlineSource, now):
    """The one query: items due by ``now + due_soon`` (the source's partial index on its due time) not yet
    alerted at the level they need, the longest overdue first. Ordered by the indexed column on purpose: with a
    model's default ordering (``-created_at``) SQLite walks another index over every row."""
    due = source.due_field
    needed = Case(
        When(**{f"{due}__lte": now - source.grace}, then=Value(AlertLevel.ESCALATED)),
        When(**{f"{due}__lte": now}, then=Value(AlertLevel.OVERDUE)),
        default=Value(AlertLevel.DUE_SOON), output_field=IntegerField(),
    )
    alerted = Alert.objects.filter(item_type=source.code, item_id=OuterRef("pk"), level=OuterRef("needed"),
                                   closed_at=None)
    return (source.model.objects.filter(source.open, **{f"{due}__lte": now + source.due_soon})
            .annotate(needed=needed).filter(~Exists(alerted)).order_by(due, "pk"))


def _late_rows(source: DeadlineSource, now):
    names = ["pk", "needed", source.stage_field, source.due_field, f"{source.node_field}_id",
             f"{source.node_field}__path", source.handler_field, *source.fields]
    for values in late_query(source, now).values_list(*names)[:MAX_NEW_PER_SCAN]:
        row = dict(zip(["item_id", "needed", "stage", "due_at", "node_id", "node_path", "handler_id"], values))
        described = {**row, **dict(zip(source.fields, values[7:]))}
        row["title"] = str(source.title(described))
        row["words"] = str(source.words(described)) if source.words else row["title"]
        row["waits_on"] = source.waits_on.get(row["stage"])
        yield row


def _close_moved(source: DeadlineSource, now) -> int:
    same = source.model.objects.filter(pk=OuterRef("item_id"), **{source.stage_field: OuterRef("stage"),
                                                                  source.due_field: OuterRef("due_at")})
    return (Alert.objects.filter(item_type=source.code, closed_at=None).exclude(Exists(same))
            .update(closed_at=now))


def _raise(source: DeadlineSource, rows, now) -> int:
    """Create the missing alerts (and the handler's overdue alert under a level-2 one) in bulk."""
    rows = list(rows)
    if not rows:
        return 0
    nodes = {node.pk: node for node in Node.objects.filter(pk__in={row["node_id"] for row in rows})}
    cache: dict = {}
    alerts = []
    for row in rows:
        node = nodes[row["node_id"]]
        handler_id = _responsible(row, node, cache)
        levels = [AlertLevel.OVERDUE, AlertLevel.ESCALATED] if row["needed"] == AlertLevel.ESCALATED else [row["needed"]]
        for level in levels:
            recipient_id = (handler_id if level < AlertLevel.ESCALATED
                            else _above(node, handler_id, cache, source.escalate_to))
            alerts.append(Alert(item_type=source.code, item_id=row["item_id"], level=level, stage=row["stage"],
                                due_at=row["due_at"], title=row["title"][:200], node_id=node.pk, node_path=node.path,
                                recipient_id=recipient_id, created_at=now))
    last_before = Alert.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Alert.objects.bulk_create(alerts, batch_size=2000, ignore_conflicts=True)
    raised = (Alert.objects.filter(pk__gt=last_before, item_type=source.code, created_at=now)  # not the ignored ones
              .values_list("recipient_id", "item_id", "level", "node_id", "due_at"))
    inbox.alerts_raised(source, raised, {row["item_id"]: row["words"] for row in rows}, now=now)
    if len(alerts) >= ANALYZE_AFTER:
        _refresh_statistics()
    overdue = [row["item_id"] for row in rows if row["needed"] >= AlertLevel.OVERDUE]
    if overdue:  # "due soon" is stale once the item is late
        Alert.objects.filter(item_type=source.code, item_id__in=overdue, level=AlertLevel.DUE_SOON,
                             closed_at=None).update(closed_at=now)
    return len(alerts)


def _refresh_statistics() -> None:
    """After a burst of new alerts, let PostgreSQL see them now rather than at autovacuum's next pass: with the
    statistics of a near-empty table it plans the "not yet alerted" anti-join as a nested loop over every open
    alert, and the next scans of a big backlog took seconds instead of milliseconds until ANALYZE ran."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{Alert._meta.db_table}"')


def _responsible(row, node, cache) -> int | None:
    """The person whose move it is: the handler, or for an item waiting on a role's decision, its nearest holder."""
    role = row["waits_on"]
    if role is None:
        return row["handler_id"]
    key = ("holder", node.pk, role)
    if key not in cache:
        person = nearest_holder(node=node, roles=[role])
        cache[key] = person.pk if person else None
    return cache[key]


def _above(node, handler_id, cache, roles=()) -> int | None:
    """Whom an escalation goes to: the nearest holder of the source's ``escalate_to`` roles (not the handler),
    else whom the handler answers to."""
    key = ("above", node.pk, handler_id, roles)
    if key not in cache:
        handler = Person.objects.filter(pk=handler_id).first() if handler_id else None
        person = next((found for role in roles if (found := nearest_holder(node=node, roles=[role], exclude=handler))),
                      None) or answers_to(node=node, role=role_at(person=handler, node=node))
        cache[key] = person.pk if person else None
    return cache[key]


def describe(result: ScanResult) -> str:
    raised = ", ".join(f"{SOURCES[code].label if code in SOURCES else code} {count}"
                      for code, count in result.raised.items()) or "0"
    followed = "".join(f"; {SOURCES[code].after_scan_label} {count}" for code, count in result.followed_up.items()
                       if count and code in SOURCES)
    return _("Alerts raised: %(raised)s; closed: %(closed)d%(followed)s.") % {
        "raised": raised, "closed": result.closed, "followed": followed}
