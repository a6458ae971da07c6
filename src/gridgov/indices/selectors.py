"""Reads: runs, ranking tables, an entity's explanation and history, the public organisation page, stats."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from gridgov.indices import wording
from gridgov.indices.models import (
    ActivityRecord,
    Assessment,
    Computation,
    ComputationState,
    EntityKind,
    Index,
    NewsItem,
    OrgCode,
    RuleSet,
    Run,
    RunState,
    Score,
    Standing,
)
from gridgov.indices.sources import INDEX_SOURCE, SOURCES, entity_events
from gridgov.orgs.models import Node

SHOWN_STATES = (RunState.PUBLISHED, RunState.DRAFT)


def runs_of(scheme: str, *, published_only: bool = False):
    states = [RunState.PUBLISHED] if published_only else list(SHOWN_STATES)
    return Run.objects.filter(scheme=scheme, state__in=states).select_related("rule_set").order_by("-period", "state")


def schemes() -> list[RuleSet]:
    """The current version of each scheme."""
    seen, result = set(), []
    for rule_set in RuleSet.objects.order_by("code", "-version"):
        if rule_set.code not in seen:
            seen.add(rule_set.code)
            result.append(rule_set)
    return result


def run_for(scheme: str, period: str | None = None, *, published_only: bool = False) -> Run | None:
    """The period's published run (or its draft, unless ``published_only``); the latest period if none given."""
    runs = runs_of(scheme, published_only=published_only)
    if period:
        runs = runs.filter(period=period)
    return runs.order_by("-period", "-state").first()  # "published" > "draft"


@dataclass
class Row:
    standing: Standing
    name: str
    scores: list = field(default_factory=list)
    index_names: list = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, object]]:
        """(index name, score or None) per index: what a phone card labels each score with."""
        return list(zip(self.index_names, self.scores))


def ranking(run: Run, *, parent: Node | None = None, limit: int | None = None) -> tuple[list[Index], list[Row]]:
    """The run's standings (under ``parent``, or all), best first, with each index's score and rank."""
    indices = list(run.rule_set.indices.all())
    standings = run.standings.order_by("parent_id", "rank", "pk")
    if parent is not None:
        standings = standings.filter(parent_id=parent.pk)
    standings = standings.select_related("node", "person")
    if limit:
        standings = standings[:limit]
    standings = list(standings)
    column = "node_id" if run.rule_set.entity_kind == EntityKind.NODE else "person_id"
    ids = [getattr(s, column) for s in standings]
    scores: dict = {}
    for score in Score.objects.filter(run=run, **{f"{column}__in": ids}).only(column, "index_id", "value", "rank"):
        scores[(getattr(score, column), score.index_id)] = score
    rows = []
    for standing in standings:
        entity = standing.node or standing.person
        rows.append(Row(standing, entity.name if entity else "—",
                        [scores.get((getattr(standing, column), index.pk)) for index in indices],
                        [index.name for index in indices]))
    return indices, rows


def ranking_parents(run: Run) -> list[Node]:
    ids = run.standings.values_list("parent_id", flat=True).distinct()
    return list(Node.objects.filter(pk__in=ids).order_by("path"))


def ranking_parents_of(runs: list[Run]) -> dict[int, list[Node]]:
    """``ranking_parents`` of many runs in two queries (the index page lists a few runs of every scheme)."""
    pairs = set(Standing.objects.filter(run__in=runs).values_list("run_id", "parent_id").distinct())
    nodes = Node.objects.in_bulk({parent_id for _run_id, parent_id in pairs if parent_id is not None})
    parents: dict[int, list[Node]] = {run.pk: [] for run in runs}
    for run_id, parent_id in pairs:
        if parent_id in nodes:
            parents[run_id].append(nodes[parent_id])
    return {run_id: sorted(found, key=lambda node: node.path) for run_id, found in parents.items()}


