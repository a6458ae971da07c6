"""The machine: rule-set checks, set-based computation, ranks, tiers, stars, vetoes, versions and freezing.
Every expected number is worked out by hand in the comment above it."""

from datetime import date
from decimal import Decimal

import pytest

from gridgov.errors import DomainError, PermissionDenied
from gridgov.indices import engine, schemes, services
from gridgov.indices.models import ActivityRecord, Assessment, NewsItem, RuleSet, RunState, Standing
from gridgov.orgs.models import NodeKind, Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing import factories

pytestmark = pytest.mark.django_db


def definition(**changes):
    """A tiny organisation scheme: activities held (rate × 100) plus 2 per adopted news item."""
    base = {
        "code": "tiny", "name": "tiny", "entity_kind": "node", "node_kinds": ["community", "village"],
        "stars": [10, 50, 100],
        "tiers": [{"code": "advanced", "min_score": 100}, {"code": "middle", "min_score": 50},
                  {"code": "lagging"}],
        "indices": [{"code": "main", "name": "main", "indicators": [
            {"code": "held", "source": "activity", "aggregation": "rate", "weight": 100},
            {"code": "news", "source": "news", "filter": {"adopted": True}, "weight": 2},
            {"code": "veto", "source": "assessment", "filter": {"item": "veto"}, "weight": 0, "veto": True},
        ]}],
    }
    base.update(changes)
    return base


def activities(node, period_day: date, held: int, missed: int):
    ActivityRecord.objects.bulk_create(
        [ActivityRecord(node=node, kind="支部党员大会", due_on=period_day, held_on=period_day) for _ in range(held)]
        + [ActivityRecord(node=node, kind="党课", due_on=period_day) for _ in range(missed)]
    )


def standing_of(run, node) -> Standing:
    return run.standings.get(node=node)


@pytest.mark.parametrize("change, message", [
    ({"source": "horoscope"}, "unknown event source"),
    ({"weight": "heavy"}, "must be a number"),
    ({"weight": None}, "must be a number"),
    ({"normalisation": "divide", "parameter": 0}, "dividing by zero"),
    ({"filter": {"colour": "red"}}, "has no filter"),
    ({"aggregation": "sum"}, "no value to sum"),
])
def test_rule_set_with_a_bad_indicator_is_refused_with_the_reason(street, change, message):
    bad = definition()
    bad["indices"][0]["indicators"][0].update(change)
    with pytest.raises(DomainError, match=message):
        services.rule_set_create(actor=SYSTEM, definition=bad)
    assert not RuleSet.objects.exists()


def test_rule_set_whose_indices_read_each_other_in_a_circle_is_refused(street):
    circular = definition(indices=[
        {"code": "a", "indicators": [{"code": "x", "source": "index", "filter": {"index": "b"}}]},
        {"code": "b", "indicators": [{"code": "y", "source": "index", "filter": {"index": "a"}}]},
    ])
    with pytest.raises(DomainError, match="circle"):
        services.rule_set_create(actor=SYSTEM, definition=circular)


def test_colour_rule_on_an_unknown_index_is_refused(street):
    with pytest.raises(DomainError, match="unknown fact"):
        services.rule_set_create(actor=SYSTEM, definition=definition(
            colours=[{"colour": "red", "when": [{"fact": "rank.nope", "op": "<=", "value": 8}]}]))


def test_ranks_within_the_parent_share_ties_and_skip_the_next():
    #            parent A: 90, 80, 80, 70 → 1, 2, 2, 4     parent B: 5 → 1
    ranks = engine.competition_ranks([90, 80, 80, 70, 5], ["A", "A", "A", "A", "B"])
    assert ranks == [1, 2, 2, 4, 1]


