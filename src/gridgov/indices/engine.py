"""Computing a run: one aggregate query per event source for every indicator and every entity at once
(``sources.aggregate_all``), then arithmetic over those per-entity aggregates (never over events), ranks
within the parent node, stars, tiers and colours, and one bulk write of scores and one of standings.
Computing a draft again replaces its rows: idempotent.
"""

import bisect
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from gridgov.indices import rules
from gridgov.indices.models import Aggregation, EntityKind, Normalisation, Run, RunState, Score, Standing
from gridgov.indices.sources import INDEX_SOURCE, SOURCES, aggregate_all, previous_period
from gridgov.orgs import tree
from gridgov.orgs.models import Node

WORK_MEMORY = "256MB"  # PostgreSQL, for one run's transaction only
SQLITE_CACHE_KIB = 262144  # SQLite, while a run computes


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Rows straight into the table: ``COPY`` on PostgreSQL, one prepared INSERT run over every row on
    SQLite. ``bulk_create`` builds a model instance per row (about 0.3 ms each) and multi-row VALUES cost
    PostgreSQL's client-side binding as much again; at province size (a million scores) either would cost
    more than every aggregate query together."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


@dataclass
class Entities:
    """The scored entities in a fixed order: keys (node path or person id), ids, parents."""

    kind: str
    keys: list = field(default_factory=list)
    ids: list = field(default_factory=list)
    parents: list = field(default_factory=list)
    depths: list = field(default_factory=list)


def entities_of(rule_set) -> Entities:
    entities = Entities(rule_set.entity_kind)
    if rule_set.entity_kind == EntityKind.NODE:
        rows = list(Node.objects.filter(kind__in=rule_set.node_kind_list).order_by("path")
                    .values_list("pk", "path", "depth"))
        parent_paths = {tree.parent_path(path) for _pk, path, _depth in rows}
        parent_ids = dict(Node.objects.filter(path__in=parent_paths).values_list("path", "pk"))
        for pk, path, depth in rows:
            entities.keys.append(path)
            entities.ids.append(pk)
            entities.parents.append(parent_ids.get(tree.parent_path(path)))
        entities.depths = sorted({depth for _pk, _path, depth in rows})
        return entities
    # A person ranks among the others of the nearest enclosing node of the rule set's kinds (their community,
    # say), else among those of their own role node.
    groups = dict(Node.objects.filter(kind__in=rule_set.node_kind_list).values_list("path", "pk"))
    homes: dict[int, int] = {}
    rows = tree.role_holders(rule_set.role_list)
    home_of_node: dict[int, int] = {}  # many people share a role node: find its group once
    for person_id, node_id, path in rows:
        if person_id in homes:
            continue
        home = home_of_node.get(node_id)
        if home is None:
            group = next((groups[above] for above in reversed(tree.ancestor_paths(path)) if above in groups),
                         None) if groups else None
            home = home_of_node[node_id] = group or node_id
        homes[person_id] = home
    for person_id, node_id in homes.items():
        entities.keys.append(person_id)
        entities.ids.append(person_id)
        entities.parents.append(node_id)
    return entities


def members_per_node(entities: Entities) -> dict[str, int]:
    """People holding any role in each scored organisation's subtree: one query per depth."""
    counts: dict[str, int] = {}
    for depth in entities.depths:
        counts.update(tree.members_per_ancestor(depth))
    return counts


def normalise(raws: list[float], indicator, members: list[int] | None) -> list[float]:
    how = indicator.normalisation
    parameter = float(indicator.parameter) if indicator.parameter is not None else None
    if how == Normalisation.CAP:
        return [min(raw, parameter) for raw in raws]
    if how == Normalisation.DIVIDE:
        return [raw / parameter for raw in raws]
    if how == Normalisation.PER_MEMBER:
        return [raw / count if count else 0.0 for raw, count in zip(raws, members)]
    if how == Normalisation.PERCENTILE:
        ordered = sorted(raws)
        last = len(raws) - 1
        return [100.0 * bisect.bisect_left(ordered, raw) / last if last > 0 else 0.0 for raw in raws]
    return raws  # the same list: the caller rounds it once for both columns


def competition_ranks(values: list[float], parents: list) -> list[int]:
    """Rank within the parent, highest first; equal values share a rank and the next rank skips (1, 1, 3)."""
    by_parent: dict = defaultdict(list)
    for position, parent in enumerate(parents):
        by_parent[parent].append(position)
    ranks = [0] * len(values)
    for positions in by_parent.values():
        positions.sort(key=lambda p: -values[p])
        previous, rank = None, 0
        for place, position in enumerate(positions, start=1):
            if values[position] != previous:
                rank, previous = place, values[position]
            ranks[position] = rank
    return ranks


