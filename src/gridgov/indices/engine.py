"""Computing a run: one aggregate query per indicator over its event source for every entity at once,
then arithmetic over those per-entity aggregates (never over events), ranks within the parent node, stars,
tiers and colours, and two ``bulk_create`` calls. Computing a draft again replaces its rows: idempotent.
"""

import bisect
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr

from gridgov.indices import rules
from gridgov.indices.models import (Aggregation, EntityKind, Normalisation, Run, RunState, Score, Standing)
from gridgov.indices.sources import INDEX_SOURCE, SOURCES, aggregate, previous_period
from gridgov.orgs.models import Node, RoleAssignment

BATCH = 2000


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs. ``bulk_create`` builds a model instance per row (about 0.3 ms each), which
    at province size (a million scores) would cost more than every aggregate query together."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    width = len(columns)
    limit = connection.features.max_query_params  # SQLite's bound-parameter limit; None on PostgreSQL
    per_statement = max(1, min(BATCH, limit // width if limit else BATCH))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {placeholders}",
                           [value for row in chunk for value in row])


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
        parent_paths = {path[:-Node.steplen] for _pk, path, _depth in rows}
        parent_ids = dict(Node.objects.filter(path__in=parent_paths).values_list("path", "pk"))
        for pk, path, depth in rows:
            entities.keys.append(path)
            entities.ids.append(pk)
            entities.parents.append(parent_ids.get(path[:-Node.steplen]))
        entities.depths = sorted({depth for _pk, _path, depth in rows})
        return entities
    # A person ranks among the others of the nearest enclosing node of the rule set's kinds (their community,
    # say), else among those of their own role node.
    groups = dict(Node.objects.filter(kind__in=rule_set.node_kind_list).values_list("path", "pk"))
    homes: dict[int, int] = {}
    rows = (RoleAssignment.objects.filter(role__in=rule_set.role_list, person__is_active=True)
            .order_by("person_id", "node__path").values_list("person_id", "node_id", "node__path"))
    for person_id, node_id, path in rows:
        if person_id in homes:
            continue
        group = next((groups[path[:end]] for end in range(len(path), 0, -Node.steplen) if path[:end] in groups),
                     None) if groups else None
        homes[person_id] = group or node_id
    for person_id, node_id in homes.items():
        entities.keys.append(person_id)
        entities.ids.append(person_id)
        entities.parents.append(node_id)
    return entities


def members_per_node(entities: Entities) -> dict[str, int]:
    """People holding any role in each scored organisation's subtree: one query per depth."""
    counts: dict[str, int] = {}
    for depth in entities.depths:
        length = depth * Node.steplen
        rows = (RoleAssignment.objects.annotate(key=Substr("node__path", 1, length)).values("key").order_by()
                .annotate(n=Count("person", distinct=True)))
        counts.update({row["key"]: row["n"] for row in rows})
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
    return list(raws)


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


def stars_for(total: float, thresholds: list, vetoed: bool) -> int:
    if vetoed:
        return 0
    return sum(1 for threshold in thresholds if total >= float(threshold))


def tier_for(total: float, rank: int, size: int, tiers: list, vetoed: bool) -> str:
    if not tiers:
        return ""
    if vetoed:
        return tiers[-1]["code"]
    for tier in tiers:
        if "min_score" in tier and total < float(tier["min_score"]):
            continue
        if "top_percent" in tier and rank > math.ceil(size * float(tier["top_percent"]) / 100):
            continue
        return tier["code"]
    return tiers[-1]["code"]


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


def compute(run: Run) -> int:
    """Fill ``run`` with scores and standings; return the number of entities."""
    rule_set = run.rule_set
    indices = {index.code: index for index in rule_set.indices.prefetch_related("indicators")}
    definition_order = rules.check_no_cycles({
        code: {i.filter["index"] for i in index.indicators.all() if i.source == INDEX_SOURCE}
        for code, index in indices.items()
    })
    entities = entities_of(rule_set)
    size = len(entities.keys)
    members = None
    if any(i.normalisation == Normalisation.PER_MEMBER for index in indices.values() for i in index.indicators.all()):
        counts = members_per_node(entities)
        members = [counts.get(key, 0) for key in entities.keys]

    values: dict[str, list[float]] = {}
    breakdowns: dict[str, list[dict]] = {}
    vetoed = [False] * size
    for code in definition_order:
        index = indices[code]
        totals = [float(index.base)] * size
        breakdown = [{} for _ in range(size)]
        for indicator in index.indicators.all():
            if indicator.source == INDEX_SOURCE:
                raws = list(values[indicator.filter["index"]])
            else:
                found = aggregate(SOURCES[indicator.source], period=run.period, filter=indicator.filter,
                                  aggregation=indicator.aggregation, entity_kind=entities.kind,
                                  depths=entities.depths)
                raws = []
                for key in entities.keys:
                    numerator, denominator = found.get(key, (0, 0))
                    if indicator.aggregation == Aggregation.RATE:
                        raws.append(float(numerator) / denominator if denominator else 0.0)
                    else:
                        raws.append(float(numerator))
            normalised = normalise(raws, indicator, members)
            factor = float(indicator.weight) * indicator.sign
            for position in range(size):
                contribution = round(normalised[position] * factor, 4)
                totals[position] += contribution
                breakdown[position][indicator.code] = [round(raws[position], 4), round(normalised[position], 4),
                                                       contribution]
                if indicator.is_veto and raws[position] > 0:
                    vetoed[position] = True
        values[code] = [round(total, 4) for total in totals]
        breakdowns[code] = breakdown

    ranks = {code: competition_ranks(values[code], entities.parents) for code in indices}
    if rule_set.total_index:
        totals = values[rule_set.total_index]
    else:
        totals = [round(sum(values[code][p] for code in indices), 4) for p in range(size)]
    total_ranks = competition_ranks(totals, entities.parents)
    parent_sizes: dict = defaultdict(int)
    for parent in entities.parents:
        parent_sizes[parent] += 1
    colour_rules = list(rule_set.colour_rules.all())
    before = previous_colours(run, entities.kind) if colour_rules else {}

    id_field = "node_id" if entities.kind == EntityKind.NODE else "person_id"
    run.scores.all().delete()
    run.standings.all().delete()
    index_ids = {code: index.pk for code, index in indices.items()}
    scores, standings = [], []
    for position in range(size):
        entity_id, parent = entities.ids[position], entities.parents[position]
        facts = {"total": totals[position], "rank": total_ranks[position], "vetoed": vetoed[position],
                 "previous_colour": before.get(entity_id, "")}
        for code in indices:
            facts[f"index.{code}"] = values[code][position]
            facts[f"rank.{code}"] = ranks[code][position]
            scores.append((run.pk, index_ids[code], entity_id, parent, values[code][position],
                           ranks[code][position], json.dumps(breakdowns[code][position], ensure_ascii=False)))
        colour, rule_position = colour_for(facts, colour_rules)
        explanation = {"colour_rule": rule_position, "facts": facts} if colour_rules else {"facts": facts}
        standings.append((
            run.pk, entity_id, parent, totals[position], total_ranks[position],
            stars_for(totals[position], rule_set.stars, vetoed[position]),
            tier_for(totals[position], total_ranks[position], parent_sizes[parent], rule_set.tiers, vetoed[position]),
            colour, vetoed[position], json.dumps(explanation, ensure_ascii=False),
        ))
    insert_rows(Score, ["run_id", "index_id", id_field, "parent_id", "value", "rank", "breakdown"], scores)
    insert_rows(Standing, ["run_id", id_field, "parent_id", "total", "rank", "stars", "tier", "colour", "vetoed",
                           "explanation"], standings)
    return size