@dataclass
class IndicatorLine:
    indicator: object
    raw: float
    normalised: float
    contribution: float
    events: list

    @property
    def source_label(self) -> str:
        return wording.source_label(self.indicator.source)

    @property
    def filter_text(self) -> str:
        return wording.filter_text(self.indicator.filter or {})

    @property
    def event_texts(self) -> list[str]:
        return [wording.event_text(event) for event in self.events]


def explain(standing: Standing, *, with_events: bool = True) -> dict:
    """Which indices, indicators, weights and events produced this standing, and which colour rule."""
    run = standing.run
    rule_set = run.rule_set
    entity_filter = {"node": standing.node} if standing.node_id else {"person": standing.person}
    scores = {score.index_id: score for score in Score.objects.filter(run=run, **entity_filter)}
    parts = []
    for index in rule_set.indices.prefetch_related("indicators"):
        score = scores.get(index.pk)
        lines = []
        for indicator in index.indicators.all():
            raw, normalised, contribution = (score.breakdown.get(indicator.code) if score else None) or [0, 0, 0]
            found = []
            if with_events and indicator.source != INDEX_SOURCE:
                found = entity_events(SOURCES[indicator.source], period=run.period, filter=indicator.filter,
                                      node=standing.node, person_id=standing.person_id, limit=20)
            lines.append(IndicatorLine(indicator, raw, normalised, contribution, found))
        parts.append({"index": index, "score": score, "lines": lines})
    rules = list(rule_set.colour_rules.all())
    position = standing.explanation.get("colour_rule")
    return {"standing": standing, "run": run, "parts": parts,
            "colour_rule": rules[position] if position is not None and position < len(rules) else None,
            "facts": standing.explanation.get("facts", {})}


def history(*, scheme: str, node: Node | None = None, person=None, published_only: bool = False) -> list[dict]:
    """Per period (oldest first): the entity's standing and its index scores."""
    runs = list(runs_of(scheme, published_only=published_only))
    chosen: dict[str, Run] = {}
    for run in runs:  # per period the published run, else the draft
        if run.period not in chosen or run.state == RunState.PUBLISHED:
            chosen[run.period] = run
    entity = {"node": node} if node is not None else {"person": person}
    standings = {s.run_id: s for s in Standing.objects.filter(run__in=chosen.values(), **entity)}
    scores: dict = {}
    for score in Score.objects.filter(run__in=chosen.values(), **entity).select_related("index"):
        scores.setdefault(score.run_id, []).append(score)
    result = []
    for period in sorted(chosen):
        run = chosen[period]
        if run.pk in standings:
            result.append({"period": period, "run": run, "standing": standings[run.pk],
                           "scores": sorted(scores.get(run.pk, []), key=lambda s: s.index.order)})
    return result


def org_code_of(node: Node) -> OrgCode | None:
    """The organisation's QR code, if it has been issued (reading never issues one)."""
    return OrgCode.objects.filter(node=node).first()


def org_code_by_slug(slug: str) -> OrgCode | None:
    return OrgCode.objects.select_related("node").filter(slug=slug).first()


def public_view(node: Node) -> list[dict]:
    """For the public page: each organisation scheme's published history. Nothing about people."""
    result = []
    for rule_set in schemes():
        if rule_set.entity_kind != EntityKind.NODE:
            continue
        rows = history(scheme=rule_set.code, node=node, published_only=True)
        if rows:
            result.append({"rule_set": rule_set, "history": rows, "current": rows[-1]})
    return result