class Grader:
    """Stars (one per threshold reached) and tier (the first whose minimum score and top percent of the
    parent's entities hold; vetoed entities take the last) with the rule set's numbers read once."""

    def __init__(self, rule_set, parent_sizes: dict):
        self.thresholds = [float(threshold) for threshold in rule_set.stars]
        self.tiers = [(tier["code"], float(tier["min_score"]) if "min_score" in tier else None,
                       float(tier["top_percent"]) if "top_percent" in tier else None) for tier in rule_set.tiers]
        self.parent_sizes = parent_sizes
        self.top_ranks: dict = {}  # (parent size, percent) → the last rank inside the top percent

    def stars(self, total: float, vetoed: bool) -> int:
        if vetoed:
            return 0
        return sum(1 for threshold in self.thresholds if total >= threshold)

    def tier(self, total: float, rank: int, parent, vetoed: bool) -> str:
        if not self.tiers:
            return ""
        if vetoed:
            return self.tiers[-1][0]
        for code, min_score, top_percent in self.tiers:
            if min_score is not None and total < min_score:
                continue
            if top_percent is not None:
                size = self.parent_sizes[parent]
                last = self.top_ranks.get((size, top_percent))
                if last is None:
                    last = self.top_ranks[(size, top_percent)] = math.ceil(size * top_percent / 100)
                if rank > last:
                    continue
            return code
        return self.tiers[-1][0]


def _holds(condition: dict, facts: dict) -> bool:
    actual, op, expected = facts.get(condition["fact"]), condition["op"], condition["value"]
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if actual is None:
        return False
    if op == "==":
        return actual == expected
    if op == "!=":
        return actual != expected
    if isinstance(actual, str) or isinstance(expected, str):
        return False
    return {"<": actual < expected, "<=": actual <= expected, ">": actual > expected,
            ">=": actual >= expected}[op]


def colour_for(facts: dict, colour_rules: list) -> tuple[str, int | None]:
    """The first rule whose conditions all hold: (colour, position of the rule) or ("", None)."""
    for position, rule in enumerate(colour_rules):
        if all(_holds(condition, facts) for condition in rule.conditions):
            return rule.colour, position
    return "", None


def previous_colours(run: Run, entity_kind: str) -> dict:
    """Last period's colours of the same scheme (its published run, else its draft)."""
    earlier = (Run.objects.filter(scheme=run.scheme, period=previous_period(run.period),
                                  state__in=[RunState.PUBLISHED, RunState.DRAFT])
               .order_by("-state").first())  # "published" sorts after "draft": take it first
    if earlier is None:
        return {}
    column = "node_id" if entity_kind == EntityKind.NODE else "person_id"
    return dict(earlier.standings.values_list(column, "colour"))


def raw_values(indices: dict, entities: Entities, period: str) -> dict[int, list[float]]:
    """Every event indicator's raw value for every entity, in entity order: one scan per event source."""
    by_source: dict[str, list] = defaultdict(list)
    for index in indices.values():
        for indicator in index.indicators.all():
            if indicator.source != INDEX_SOURCE:
                by_source[indicator.source].append(indicator)
    raws: dict[int, list[float]] = {}
    for code, indicators in by_source.items():
        found, positions = aggregate_all(SOURCES[code], period=period,
                                         wanted=[(indicator.filter, indicator.aggregation) for indicator in indicators],
                                         entity_kind=entities.kind, depths=entities.depths)
        rows = [found.get(key) for key in entities.keys]
        for indicator, (numerator, denominator) in zip(indicators, positions):
            if indicator.aggregation == Aggregation.RATE:
                raws[indicator.pk] = [float(row[numerator]) / row[denominator] if row and row[denominator] else 0.0
                                      for row in rows]
            else:
                raws[indicator.pk] = [float(row[numerator]) if row else 0.0 for row in rows]
    return raws


def json_template(pieces: list[tuple[str, str]]) -> str:
    """A %-format writing ``{"key": value, …}`` exactly as ``json.dumps`` would, for rows by the hundred
    thousand: each value's format is ``%r`` (a finite float, written as JSON writes it), ``%d`` or ``%s``
    (a value already in JSON)."""
    return "{" + ", ".join(json.dumps(key, ensure_ascii=False).replace("%", "%%") + ": " + form
                           for key, form in pieces) + "}"


