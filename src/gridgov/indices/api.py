"""Indices API: rule sets, compute / publish / correct a period, rankings, explanations, recorded events,
and the public organisation page's data. Thin: services and selectors do the work."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gridgov.api_schemas import COUNT_MAX, Day, Id, Limit, Line, Offset, Page, Paragraphs, errors, max_length_of, page
from gridgov.indices import selectors, services
from gridgov.indices.models import (
    ActivityRecord,
    Aggregation,
    Assessment,
    Colour,
    Computation,
    EntityKind,
    NewsItem,
    Normalisation,
    PeriodKind,
    RuleSet,
    Run,
    Standing,
)
from gridgov.indices.rules import OPERATORS, definition_of
from gridgov.orgs.models import Node, NodeKind, Person, Role
from gridgov.orgs.permissions import can, require

router = Router(tags=["indices"])

Slug = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
Name = Annotated[Line, Field(max_length=100)]
Scheme = Annotated[str, Field(max_length=40, description="A rule set's code, e.g. taizhou.")]
Period = Annotated[str, Field(max_length=7, description="2026-10 (a month), 2026-Q4 or 2026.")]
Code = Annotated[Line, Field(max_length=max_length_of(Node, "code"))]


def _number(limit: float, **extra):
    """A finite number below ``limit`` in size: what the rule's decimal column holds."""
    return Field(allow_inf_nan=False, gt=-limit, lt=limit, **extra)


FilterValue = bool | Annotated[int, Field(ge=-(2**31), le=2**31 - 1)] | Annotated[str, Field(max_length=200)]


class IndicatorDefinition(Schema):
    code: Slug
    name: Name = Field("", description="Empty: the code.")
    group: Annotated[Line, Field(max_length=40)] = ""
    source: Annotated[str, Field(max_length=40, description="An event source, or index (another index's score).")]
    filter: dict[Annotated[str, Field(max_length=40)], FilterValue] = Field(default_factory=dict, max_length=10)
    aggregation: Aggregation = Aggregation.COUNT
    normalisation: Normalisation = Normalisation.NONE
    parameter: float | None = _number(10**8, default=None)
    weight: float = _number(10**6, default=1)
    sign: Literal[1, -1] = 1
    veto: bool = False


class IndexDefinition(Schema):
    code: Slug
    name: Name = Field("", description="Empty: the code.")
    base: float = _number(10**8, default=0)
    indicators: list[IndicatorDefinition] = Field(default_factory=list, max_length=50)


class TierDefinition(Schema):
    code: Annotated[Line, Field(min_length=1, max_length=20)]
    label: Name = ""
    min_score: float | None = _number(10**10, default=None)
    top_percent: float | None = Field(None, gt=0, le=100)


class ConditionDefinition(Schema):
    fact: Annotated[str, Field(max_length=60, description="total, vetoed, previous_colour, index.<code>, rank.<code>")]
    op: Literal[OPERATORS]
    value: Any


class ColourDefinition(Schema):
    colour: Colour
    label: Annotated[Line, Field(max_length=200)] = ""
    when: list[ConditionDefinition] = Field(default_factory=list, max_length=20)


class RuleSetDefinition(Schema):
    """A scheme's rules: its indices and their indicators, stars, tiers and colour codes."""

    code: Slug
    name: Name
    description: Annotated[Paragraphs, Field(max_length=2000)] = ""
    entity_kind: EntityKind
    node_kinds: list[NodeKind] = Field(default_factory=list, max_length=len(NodeKind.values))
    roles: list[Role] = Field(default_factory=list, max_length=len(Role.values))
    period_kind: PeriodKind = PeriodKind.MONTH
    total_index: Annotated[str, Field(max_length=40)] = ""
    stars: list[Annotated[float, _number(10**10)]] = Field(default_factory=list, max_length=10)
    tiers: list[TierDefinition] = Field(default_factory=list, max_length=10)
    indices: list[IndexDefinition] = Field(min_length=1, max_length=20)
    colours: list[ColourDefinition] = Field(default_factory=list, max_length=10)


