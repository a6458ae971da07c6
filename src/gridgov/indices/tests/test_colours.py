"""Taizhou's four colours (seed 001 lines 4460-4540), worked by hand on ten units of one street."""

from datetime import date

import pytest

from gridgov.indices import schemes, services
from gridgov.indices.models import ActivityRecord, Assessment, NewsItem
from gridgov.orgs.models import NodeKind
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(street):
    """The street's community and village plus eight more villages: ten units ranked under one street."""
    services.rule_sets_install(actor=SYSTEM, definitions=[d for d in schemes.DEFINITIONS
                                                          if d["code"] == schemes.TAIZHOU])
    return [street.community, street.village] + [factories.node(street.street, NodeKind.VILLAGE)
                                                 for _ in range(8)]


def hold(units, day: date, *, missed=()):
    """Two required activities per unit; the ``missed`` units hold only one of them."""
    ActivityRecord.objects.bulk_create(
        [ActivityRecord(node=unit, kind="主题党日", due_on=day, held_on=day) for unit in units]
        + [ActivityRecord(node=unit, kind="党课", due_on=day, held_on=None if unit in missed else day)
           for unit in units]
    )


def news(unit, day: date, count: int):
    NewsItem.objects.bulk_create([NewsItem(node=unit, title=f"{unit.name}动态{n}", submitted_on=day)
                                  for n in range(count)])


def colours(run, units) -> list[str]:
    by_node = dict(run.standings.values_list("node_id", "colour"))
    return [by_node[unit.pk] for unit in units]


def test_red_needs_activities_held_and_top_8_on_both_influence_and_service_with_ties_sharing_rank_8(units):
    day = date(2026, 10, 12)
    hold(units, day)
    # News items: 10, 9, …, 3, 3, 1 → influence ranks 1 … 8, 8 (tie), 10. Service: all 0, all rank 1.
    for position, unit in enumerate(units):
        news(unit, day, {8: 3, 9: 1}.get(position, 10 - position))
    run = services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period="2026-10")
    ranks = dict(run.scores.filter(index__code="influence").values_list("node_id", "rank"))
    assert [ranks[unit.pk] for unit in units] == [1, 2, 3, 4, 5, 6, 7, 8, 8, 10]
    assert colours(run, units) == ["red"] * 9 + ["green"]


def test_top_on_influence_but_not_on_service_is_only_green(units):
    day = date(2026, 10, 12)
    hold(units, day)
    news(units[0], day, 5)  # influence: unit 0 first, the rest tie at rank 2
    # Service: every unit but unit 0 gets an enterprise-service assessment → unit 0 ranks 10th.
    Assessment.objects.bulk_create([Assessment(node=unit, item="serve-enterprise", value=3, evidence="走访企业",
                                               assessed_on=day) for unit in units[1:]])
    run = services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period="2026-10")
    assert colours(run, units)[0] == "green"
    assert colours(run, units)[1:] == ["red"] * 9


def test_activities_not_held_as_required_are_tea_then_grey_the_second_month_running(units):
    a, b = units[0], units[1]
    hold(units, date(2026, 9, 10), missed=[a])
    hold(units, date(2026, 10, 10), missed=[a, b])
    hold(units, date(2026, 11, 10), missed=[a])
    september = services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period="2026-09")
    october = services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period="2026-10")
    november = services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period="2026-11")
    # a: tea in September (1 of 2 held), grey in October (tea two months running), still grey in November.
    assert [colours(run, [a])[0] for run in (september, october, november)] == ["tea", "grey", "grey"]
    # b: fine in September, tea in October (first miss), back to red in November.
    assert [colours(run, [b])[0] for run in (september, october, november)] == ["red", "tea", "red"]


def test_the_explanation_names_the_colour_rule_and_the_facts(units):
    hold(units, date(2026, 10, 10), missed=[units[0]])
    run = services.run_compute(actor=SYSTEM, scheme=schemes.TAIZHOU, period="2026-10")
    standing = run.standings.get(node=units[0])
    assert standing.colour == "tea"
    assert standing.explanation["colour_rule"] == 3
    assert standing.explanation["facts"]["index.execution"] == 50.0