def compute(run: Run) -> int:
    """Fill ``run`` with scores and standings; return the number of entities."""
    rule_set = run.rule_set
    indices = {index.code: index for index in rule_set.indices.prefetch_related("indicators")}
    definition_order = rules.check_no_cycles({
        code: {i.filter["index"] for i in index.indicators.all() if i.source == INDEX_SOURCE}
        for code, index in indices.items()
    })
    entities = entities_of(rule_set)
    members = None
    if any(i.normalisation == Normalisation.PER_MEMBER for index in indices.values() for i in index.indicators.all()):
        counts = members_per_node(entities)
        members = [counts.get(key, 0) for key in entities.keys]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The covering indexes hand each source's events over in entity order, so a sorted aggregate
            # streams them; the planner's default, a parallel hash aggregate, took twice as long (numeric sums
            # combined across workers). Any sort that remains stays in memory.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEMORY}'")
            cursor.execute("SET LOCAL enable_hashagg = off")
            return _compute(run, rule_set, indices, definition_order, entities, members)
        # SQLite's page cache (2 MB by default) is far smaller than a run's indexes at province size.
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            return _compute(run, rule_set, indices, definition_order, entities, members)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _compute(run, rule_set, indices, definition_order, entities, members) -> int:
    size = len(entities.keys)
    found = raw_values(indices, entities, run.period)

    values: dict[str, list[float]] = {}
    breakdowns: dict[str, list[list[float]]] = {}  # per index: per indicator raw, normalised, contribution
    vetoed = [False] * size
    for code in definition_order:
        index = indices[code]
        totals = [float(index.base)] * size
        columns = []
        for indicator in index.indicators.all():
            if indicator.source == INDEX_SOURCE:
                raws = list(values[indicator.filter["index"]])
            else:
                raws = found[indicator.pk]
            normalised = normalise(raws, indicator, members)
            factor = float(indicator.weight) * indicator.sign
            contributions = [round(value * factor, 4) for value in normalised]
            totals = [total + contribution for total, contribution in zip(totals, contributions)]
            rounded = [round(raw, 4) for raw in raws]
            columns += [rounded, rounded if normalised is raws else [round(value, 4) for value in normalised],
                        contributions]
            if indicator.is_veto:
                vetoed = [already or raw > 0 for already, raw in zip(vetoed, raws)]
        values[code] = [round(total, 4) for total in totals]
        breakdowns[code] = columns

    ranks = {code: competition_ranks(values[code], entities.parents) for code in indices}
    if rule_set.total_index:
        totals = values[rule_set.total_index]
    elif len(indices) == 1:  # the sum of one rounded value is that value
        totals = [0 + value for value in values[next(iter(indices))]]
    else:
        totals = [round(sum(values[code][p] for code in indices), 4) for p in range(size)]
    total_ranks = competition_ranks(totals, entities.parents)
    parent_sizes: dict = defaultdict(int)
    for parent in entities.parents:
        parent_sizes[parent] += 1
    grader = Grader(rule_set, parent_sizes)
    colour_rules = list(rule_set.colour_rules.all())
    before = previous_colours(run, entities.kind) if colour_rules else {}

    id_field = "node_id" if entities.kind == EntityKind.NODE else "person_id"
    run.scores.all().delete()
    run.standings.all().delete()
    scores = []
    for code, index in indices.items():
        template = json_template([(indicator.code, "[%r, %r, %r]") for indicator in index.indicators.all()])
        breakdown = [template % row for row in zip(*breakdowns[code])] if breakdowns[code] else [template] * size
        scores += zip([run.pk] * size, [index.pk] * size, entities.ids, entities.parents, values[code], ranks[code],
                      breakdown)
    facts_template = json_template([("total", "%r"), ("rank", "%d"), ("vetoed", "%s"), ("previous_colour", "%s")]
                                   + [piece for code in indices
                                      for piece in ((f"index.{code}", "%r"), (f"rank.{code}", "%d"))])
    quoted = {}  # previous colour → its JSON string
    standings = []
    per_index = [pair for code in indices for pair in (values[code], ranks[code])]
    for position, (entity_id, parent, total, rank, vetoes) in enumerate(
            zip(entities.ids, entities.parents, totals, total_ranks, vetoed)):
        previous = before.get(entity_id, "")
        if previous not in quoted:
            quoted[previous] = json.dumps(previous, ensure_ascii=False)
        facts = facts_template % (total, rank, "true" if vetoes else "false", quoted[previous],
                                  *[column[position] for column in per_index])
        if colour_rules:
            facts_dict = {"total": total, "rank": rank, "vetoed": vetoes, "previous_colour": previous}
            for code in indices:
                facts_dict[f"index.{code}"] = values[code][position]
                facts_dict[f"rank.{code}"] = ranks[code][position]
            colour, rule_position = colour_for(facts_dict, colour_rules)
            explanation = '{"colour_rule": %s, "facts": %s}' % (json.dumps(rule_position), facts)
        else:
            colour, explanation = "", '{"facts": %s}' % facts
        standings.append((run.pk, entity_id, parent, total, rank, grader.stars(total, vetoes),
                          grader.tier(total, rank, parent, vetoes), colour, vetoes, explanation))
    insert_rows(Score, ["run_id", "index_id", id_field, "parent_id", "value", "rank", "breakdown"], scores)
    insert_rows(Standing, ["run_id", id_field, "parent_id", "total", "rank", "stars", "tier", "colour", "vetoed",
                           "explanation"], standings)
    return size