class RuleSetDetailOut(RuleSetDefinition):
    version: int


class RuleSetOut(Schema):
    id: int
    code: str
    version: int
    name: str
    entity_kind: str
    locked: bool


def _rule_set_out(rule_set: RuleSet) -> dict:
    return {"id": rule_set.pk, "code": rule_set.code, "version": rule_set.version, "name": rule_set.name,
            "entity_kind": rule_set.entity_kind, "locked": rule_set.locked_at is not None}


@router.get("/indices/rule-sets", response=Page[RuleSetOut])
def rule_sets(request, limit: Limit = 100, offset: Offset = 0):
    return page(RuleSet.objects.order_by("code", "-version"), limit=limit, offset=offset,
                build=lambda chunk: [_rule_set_out(rule_set) for rule_set in chunk])


@router.get("/indices/rule-sets/{int:pk}", response=RuleSetDetailOut)
def rule_set_detail(request, pk: Id):
    rule_set = get_object_or_404(RuleSet, pk=pk)
    return definition_of(rule_set) | {"version": rule_set.version}


@router.post("/indices/rule-sets", response={201: RuleSetOut, **errors(400, 403)})
def rule_set_create(request, definition: RuleSetDefinition):
    rule_set = services.rule_set_create(actor=request.person,
                                        definition=definition.model_dump(mode="json", exclude_unset=True))
    return Status(201, _rule_set_out(rule_set))


class RunOut(Schema):
    id: int
    scheme: str
    period: str
    revision: int
    state: str
    reason: str
    rule_set_version: int
    entity_count: int


def _run_out(run) -> dict:
    return {"id": run.pk, "scheme": run.scheme, "period": run.period, "revision": run.revision, "state": run.state,
            "reason": run.reason, "rule_set_version": run.rule_set.version, "entity_count": run.entity_count}


RUN_ERRORS = errors(400, 403, 409)


class ComputationOut(Schema):
    id: int
    scheme: str
    period: str
    correction: bool
    state: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    message: str
    run: RunOut | None
    elapsed_seconds: int
    expected_seconds: int | None
    percent: int | None


def _computation_out(computation) -> dict:
    progress = selectors.progress(computation)
    return {"id": computation.pk, "scheme": computation.scheme, "period": computation.period,
            "correction": computation.correction, "state": computation.state,
            "requested_at": computation.requested_at, "started_at": computation.started_at,
            "finished_at": computation.finished_at, "message": computation.message,
            "run": _run_out(computation.run) if computation.run else None, "elapsed_seconds": progress["elapsed"],
            "expected_seconds": progress["expected"], "percent": progress["percent"]}


@router.post("/indices/{scheme}/{period}/compute", response={202: ComputationOut, **RUN_ERRORS},
             summary="Ask for a period to be computed (a background job); poll the computation")
def compute(request, scheme: Scheme, period: Period):
    computation = services.computation_request(actor=request.person, scheme=scheme, period=period)
    return Status(202, _computation_out(computation))


@router.get("/indices/computations/{int:pk}", response={200: ComputationOut, **errors(404)},
            summary="A computation and its progress")
def computation(request, pk: Id):
    found = get_object_or_404(Computation.objects.select_related("run__rule_set"), pk=pk)
    if found.requested_by_id != request.person.pk and not services.may_everywhere(request.person, "indices.compute"):
        raise Http404
    return _computation_out(found)


@router.post("/indices/{scheme}/{period}/publish", response={200: RunOut, **RUN_ERRORS})
def publish(request, scheme: Scheme, period: Period):
    run = selectors.run_for(scheme, period)
    if run is None:
        raise Http404(_("This period has not been computed."))
    return _run_out(services.run_publish(actor=request.person, run=run))