def test_index_reads_activities_and_news_with_weights_and_gives_stars_and_tiers(street):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    activities(street.community, date(2026, 10, 15), held=3, missed=1)
    activities(street.village, date(2026, 10, 15), held=2, missed=0)
    NewsItem.objects.bulk_create([NewsItem(node=street.community, title=f"n{i}", submitted_on=date(2026, 10, 3),
                                           adopted=i < 2) for i in range(3)])
    run = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    community, village = standing_of(run, street.community), standing_of(run, street.village)
    # 东门: 3 of 4 held → 0.75 × 100 = 75, plus 2 adopted × 2 = 4 → 79: 2 stars (≥10, ≥50), middle, rank 2.
    assert community.total == Decimal("79") and community.stars == 2 and community.tier == "middle"
    # 白岩: 2 of 2 → 100, no news → 100: 3 stars, advanced, rank 1.
    assert village.total == Decimal("100") and village.stars == 3 and village.tier == "advanced"
    assert (village.rank, community.rank) == (1, 2)
    score = run.scores.get(node=street.community)
    assert score.breakdown["held"] == [0.75, 0.75, 75.0]
    assert score.breakdown["news"] == [2.0, 2.0, 4.0]


def test_veto_item_downgrades_to_the_last_tier_whatever_the_score(street):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    activities(street.village, date(2026, 10, 15), held=2, missed=0)
    services.assessment_record(actor=street.street_cadre, node=street.village, item="veto", value=1,
                               evidence="违规发展党员，经查属实", assessed_on=date(2026, 10, 20))
    run = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    village = standing_of(run, street.village)
    assert village.total == Decimal("100")  # the score stands …
    assert village.vetoed and village.tier == "lagging" and village.stars == 0  # … but the tier drops


def test_a_period_without_events_gives_zeros_not_errors(street):
    for rule_set in schemes.DEFINITIONS:
        services.rule_set_create(actor=SYSTEM, definition=rule_set)
        run = services.run_compute(actor=SYSTEM, scheme=rule_set["code"], period="2031-02")
        assert run.entity_count > 0
        assert {float(value) for value in run.standings.values_list("total", flat=True)} == {0.0}


def test_each_period_starts_from_zero(street):
    """零基积分法: last month's activities and news count for nothing this month."""
    services.rule_set_create(actor=SYSTEM, definition=definition())
    activities(street.village, date(2026, 9, 20), held=2, missed=0)
    september = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-09")
    october = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    assert standing_of(september, street.village).total == Decimal("100")
    assert standing_of(october, street.village).total == Decimal("0")


def test_recomputing_a_draft_gives_the_same_rows(street):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    activities(street.village, date(2026, 10, 15), held=1, missed=1)
    first = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    before = sorted(first.standings.values_list("node_id", "total", "rank", "tier", "stars"))
    again = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    assert again.pk == first.pk and again.revision == 1
    assert sorted(again.standings.values_list("node_id", "total", "rank", "tier", "stars")) == before
    assert again.standings.count() == 2 and again.scores.count() == 2