def chart_svg(points: list[tuple[str, float]], *, width: int = 360, height: int = 180) -> dict:
    """Bar geometry for a server-rendered SVG chart (no JavaScript): one bar per period. The view box is about
    a phone's width, so its 14-unit labels (``indices.css``) never render below 12 px on one."""
    if not points:
        return {"bars": [], "width": width, "height": height}
    top = max([value for _label, value in points] + [1.0])
    left, bottom, gap = 44, 26, 8
    slot = (width - left) / len(points)
    bars = []
    for position, (label, value) in enumerate(points):
        bar_height = max(value, 0) / top * (height - bottom - 16)
        x = left + position * slot + gap / 2
        bars.append({"x": round(x, 1), "y": round(height - bottom - bar_height, 1), "width": round(slot - gap, 1),
                     "height": round(bar_height, 1), "label": label, "value": round(value, 2),
                     "label_x": round(x + (slot - gap) / 2, 1)})
    return {"bars": bars, "width": width, "height": height, "top": round(top, 2), "axis_y": height - bottom}


def indices_stats() -> dict:
    colours = dict(Standing.objects.filter(run__state=RunState.PUBLISHED, node__isnull=False).exclude(colour="")
                   .values_list("colour").annotate(n=Count("pk")).order_by())
    return {
        "index_rule_sets": RuleSet.objects.count(),
        "index_runs": Run.objects.count(),
        "index_runs_published": Run.objects.filter(state=RunState.PUBLISHED).count(),
        "index_standings": Standing.objects.count(),
        "index_colours_published": colours,
        "index_activities": ActivityRecord.objects.count(),
        "index_news_items": NewsItem.objects.count(),
        "index_assessments": Assessment.objects.count(),
        "organisation_codes": OrgCode.objects.count(),
    }


def open_computation(scheme: str, period: str):
    """The request computing this period now, if any."""
    return (Computation.objects.filter(scheme=scheme, period=period,
                                       state__in=[ComputationState.QUEUED, ComputationState.RUNNING]).first())


def progress(computation) -> dict:
    """How far a computation has come: seconds since it started, and the share of the time the last finished
    computation of the same scheme took (None before the first one; at most 95 % while it still runs)."""
    now = timezone.now()
    elapsed = ((computation.finished_at or now) - computation.started_at).total_seconds() \
        if computation.started_at else 0.0
    last = (Computation.objects.filter(scheme=computation.scheme, state=ComputationState.DONE,
                                       started_at__isnull=False, finished_at__isnull=False)
            .exclude(pk=computation.pk).order_by("-finished_at").first())
    expected = (last.finished_at - last.started_at).total_seconds() if last else None
    if not computation.is_open:
        percent = 100
    elif computation.started_at is None:
        percent = 0
    else:
        percent = min(95, round(100 * elapsed / expected)) if expected else None
    return {"elapsed": round(elapsed), "expected": round(expected) if expected is not None else None,
            "percent": percent}


# ---------------------------------------------------------------- the cockpit's figures


@dataclass
class ColourChange:
    """One scheme's colours for the organisations in a subtree: its latest published run and the one before."""

    rule_set: RuleSet
    period: str
    previous_period: str | None
    colours: dict[int, str]  # node id -> colour in ``period``
    previous: dict[int, str]  # node id -> colour in ``previous_period``
    paths: dict[int, str]  # node id -> path


def colour_changes(*, node: Node) -> list[ColourChange]:
    """For every scheme scoring organisations, the colours under ``node`` in its latest published month and the
    month before. A few queries per scheme, none per organisation."""
    result = []
    for rule_set in schemes():
        if rule_set.entity_kind != EntityKind.NODE:
            continue
        runs = list(runs_of(rule_set.code, published_only=True)[:2])
        if not runs:
            continue
        rows = (Standing.objects.filter(run__in=runs, node__path__startswith=node.path)
                .values_list("run_id", "node_id", "node__path", "colour"))
        colours: dict[int, dict[int, str]] = {run.pk: {} for run in runs}
        paths = {}
        for run_id, node_id, path, colour in rows:
            colours[run_id][node_id] = colour
            paths[node_id] = path
        result.append(ColourChange(rule_set=runs[0].rule_set, period=runs[0].period,
                                   previous_period=runs[1].period if len(runs) > 1 else None,
                                   colours=colours[runs[0].pk], previous=colours[runs[1].pk] if len(runs) > 1 else {},
                                   paths=paths))
    return result
