"""The engine reads each event source in one scan for all its indicators; the plain one-query-per-indicator
form (``aggregate`` below) must give the same numbers for every entity, whatever the filters and depths."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from gridgov.indices import schemes, services, sources
from gridgov.indices.models import ActivityRecord, Assessment, NewsItem, Run
from gridgov.indices.sources import SOURCES, Source, aggregate_all
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def aggregate(source: Source, *, period: str, filter: dict, aggregation: str, entity_kind: str,
              depths: list[int]) -> dict:
    """The reference: one GROUP BY per indicator and entity depth, ``{entity key: (numerator, denominator)}``.

    The key is a person id, or a node path for organisations. For ``count`` and ``sum`` the denominator
    is the event count; for ``rate`` the numerator counts successful events.
    """
    queryset = sources.events(source, period=period, filter=filter)
    if aggregation == "sum":
        numerator = Sum(source.value_field)
    elif aggregation == "rate":
        numerator = Count("pk", filter=source.success)
    else:
        numerator = Count("pk")
    results: dict = {}
    if entity_kind == "person":
        rows = queryset.values(key=F(source.person_field)).order_by().annotate(n=numerator, d=Count("pk"))
        for row in rows:
            if row["key"] is not None:
                results[row["key"]] = (row["n"] or 0, row["d"] or 0)
        return results
    for depth in depths:
        length = depth * Node.steplen
        rows = (queryset.annotate(key=Substr(source.node_path_field, 1, length)).values("key").order_by()
                .annotate(n=numerator, d=Count("pk")))
        for row in rows:
            if row["key"] and len(row["key"]) == length:
                results[row["key"]] = (row["n"] or 0, row["d"] or 0)
    return results


DAY = date(2026, 10, 12)

WANTED = {
    "activity": [({"required": True}, "rate"), ({}, "count"), ({"held": True}, "count"), ({}, "rate"),
                 ({"kind": "党课", "required": False}, "count")],
    "news": [({}, "count"), ({"adopted": True}, "count"), ({}, "sum"), ({"adopted": False}, "sum"),
             ({}, "rate")],
    "assessment": [({"item": "study"}, "sum"), ({"item": "bonus"}, "sum"), ({"item": "bonus"}, "count"),
                   ({"item": "deduction"}, "sum"), ({"item": "missing"}, "count"), ({}, "sum")],
    "audit_action": [({}, "count"), ({"action_prefix": "indices."}, "count")],
}


def events(street):
    """A few events on organisations at three depths and on people, some outside the month."""
    kinds = ["党课", "支部党员大会"]
    for number, node in enumerate([street.community, street.village, street.grid_a, street.grid_c, street.micro_a1]):
        for copy in range(number + 2):
            ActivityRecord.objects.create(node=node, kind=kinds[copy % 2], due_on=DAY, required=copy % 3 != 2,
                                          held_on=DAY if copy % 2 == 0 else None)
            NewsItem.objects.create(node=node, title="动态", submitted_on=DAY, adopted=copy % 2 == 1,
                                    spread_count=3 * copy + number)
        NewsItem.objects.create(node=node, title="上月", submitted_on=date(2026, 9, 30), adopted=True, spread_count=7)
    for number, (person, node) in enumerate([(street.worker_a, street.grid_a), (street.worker_b, street.grid_b),
                                             (street.resident, street.micro_a1), (None, street.village)]):
        for item, value in [("study", "12.25"), ("bonus", "3.10"), ("deduction", "1.05"), ("bonus", "0.35")]:
            Assessment.objects.create(node=node, person=person, item=item, value=Decimal(value) * (number + 1),
                                      evidence="记录", assessed_on=DAY, cadre=street.community_cadre)
    services.news_record(actor=street.community_cadre, node=street.grid_b, title="审计", submitted_on=DAY)


def per_indicator(source, wanted, kind, depths, period):
    return [aggregate(source, period=period, filter=filter, aggregation=aggregation, entity_kind=kind, depths=depths)
            for filter, aggregation in wanted]


@pytest.mark.parametrize("code", sorted(WANTED))
@pytest.mark.parametrize("kind, depths", [("node", [2, 3, 4]), ("node", [3]), ("person", [])])
def test_one_scan_per_source_agrees_with_one_query_per_indicator(street, code, kind, depths):
    events(street)
    source = SOURCES[code]
    if kind == "person" and not source.person_field:
        pytest.skip("the source's events belong to no person")
    period = timezone.localdate().strftime("%Y-%m") if code == "audit_action" else "2026-10"  # written now
    found, positions = aggregate_all(source, period=period, wanted=WANTED[code], entity_kind=kind, depths=depths)
    expected = per_indicator(source, WANTED[code], kind, depths, period)
    assert any(expected), "the sample must give the source something to count"
    for (numerator, denominator), reference in zip(positions, expected):
        for key in set(found) | set(reference):
            row = found.get(key)
            got = (float(row[numerator]), float(row[denominator])) if row else (0.0, 0.0)
            want = tuple(float(value) for value in reference.get(key, (0, 0)))
            assert got == want, (code, key, got, want)


def test_shipped_schemes_give_the_breakdown_json_would_write(street):
    """The engine writes breakdowns and explanations as text it formats itself; they must read back as the
    numbers, and as JSON, exactly."""
    events(street)
    services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
    for scheme in (schemes.TAIZHOU, schemes.PIONEER, schemes.FORTRESS):
        run = services.run_compute(actor=SYSTEM, scheme=scheme, period="2026-10")
        run = Run.objects.get(pk=run.pk)
        for standing in run.standings.all():
            facts = standing.explanation["facts"]
            assert facts["total"] == float(standing.total) and facts["rank"] == standing.rank
            assert facts["vetoed"] is standing.vetoed
        for score in run.scores.select_related("index"):
            codes = [indicator.code for indicator in score.index.indicators.all()]
            assert set(score.breakdown) == set(codes)  # jsonb keeps no key order
            contributions = sum(contribution for _raw, _normalised, contribution in score.breakdown.values())
            assert float(score.value) == pytest.approx(float(score.index.base) + contributions, abs=1e-3)
    community = Run.objects.get(scheme=schemes.TAIZHOU).scores.get(node=street.community, index__code="influence")
    # 东门社区 and its grids/micro-grids: community (2 items), grid A (4), micro A1 (6) this month:
    # 12 submitted, 6 adopted (odd copies), spread 3·(0+1)+… per node: see events().
    submitted, _normalised, contribution = community.breakdown["submitted"]
    assert submitted == 12.0 + 1 and contribution == 26.0  # + the one news_record item on grid B