class CorrectIn(Schema):
    reason: Annotated[Line, Field(max_length=max_length_of(Run, "reason"), description="Required.")]


@router.post("/indices/{scheme}/{period}/correct", response={202: ComputationOut, **RUN_ERRORS},
             summary="Ask for a correction of a published period, with a reason (a background job)")
def correct(request, scheme: Scheme, period: Period, body: CorrectIn):
    computation = services.computation_request(actor=request.person, scheme=scheme, period=period, correction=True,
                                               reason=body.reason)
    return Status(202, _computation_out(computation))


class Result(Schema):
    """What a standing shows wherever it appears: its total, rank, stars, tier and colour."""

    total: float
    rank: int
    stars: int
    tier: str
    colour: str
    vetoed: bool


class StandingOut(Result):
    id: int
    entity_id: int
    name: str
    parent_id: int | None
    scores: dict[str, float]


@router.get("/indices/{scheme}/{period}/ranking", response=Page[StandingOut])
def ranking(request, scheme: Scheme, period: Period,
            parent: Annotated[Id, Query(..., description="The id of the node whose members are ranked.")],
            limit: Limit = 100, offset: Offset = 0):
    run = selectors.run_for(scheme, period)
    node = Node.objects.filter(pk=parent).first()
    if run is None or node is None or not can(request.person, "indices.view", node):
        raise Http404(_("Not found."))
    indices, rows = selectors.ranking(run, parent=node)
    names = can(request.person, "person.view", node)
    return page(rows, limit=limit, offset=offset, build=lambda chunk: [
        {"id": row.standing.pk, "entity_id": row.standing.node_id or row.standing.person_id,
         "name": row.name if (row.standing.node_id or names) else row.standing.person.name_masked,
         "parent_id": row.standing.parent_id, "total": float(row.standing.total), "rank": row.standing.rank,
         "stars": row.standing.stars, "tier": row.standing.tier, "colour": row.standing.colour,
         "vetoed": row.standing.vetoed,
         "scores": {index.code: float(score.value) if score else 0.0 for index, score in zip(indices, row.scores)}}
        for row in chunk])


class IndicatorLineOut(Schema):
    code: str
    name: str
    source: str
    filter: dict[str, Any]
    weight: float
    sign: int
    veto: bool
    raw: float
    normalised: float
    contribution: float
    events: list[dict[str, str]] = Field(description="Up to 20 of the events counted.")


class IndexPartOut(Schema):
    code: str
    name: str
    value: float
    indicators: list[IndicatorLineOut]


class ExplanationOut(Result):
    scheme: str
    period: str
    colour_rule: str | None
    facts: dict[str, Any]
    indices: list[IndexPartOut]


@router.get("/indices/standings/{int:pk}/explanation", response=ExplanationOut)
def explanation(request, pk: Id):
    standing = get_object_or_404(Standing.objects.select_related("run__rule_set", "node"), pk=pk)
    node = standing.node or Node.objects.filter(pk=standing.parent_id).first()
    if standing.person_id != request.person.pk and (node is None or not can(request.person, "indices.view", node)):
        raise Http404(_("Not found."))
    explained = selectors.explain(standing)
    rule = explained["colour_rule"]
    return {
        "scheme": standing.run.scheme, "period": standing.run.period, "total": float(standing.total),
        "rank": standing.rank, "stars": standing.stars, "tier": standing.tier, "colour": standing.colour,
        "vetoed": standing.vetoed, "colour_rule": rule.label if rule else None, "facts": explained["facts"],
        "indices": [{"code": part["index"].code, "name": part["index"].name,
                     "value": float(part["score"].value) if part["score"] else 0.0,
                     "indicators": [{"code": line.indicator.code, "name": line.indicator.name,
                                     "source": line.indicator.source, "filter": line.indicator.filter,
                                     "weight": float(line.indicator.weight), "sign": line.indicator.sign,
                                     "veto": line.indicator.is_veto, "raw": line.raw,
                                     "normalised": line.normalised, "contribution": line.contribution,
                                     "events": [{k: str(v) for k, v in event.items()} for event in line.events]}
                                    for line in part["lines"]]}
                    for part in explained["parts"]],
    }