def test_published_period_is_frozen_and_a_correction_is_a_new_revision_with_a_reason(street):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    activities(street.village, date(2026, 10, 15), held=1, missed=1)
    run = services.run_publish(actor=street.admin,
                               run=services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10"))
    ActivityRecord.objects.filter(node=street.village, held_on__isnull=True).update(held_on=date(2026, 10, 15))
    with pytest.raises(DomainError) as refused:
        services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    assert refused.value.code == "frozen"
    assert standing_of(run, street.village).total == Decimal("50")  # unchanged
    with pytest.raises(DomainError):
        services.run_correct(actor=street.admin, scheme="tiny", period="2026-10", reason="  ")
    correction = services.run_correct(actor=street.admin, scheme="tiny", period="2026-10",
                                      reason="党课补录：10月15日已开展")
    assert correction.revision == 2 and correction.state == RunState.DRAFT
    assert standing_of(correction, street.village).total == Decimal("100")
    services.run_publish(actor=street.admin, run=correction)
    run.refresh_from_db()
    assert run.state == RunState.SUPERSEDED


def test_a_past_period_is_recomputed_with_the_rules_it_was_published_under(street):
    first = services.rule_set_create(actor=SYSTEM, definition=definition())
    activities(street.village, date(2026, 10, 15), held=1, missed=1)
    services.run_publish(actor=SYSTEM, run=services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10"))
    first.refresh_from_db()
    assert first.locked_at is not None
    changed = definition()
    changed["indices"][0]["indicators"][0]["weight"] = 40
    second = services.rule_set_new_version(actor=SYSTEM, rule_set=first, changes={"indices": changed["indices"]})
    assert second.version == 2
    correction = services.run_correct(actor=SYSTEM, scheme="tiny", period="2026-10", reason="重算")
    assert correction.rule_set == first and standing_of(correction, street.village).total == Decimal("50")
    activities(street.village, date(2026, 11, 15), held=1, missed=1)
    november = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-11")
    assert november.rule_set == second and standing_of(november, street.village).total == Decimal("20")


def test_computation_is_one_query_per_indicator_whatever_the_number_of_entities(street, django_assert_max_num_queries):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    for number in range(30):
        village = factories.node(street.street, NodeKind.VILLAGE)
        activities(village, date(2026, 10, 10), held=number % 3, missed=1)
    with django_assert_max_num_queries(28):  # 3 of them give organisations scored for the first time a QR code
        run = services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-10")
    assert run.entity_count == 32


def test_only_a_cadre_over_the_whole_tree_computes_and_publishes(street):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    with pytest.raises(PermissionDenied):
        services.run_compute(actor=street.worker_a, scheme="tiny", period="2026-10")
    with pytest.raises(PermissionDenied):
        services.run_compute(actor=street.community_cadre, scheme="tiny", period="2026-10")
    with pytest.raises(PermissionDenied):  # a street cadre reaches one street; a run covers the whole tree
        services.run_compute(actor=street.street_cadre, scheme="tiny", period="2026-10")
    run = services.run_compute(actor=street.admin, scheme="tiny", period="2026-10")
    with pytest.raises(PermissionDenied):
        services.run_publish(actor=street.community_cadre, run=run)


def test_bad_period_is_refused_with_a_code(street):
    services.rule_set_create(actor=SYSTEM, definition=definition())
    with pytest.raises(DomainError) as refused:
        services.run_compute(actor=SYSTEM, scheme="tiny", period="2026-13")
    assert refused.value.code == "invalid_period"


def test_assessment_needs_evidence_and_a_cadre_in_scope(street):
    with pytest.raises(DomainError, match="evidence"):
        services.assessment_record(actor=street.community_cadre, node=street.community, item="study", value=5,
                                   evidence=" ", assessed_on=date(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        services.assessment_record(actor=street.community_cadre, node=street.village, item="study", value=5,
                                   evidence="学习强国截图", assessed_on=date(2026, 10, 1))
    with pytest.raises(DomainError, match="number"):
        services.assessment_record(actor=street.community_cadre, node=street.community, item="study", value="x",
                                   evidence="学习强国截图", assessed_on=date(2026, 10, 1))
    assessment = services.assessment_record(actor=street.community_cadre, node=street.community, item="study",
                                            value=5, evidence="学习强国截图", assessed_on=date(2026, 10, 1),
                                            person=street.worker_a)
    assert assessment.cadre == street.community_cadre and Assessment.objects.count() == 1


def test_pioneer_index_adds_bonuses_subtracts_deductions_and_vetoes(street):
    services.rule_set_create(actor=SYSTEM, definition=next(d for d in schemes.DEFINITIONS
                                                            if d["code"] == schemes.PIONEER))
    leader = factories.person("钱网格长", node=street.grid_a, role=Role.GRID_LEADER)
    day = date(2026, 10, 8)
    for person, item, value in [(street.worker_a, "study", 50), (street.worker_a, "bonus", 10),
                                (street.worker_a, "deduction", 5), (street.worker_b, "study", 30),
                                (leader, "study", 30), (leader, "downgrade", 1)]:
        node = street.grid_a if person != street.worker_b else street.grid_b
        services.assessment_record(actor=street.community_cadre, node=node, person=person, item=item,
                                   value=value, evidence="支部记录", assessed_on=day)
    run = services.run_compute(actor=SYSTEM, scheme=schemes.PIONEER, period="2026-10")
    worker_a = run.standings.get(person=street.worker_a)
    # 学分 50 capped at 40, + 10 bonus − 5 deduction = 45: 2 stars (≥20, ≥40).
    assert worker_a.total == Decimal("45") and worker_a.stars == 2
    leader_standing = run.standings.get(person=leader)
    assert leader_standing.total == Decimal("30") and leader_standing.vetoed
    assert leader_standing.stars == 0 and leader_standing.tier == "lagging"
