"""The cockpit's figures and the map's layers for one area (a street, a community, a grid …).

Every figure is set-based: each block is a fixed number of grouped queries over the area's subtree, whatever the
number of grids or postings, and the per-child figures the map colours its areas by come from the same grouped
queries (keyed by the child's path). The cockpit is a reader on the top floor: it reads the other apps only
through their selectors.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.models import AlertLevel
from gridgov.deadlines.selectors import open_alerts_by_level
from gridgov.indices import selectors as indices
from gridgov.indices.models import Colour
from gridgov.ledger import journal
from gridgov.ledger import selectors as ledger
from gridgov.ledger.aggregates import level_column
from gridgov.navigation import door
from gridgov.orgs.models import Node
from gridgov.orgs.selectors import ancestors
from gridgov.orgs.tree import BUDGET_KINDS
from gridgov.reports import selectors as reports
from gridgov.tasks import selectors as tasks

WEEKS = 8  # weeks shown in the weekly charts, this one included
TOP = 5  # grids and workers shown at each end of the rankings
MARKERS = 500  # open reports placed on the map at most (the most urgent first), and as many pieces of located work
COLOUR_ORDER = [Colour.RED, Colour.GREEN, Colour.TEA, Colour.GREY]  # best first
AREA_FIGURES = ("tasks_open", "claims_overdue", "to_evaluate", "to_audit", "reports_open", "reports_overdue",
                "points", "earners")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    list_name: str  # the list behind the figure (a ``LINKED`` name; linked only for those who may open it)
    urgent: bool = False


@dataclass
class Area:
    """One child of the area: its figures (as ``AREA_FIGURES``) and its colour on each scheme."""

    node: Node
    figures: dict[str, int]
    colours: dict[str, str] = field(default_factory=dict)  # scheme code -> colour this month


@dataclass
class Cockpit:
    node: Node
    trail: list[Node]
    period: str
    work: list[Figure]
    alerts: list[Figure]
    weeks: list[dict]
    categories: list[dict]
    budgets: list
    colours: list[dict]
    areas: list[Area]
    top_grids: list[dict]
    bottom_grids: list[dict]
    top_workers: list
    bottom_workers: list


# The lists the cockpit links to, by a name templates can use → their URL name.
LINKED = {name.replace(":", "_"): name for name in (
    "tasks:published", "tasks:overdue", "tasks:evaluation_queue", "tasks:audit_queue", "reports:queue",
    "reports:alerts", "ledger:budgets", "ledger:ranking", "indices:home")}


def links_for(person) -> dict[str, str]:
    """The lists behind the cockpit's figures that ``person`` may open (``LINKED`` name → address, "" where
    not)."""
    return {name: door(person, url_name) for name, url_name in LINKED.items()}


def shown(figures: list[Figure], links: dict[str, str]) -> list[dict]:
    """Figures as pages and the API show them: with the address of their list, where the viewer may open it."""
    return [{"key": figure.key, "label": figure.label, "value": figure.value, "url": links.get(figure.list_name, ""),
             "urgent": figure.urgent} for figure in figures]


def week_starts(now, weeks: int = WEEKS) -> list:
    """The Mondays (local dates) of the last ``weeks`` weeks, this one last."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def children_of(node: Node) -> list[Node]:
    return list(Node.objects.filter(path__startswith=node.path, depth=node.depth + 1).order_by("path"))


def area_figures(node: Node, *, now=None) -> tuple[list[Node], dict[str, dict[str, int]]]:
    """The children of ``node`` and, per child path (and ``node``'s own path for work placed at ``node`` itself),
    the ``AREA_FIGURES``. Six queries (five grouped, and the area's node ids for the claims)."""
    now = now or timezone.now()
    depth = node.depth + 1
    figures: dict[str, dict[str, int]] = {}
    sources = [tasks.work_under(node=node, depth=depth, now=now), reports.reports_under(node=node, depth=depth, now=now),
               ledger.earned_under(node=node, depth=depth, period=journal.current_period(now))]
    for source in sources:
        for path, values in source.items():
            figures.setdefault(path, dict.fromkeys(AREA_FIGURES, 0)).update(values)
    return children_of(node), figures


def _areas(node: Node, now) -> tuple[list[Area], dict[str, dict[str, int]]]:
    """The children of ``node`` as ``Area`` rows (a child with nothing counted gets zeros), and the figures by path."""
    children, figures = area_figures(node, now=now)
    return [Area(child, figures.get(child.path, dict.fromkeys(AREA_FIGURES, 0))) for child in children], figures


def _totals(figures: dict[str, dict[str, int]]) -> dict[str, int]:
    return {name: sum(values[name] for values in figures.values()) for name in AREA_FIGURES}


def _work(totals: dict[str, int]) -> list[Figure]:
    return [
        Figure("tasks_open", str(_("Tasks open to claim")), totals["tasks_open"], "tasks_published"),
        Figure("claims_overdue", str(_("Work overdue")), totals["claims_overdue"], "tasks_overdue",
               urgent=True),
        Figure("to_evaluate", str(_("Waiting for evaluation")), totals["to_evaluate"],
               "tasks_evaluation_queue", urgent=True),
        Figure("to_audit", str(_("Waiting for audit")), totals["to_audit"], "tasks_audit_queue", urgent=True),
        Figure("reports_open", str(_("Open work orders")), totals["reports_open"], "reports_queue"),
        Figure("reports_overdue", str(_("Work orders overdue")), totals["reports_overdue"], "reports_queue",
               urgent=True),
    ]


