"""Reading reports and alerts as a given person may see them, and the figures the supervisor watches."""

from datetime import date, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridgov.orgs.models import Node
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import ancestor_at, path_length, under
from gridgov.reports.models import OPEN_STATES, Category, EscalationLevel, Report, ReportState, ReportWeek
from gridgov.sql import AnyOf, area_first


def categories():
    return Category.objects.filter(is_active=True).order_by("order", "pk")


def reports_of(*, reporter):
    return (Report.objects.filter(reporter=reporter).select_related("category", "node", "handler")
            .order_by("-created_at", "-pk"))


def handler_queue(*, person):
    """Open reports the person handles, most urgent first."""
    return (Report.objects.filter(handler=person, state__in=OPEN_STATES).select_related("category", "node", "reporter")
            .order_by(F("due_at").asc(nulls_last=True), "pk"))


def reports_visible_to(*, person):
    """Reports in the area of the person's handling, dispatching or oversight roles."""
    return (Report.objects.filter(under(role_paths(person, "report.view"), "node__path"))
            .select_related("category", "node", "handler", "reporter"))


def report_visible(*, person, report: Report) -> bool:
    if person is None:
        return False
    if person.pk in (report.reporter_id, report.handler_id):
        return True
    return any(report.node.path.startswith(path) for path in role_paths(person, "report.view"))


def overdue_reports_under(*, node: Node, now=None):
    """The overdue reports of ``node``'s subtree, the longest overdue first: read by the area's node ids on the
    partial index of open reports, a small area's sorted rather than found on a walk of the installation's deadlines
    (``gridgov.sql.area_first``; joined by path, the planner guessed 7 nodes for a street of 535 and a large
    street's list grew ×2.6 from 1 % to 10 % of a province, issue 18)."""
    now = now or timezone.now()
    paths = _area_paths(node)
    overdue = _in_area(Report.objects.filter(state__in=OPEN_STATES, due_at__lte=now), node, paths)
    # As for the overdue claims: with ``due_at <= now`` as an index condition the planner still walks the deadlines.
    late = Coalesce(F("due_at"), F("due_at"))
    to_sort = _in_area(Report.objects.alias(late=late).filter(state__in=OPEN_STATES, late__lte=now), node, paths)
    related = ("category", "node", "handler")
    return area_first(overdue.select_related(*related), "due_at", "pk", to_sort=to_sort.select_related(*related))


HANDLING_WINDOW_DAYS = 90  # the mean handling time is of the reports resolved in the last 90 days


def overdue_by_level(*, node: Node, now=None) -> list[dict]:
    """Open and overdue reports at each escalation level (grid, community, street) in ``node``'s subtree, and the
    mean handling time of those resolved in the last ``HANDLING_WINDOW_DAYS`` days. Read by the area's node ids."""
    now = now or timezone.now()
    paths = _area_paths(node)
    rows = (_in_area(Report.objects.filter(state__in=OPEN_STATES), node, paths).values("escalation")
            .annotate(open=Count("node_id"), overdue=Count("node_id", filter=Q(due_at__lte=now))).order_by())
    # (counted by a column of reports_report_open_node_idx, not the id: read from the index alone)
    by_level = {row["escalation"]: row for row in rows}
    averages = average_handling_hours(node=node, now=now, paths=paths)
    return [
        {"level": level.value, "label": str(level.label), "open": by_level.get(level.value, {}).get("open", 0),
         "overdue": by_level.get(level.value, {}).get("overdue", 0), "average_hours": averages.get(level.value)}
        for level in EscalationLevel
    ]


def average_handling_hours(*, node: Node, now=None, paths=None) -> dict[int, float | None]:
    """Mean hours from report to resolution, per escalation level, of the subtree's reports resolved in the last
    ``HANDLING_WINDOW_DAYS`` days: the area's pace now, read per node on a range of the index of resolved reports.
    Over every resolved report it was a read of the area's whole history (issue 18: the largest query of a
    county street cadre's home page on SQLite)."""
    now = now or timezone.now()
    paths = _area_paths(node) if paths is None else paths
    duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    since = now - timedelta(days=HANDLING_WINDOW_DAYS)
    recent = Report.objects.filter(resolved_at__isnull=False, resolved_at__gt=since)
    rows = _in_area(recent, node, paths).values("escalation").annotate(mean=Avg(duration)).order_by()
    return {row["escalation"]: round(row["mean"].total_seconds() / 3600, 1) if row["mean"] else None for row in rows}


def reports_stats(now=None) -> dict:
    """Counts for ``gridgov stats``."""
    now = now or timezone.now()
    per_state = dict(Report.objects.values_list("state").annotate(n=Count("pk")).order_by())
    return {
        "reports": {state.value: per_state.get(state.value, 0) for state in ReportState},
        "reports_open": Report.objects.filter(state__in=OPEN_STATES).count(),
        "reports_overdue": Report.objects.filter(due_at__lte=now).count(),
    }


# ---------------------------------------------------------------- the cockpit's figures


AREA_IDS_AT_MOST = 10_000  # an area's nodes listed by id at most (a larger one is joined by path)


def _area_paths(node: Node) -> dict[int, str] | None:
    """The ids of ``node``'s subtree → their paths, or None for an area too large to list (``AREA_IDS_AT_MOST``)."""
    paths = dict(Node.objects.filter(path__startswith=node.path).order_by().values_list("pk", "path")
                 [:AREA_IDS_AT_MOST + 1])
    return None if len(paths) > AREA_IDS_AT_MOST else paths


