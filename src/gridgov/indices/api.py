"""Indices API: rule sets, compute / publish / correct a period, rankings, explanations, recorded events,
and the public organisation page's data. Thin: services and selectors do the work."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Body, Router, Schema, Status

from gridgov.indices import selectors, services
from gridgov.indices.models import Computation, RuleSet, Standing
from gridgov.indices.rules import definition_of
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import can, require

router = Router(tags=["indices"])


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


@router.get("/indices/rule-sets", response=list[RuleSetOut])
def rule_sets(request):
    return [_rule_set_out(rule_set) for rule_set in RuleSet.objects.order_by("code", "-version")]


@router.get("/indices/rule-sets/{int:pk}")
def rule_set_detail(request, pk: int):
    return definition_of(get_object_or_404(RuleSet, pk=pk)) | {"version": get_object_or_404(RuleSet, pk=pk).version}


@router.post("/indices/rule-sets", response={201: RuleSetOut})
def rule_set_create(request, definition: dict = Body(...)):
    return 201, _rule_set_out(services.rule_set_create(actor=request.person, definition=definition))


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


@router.post("/indices/{scheme}/{period}/compute", response={202: ComputationOut},
             summary="Ask for a period to be computed (a background job); poll the computation")
def compute(request, scheme: str, period: str):
    computation = services.computation_request(actor=request.person, scheme=scheme, period=period)
    return Status(202, _computation_out(computation))


@router.get("/indices/computations/{int:pk}", response=ComputationOut, summary="A computation and its progress")
def computation(request, pk: int):
    found = get_object_or_404(Computation.objects.select_related("run__rule_set"), pk=pk)
    if found.requested_by_id != request.person.pk and not services.may_everywhere(request.person, "indices.compute"):
        raise Http404
    return _computation_out(found)


@router.post("/indices/{scheme}/{period}/publish", response=RunOut)
def publish(request, scheme: str, period: str):
    run = selectors.run_for(scheme, period)
    if run is None:
        raise Http404("This period has not been computed.")
    return _run_out(services.run_publish(actor=request.person, run=run))


class CorrectIn(Schema):
    reason: str


@router.post("/indices/{scheme}/{period}/correct", response={202: ComputationOut},
             summary="Ask for a correction of a published period, with a reason (a background job)")
def correct(request, scheme: str, period: str, body: CorrectIn):
    computation = services.computation_request(actor=request.person, scheme=scheme, period=period, correction=True,
                                               reason=body.reason)
    return Status(202, _computation_out(computation))


class StandingOut(Schema):
    id: int
    entity_id: int
    name: str
    parent_id: int | None
    total: float
    rank: int
    stars: int
    tier: str
    colour: str
    vetoed: bool
    scores: dict[str, float]


@router.get("/indices/{scheme}/{period}/ranking", response=list[StandingOut])
def ranking(request, scheme: str, period: str, parent: int):
    run = selectors.run_for(scheme, period)
    node = Node.objects.filter(pk=parent).first()
    if run is None or node is None or not can(request.person, "indices.view", node):
        raise Http404("Not found.")
    indices, rows = selectors.ranking(run, parent=node)
    names = can(request.person, "person.view", node)
    return [{"id": row.standing.pk, "entity_id": row.standing.node_id or row.standing.person_id,
             "name": row.name if (row.standing.node_id or names) else row.standing.person.name_masked,
             "parent_id": row.standing.parent_id, "total": float(row.standing.total), "rank": row.standing.rank,
             "stars": row.standing.stars, "tier": row.standing.tier, "colour": row.standing.colour,
             "vetoed": row.standing.vetoed,
             "scores": {index.code: float(score.value) if score else 0.0 for index, score in zip(indices, row.scores)}}
            for row in rows]


@router.get("/indices/standings/{int:pk}/explanation")
def explanation(request, pk: int):
    standing = get_object_or_404(Standing.objects.select_related("run__rule_set", "node"), pk=pk)
    node = standing.node or Node.objects.filter(pk=standing.parent_id).first()
    if standing.person_id != request.person.pk and (node is None or not can(request.person, "indices.view", node)):
        raise Http404("Not found.")
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


@router.get("/indices/public/{slug}", auth=None)
def public(request, slug: str):
    code = selectors.org_code_by_slug(slug)
    if code is None:
        raise Http404("Not found.")
    return {"name": code.node.name, "schemes": [
        {"code": block["rule_set"].code, "name": block["rule_set"].name,
         "history": [{"period": row["period"], "colour": row["standing"].colour, "stars": row["standing"].stars,
                      "tier": row["standing"].tier, "total": float(row["standing"].total),
                      "scores": {s.index.code: float(s.value) for s in row["scores"]}} for row in block["history"]]}
        for block in selectors.public_view(code.node)]}


class ActivityIn(Schema):
    node: str
    kind: str
    due_on: date
    held_on: date | None = None
    required: bool = True


class NewsIn(Schema):
    node: str
    title: str
    submitted_on: date
    adopted: bool = False
    spread_count: int = 0


class AssessmentIn(Schema):
    node: str
    item: str
    value: Decimal
    evidence: str
    assessed_on: date
    person_id: int | None = None


def _node(request, code: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None or not can(request.person, "node.view", node):
        raise Http404("Not found.")
    return node


@router.post("/indices/activities", response={201: dict})
def record_activity(request, body: ActivityIn):
    activity = services.activity_record(actor=request.person, node=_node(request, body.node), kind=body.kind,
                                        due_on=body.due_on, held_on=body.held_on, required=body.required)
    return 201, {"id": activity.pk}


@router.post("/indices/news", response={201: dict})
def record_news(request, body: NewsIn):
    item = services.news_record(actor=request.person, node=_node(request, body.node), title=body.title,
                                submitted_on=body.submitted_on, adopted=body.adopted, spread_count=body.spread_count)
    return 201, {"id": item.pk}


@router.post("/indices/assessments", response={201: dict})
def record_assessment(request, body: AssessmentIn):
    node = _node(request, body.node)
    person = get_object_or_404(Person, pk=body.person_id) if body.person_id else None
    require(request.person, "indices.record", node)
    assessment = services.assessment_record(actor=request.person, node=node, person=person, item=body.item,
                                            value=body.value, evidence=body.evidence, assessed_on=body.assessed_on)
    return 201, {"id": assessment.pk}