def _alerts(node: Node) -> list[Figure]:
    counts = open_alerts_by_level(node=node)
    return [Figure(f"alerts_{level.value}", str(level.label), counts[level.value], "reports_alerts",
                   urgent=level != AlertLevel.DUE_SOON) for level in AlertLevel]


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def weekly(node: Node, *, now=None) -> list[dict]:
    """Per week: reports filed, the share resolved and resolved in time, points granted. Both read the weekly
    totals their apps keep, by the Mondays of ``week_starts`` (two queries, whatever the size of the area)."""
    starts = week_starts(now or timezone.now())
    handled = reports.handling_by_week(node=node, mondays=starts)
    granted = ledger.granted_by_week(node=node, mondays=starts)
    rows = []
    for start in starts:
        row = handled[start]
        rows.append({"week": start, "label": start.strftime("%m-%d"), "filed": row["filed"],
                     "closure": _percent(row["resolved"], row["filed"]), "on_time": _percent(row["on_time"],
                                                                                              row["filed"]),
                     "points": granted[start]})
    return rows


def by_category(node: Node, *, now=None) -> list[dict]:
    mondays = week_starts(now or timezone.now())
    return [{"name": row["category__name"], "filed": row["filed"], "closure": _percent(row["resolved"], row["filed"]),
             "on_time": _percent(row["on_time"], row["filed"])}
            for row in reports.handling_by_category(node=node, mondays=mondays)]


def colours(node: Node, areas: list[Area] | None = None) -> list[dict]:
    """Per scheme: how many organisations hold each colour this month and last, and how many moved up or down.
    Fills each area's colour when ``areas`` are given."""
    rank = {colour: index for index, colour in enumerate(COLOUR_ORDER)}
    result = []
    by_path = {area.node.path: area for area in areas or []}
    for change in indices.colour_changes(node=node):
        now_counts = {colour: 0 for colour in COLOUR_ORDER}
        before_counts = {colour: 0 for colour in COLOUR_ORDER}
        up = down = 0
        for node_id, colour in change.colours.items():
            if colour in now_counts:
                now_counts[colour] += 1
            before = change.previous.get(node_id)
            if before in rank and colour in rank:
                up += rank[colour] < rank[before]
                down += rank[colour] > rank[before]
            area = by_path.get(change.paths[node_id])
            if area is not None and colour:
                area.colours[change.rule_set.code] = colour
        for colour in change.previous.values():
            if colour in before_counts:
                before_counts[colour] += 1
        result.append({"code": change.rule_set.code, "name": change.rule_set.name, "period": change.period,
                       "previous_period": change.previous_period, "up": up, "down": down,
                       "counts": [{"colour": colour, "label": str(Colour(colour).label), "now": now_counts[colour],
                                   "before": before_counts[colour], "change": now_counts[colour] - before_counts[colour]}
                                  for colour in COLOUR_ORDER]})
    return result


def _grids(node: Node, period: str) -> tuple[list[dict], list[dict]]:
    if level_column(node) not in ("street_id", "community_id"):
        return [], []
    ranked = ledger.earned_by_grid(node=node, period=period)
    names = dict(Node.objects.filter(pk__in=[grid_id for grid_id, _points in ranked]).values_list("pk", "name"))
    rows = [{"name": names.get(grid_id, "—"), "points": points} for grid_id, points in ranked]
    return rows[:TOP], list(reversed(rows[TOP:]))[:TOP]


def _workers(node: Node, period: str) -> tuple[list, list]:
    if level_column(node) is None:
        return [], []
    top = ledger.ranking(node=node, period=period, limit=TOP)
    shown = {row.account_id for row in top}
    bottom = [row for row in ledger.least_earning(node=node, period=period, limit=TOP) if row.account_id not in shown]
    return top, bottom


def trail(node: Node, viewer_roots: list[Node]) -> list[Node]:
    """The nodes above ``node`` the viewer may open, outermost first (the way back up)."""
    roots = [root.path for root in viewer_roots]
    return [above for above in ancestors(node) if any(above.path.startswith(root) for root in roots)]


def cockpit(node: Node, *, viewer_roots: list[Node], now=None) -> Cockpit:
    """Everything the cockpit of ``node`` shows. ``viewer_roots`` are the topmost nodes the viewer may open (the
    trail of links upwards stops there)."""
    now = now or timezone.now()
    period = journal.current_period(now)
    areas, figures = _areas(node, now)
    top_grids, bottom_grids = _grids(node, period)
    top_workers, bottom_workers = _workers(node, period)
    budget_nodes = [node] if node.kind in BUDGET_KINDS else []
    budget_nodes += [area.node for area in areas if area.node.kind in BUDGET_KINDS]
    return Cockpit(
        node=node, trail=trail(node, viewer_roots), period=period, work=_work(_totals(figures)), alerts=_alerts(node),
        weeks=weekly(node, now=now), categories=by_category(node, now=now),
        budgets=list(ledger.budgets_for(budget_nodes, period)), colours=colours(node, areas), areas=areas,
        top_grids=top_grids, bottom_grids=bottom_grids, top_workers=top_workers, bottom_workers=bottom_workers,
    )


def map_layers(node: Node, *, now=None) -> dict:
    """What the map colours ``node``'s children by, per child code, and what it places as markers: the open
    reports and the work whose evidence carries a location."""
    now = now or timezone.now()
    areas, _figures = _areas(node, now)
    schemes = colours(node, areas)
    return {
        "node": {"code": node.code, "name": node.name, "kind": node.kind},
        "schemes": [{"code": scheme["code"], "name": scheme["name"], "period": scheme["period"]} for scheme in schemes],
        "areas": [{"code": area.node.code, "name": area.node.name, "kind": area.node.kind, **area.figures,
                   "colours": area.colours} for area in areas],
        "reports": reports.located_open_reports(node=node, limit=MARKERS, now=now),
        "claims": tasks.located_claims(node=node, limit=MARKERS, now=now),
    }