class PublicPeriodOut(Schema):
    period: str
    colour: str
    stars: int
    tier: str
    total: float
    scores: dict[str, float]


class PublicSchemeOut(Schema):
    code: str
    name: str
    history: list[PublicPeriodOut]


class PublicOut(Schema):
    name: str
    schemes: list[PublicSchemeOut]


@router.get("/indices/public/{slug}", auth=None, response=PublicOut,
            summary="An organisation's published colours and scores (behind its QR code; no token)")
def public(request, slug: Annotated[str, Field(max_length=32)]):
    code = selectors.org_code_by_slug(slug)
    if code is None:
        raise Http404(_("Not found."))
    return {"name": code.node.name, "schemes": [
        {"code": block["rule_set"].code, "name": block["rule_set"].name,
         "history": [{"period": row["period"], "colour": row["standing"].colour, "stars": row["standing"].stars,
                      "tier": row["standing"].tier, "total": float(row["standing"].total),
                      "scores": {s.index.code: float(s.value) for s in row["scores"]}} for row in block["history"]]}
        for block in selectors.public_view(code.node)]}


class ActivityIn(Schema):
    node: Code
    kind: Annotated[Line, Field(max_length=max_length_of(ActivityRecord, "kind"))]
    due_on: Day
    held_on: Day | None = Field(None, description="Not in the future; empty: not held yet.")
    required: bool = True


class NewsIn(Schema):
    node: Code
    title: Annotated[Line, Field(max_length=max_length_of(NewsItem, "title"))]
    submitted_on: Day = Field(description="Not in the future.")
    adopted: bool = False
    spread_count: int = Field(0, ge=0, le=COUNT_MAX)


class AssessmentIn(Schema):
    node: Code
    item: Annotated[str, Field(max_length=max_length_of(Assessment, "item"), pattern=r"^[-a-zA-Z0-9_]*$")]
    value: Decimal = Field(max_digits=10, decimal_places=2)
    evidence: Annotated[Paragraphs, Field(max_length=max_length_of(Assessment, "evidence"), description="Required.")]
    assessed_on: Day = Field(description="Not in the future.")
    person_id: Id | None = None


class CreatedOut(Schema):
    id: int


def _node(request, code: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None or not can(request.person, "node.view", node):
        raise Http404(_("Not found."))
    return node


RECORD_ERRORS = errors(400, 403, 404)


@router.post("/indices/activities", response={201: CreatedOut, **RECORD_ERRORS})
def record_activity(request, body: ActivityIn):
    activity = services.activity_record(actor=request.person, node=_node(request, body.node), kind=body.kind,
                                        due_on=body.due_on, held_on=body.held_on, required=body.required)
    return Status(201, {"id": activity.pk})


@router.post("/indices/news", response={201: CreatedOut, **RECORD_ERRORS})
def record_news(request, body: NewsIn):
    item = services.news_record(actor=request.person, node=_node(request, body.node), title=body.title,
                                submitted_on=body.submitted_on, adopted=body.adopted, spread_count=body.spread_count)
    return Status(201, {"id": item.pk})


@router.post("/indices/assessments", response={201: CreatedOut, **RECORD_ERRORS})
def record_assessment(request, body: AssessmentIn):
    node = _node(request, body.node)
    person = get_object_or_404(Person, pk=body.person_id) if body.person_id else None
    require(request.person, "indices.record", node)
    assessment = services.assessment_record(actor=request.person, node=node, person=person, item=body.item,
                                            value=body.value, evidence=body.evidence, assessed_on=body.assessed_on)
    return Status(201, {"id": assessment.pk})