def _in_area(reports, node: Node, paths: dict[int, str] | None):
    """``reports`` narrowed to ``node``'s subtree: by the list of its node ids (each node's range of the reports'
    indexes that lead with the node; one array parameter on PostgreSQL, ``sql.AnyOf``), by path when the area is
    too large to list."""
    if paths is None:
        return reports.filter(node__path__startswith=node.path)
    return reports.filter(AnyOf(F("node_id"), list(paths)))


def _open_in_area(node: Node, paths: dict[int, str] | None):
    """The open reports of ``node``'s subtree, on the partial index of open reports (``_in_area``)."""
    return _in_area(Report.objects.filter(state__in=OPEN_STATES), node, paths)


def reports_under(*, node: Node, depth: int, now=None) -> dict[str, dict[str, int]]:
    """Open and overdue reports in ``node``'s subtree per node at ``depth`` (its path → counts). Two queries: the
    area's node ids and paths, then its open reports counted per node on the partial index of open reports, by the
    list of ids. Joined by path, the planner read every open report of the installation and kept the area's (4,902
    for a large street's 1,485 at 1 % of a province, issue 18). An area too large to list is joined by path."""
    now = now or timezone.now()
    paths = _area_paths(node)
    # Counted by a column of the index (not the id), so the count can be read from the index alone.
    counts = {"reports_open": Count("node_id"), "reports_overdue": Count("node_id", filter=Q(due_at__lte=now))}
    if paths is None:
        rows = (_open_in_area(node, paths).annotate(key=ancestor_at("node__path", depth)).values("key").order_by()
                .annotate(**counts))
        return {row.pop("key"): row for row in rows}
    stop = path_length(depth)
    result: dict[str, dict[str, int]] = {}
    for row in _open_in_area(node, paths).values("node_id").order_by().annotate(**counts):
        into = result.setdefault(paths[row["node_id"]][:stop], {"reports_open": 0, "reports_overdue": 0})
        into["reports_open"] += row["reports_open"]
        into["reports_overdue"] += row["reports_overdue"]
    return result


def handling_by_week(*, node: Node, mondays: list[date]) -> dict[date, dict[str, int]]:
    """For each of ``mondays`` (local dates, the cockpit's ``week_starts``): reports filed in ``node``'s subtree
    in the week from that Monday, how many of them are resolved, and how many were resolved in time, as Monday →
    counts. One query of the weekly totals the services keep (``ReportWeek``): the subtree's range of the unique
    index in each week, whatever the number of reports."""
    rows = {row.pop("week"): row for row in
            ReportWeek.objects.filter(week__in=mondays, path__startswith=node.path).values("week").order_by()
            .annotate(filed=Sum("filed"), resolved=Sum("resolved"), on_time=Sum("on_time"))}
    return {monday: {name: int((rows.get(monday) or {}).get(name) or 0) for name in ("filed", "resolved", "on_time")}
            for monday in mondays}


def handling_by_category(*, node: Node, mondays: list[date]) -> list[dict]:
    """Per category, the busiest first: reports filed in ``node``'s subtree in the weeks from ``mondays`` (local
    dates), how many of them are resolved and how many were resolved in time. One query of the same weekly totals
    as ``handling_by_week``, by the same weeks: the subtree's range of the index in each (from a first Monday on,
    the path would not bound the scan: every area's rows of those weeks would be read)."""
    rows = (ReportWeek.objects.filter(week__in=mondays, path__startswith=node.path)
            .values("category_id", "category__name").order_by()
            .annotate(filed=Sum("filed"), resolved=Sum("resolved"), on_time=Sum("on_time")))
    return sorted(({**row, "filed": int(row["filed"]), "resolved": int(row["resolved"]), "on_time": int(row["on_time"])}
                   for row in rows if row["filed"]), key=lambda row: (-row["filed"], row["category__name"]))


def located_open_reports(*, node: Node, limit: int, now=None) -> list[dict]:
    """Open reports with a location in ``node``'s subtree for the map (the most urgent first, at most ``limit``):
    the area's open reports, read by its node ids as in ``reports_under``, sorted (two queries)."""
    now = now or timezone.now()
    rows = (_open_in_area(node, _area_paths(node)).filter(latitude__isnull=False, longitude__isnull=False)
            .order_by(F("due_at").asc(nulls_last=True), "pk")
            .values("pk", "latitude", "longitude", "category__name", "state", "due_at")[:limit])
    return [{"id": row["pk"], "lat": float(row["latitude"]), "lon": float(row["longitude"]),
             "category": row["category__name"], "state": row["state"],
             "overdue": bool(row["due_at"] and row["due_at"] <= now)} for row in rows]


def public_replies(*, node: Node, limit: int = 50):
    """Reports about ``node``'s area that their reporters made public and that have been handled: what was
    wrong, what was done, and whether it was done within the time limit (限时处理并公开反馈). The reporter is not
    part of the answer: pages showing these must not name them."""
    rows = (Report.objects.filter(node__path__startswith=node.path, is_public=True, resolved_at__isnull=False)
            .select_related("category", "node").order_by("-resolved_at")
            .only("pk", "text", "resolution", "created_at", "resolved_at", "resolution_due_at", "state",
                  "category__name", "node__name", "node__path"))
    return [{"category": row.category.name, "place": row.node.name, "text": row.text, "resolution": row.resolution,
             "reported_at": row.created_at, "resolved_at": row.resolved_at,
             "in_time": row.resolved_at <= row.resolution_due_at, "state": row.get_state_display()}
            for row in rows[:limit]]
