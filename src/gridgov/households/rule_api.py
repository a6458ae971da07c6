"""API for village-rule compliance (村规民约): a village's rules (a cadre adds one), a household's breaches with
its compliance, recording a breach and revoking one with a reason. The same services as the pages. Schema names
start with ``Household``."""

from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gridgov.api_schemas import Day, Id, Limit, Line, Offset, Page, Paragraphs, errors, page
from gridgov.errors import NotFound
from gridgov.households import rules, selectors
from gridgov.households.api import NodeCode, NodeQuery
from gridgov.households.models import VillageRule

router = Router(tags=["households"])

class HouseholdRuleOut(Schema):
    id: int
    node: str = Field(description="The code of the village or community")
    code: str
    text: str
    order: int

    @staticmethod
    def resolve_node(rule):
        return rule.node.code


class HouseholdRuleIn(Schema):
    node: NodeCode
    code: Annotated[str, Field(min_length=1, max_length=32, pattern="^[A-Za-z0-9_-]+$")]
    text: Line = Field(max_length=rules.MAX_RULE)
    order: int = Field(0, ge=0, le=1000)


class HouseholdBreachOut(Schema):
    id: int
    household_id: int
    rule_id: int
    rule: str
    occurred_on: date
    note: str
    recorded_at: datetime
    revoked_at: datetime | None
    revoke_reason: str

    @staticmethod
    def resolve_rule(breach):
        return breach.rule.text


class HouseholdComplianceOut(Schema):
    household_id: int
    breaches_12m: int = Field(description="Breaches standing (not revoked) in the last 12 months")
    compliant: bool
    breaches: list[HouseholdBreachOut]


class HouseholdBreachIn(Schema):
    rule_id: Id
    occurred_on: Day
    note: Paragraphs = Field("", max_length=rules.MAX_NOTE)


class HouseholdBreachRevokeIn(Schema):
    reason: Line = Field(min_length=1, max_length=rules.MAX_REASON)


@router.get("/households/rules", response={200: Page[HouseholdRuleOut], **errors(403, 404)},
            summary="The village rules (村规民约) in an area (default: the first of mine)")
def rule_list(request, node: NodeQuery = "", limit: Limit = 100, offset: Offset = 0):
    found = selectors.area_node(request.person, "household.view", node)
    return page(VillageRule.objects.filter(node__path__startswith=found.path, is_active=True).select_related("node")
                .order_by("node__path", "order", "code"), limit=limit, offset=offset)


@router.post("/households/rules", response={201: HouseholdRuleOut, **errors(400, 403, 404, 409)},
             summary="Add a rule to a village's rules (cadres)")
def rule_create(request, payload: HouseholdRuleIn):
    found = selectors.area_node(request.person, "household.rule", payload.node)
    return Status(201, rules.rule_create(actor=request.person, node=found, code=payload.code, text=payload.text,
                                         order=payload.order))


@router.get("/households/{int:household_id}/breaches", response={200: HouseholdComplianceOut, **errors(403, 404)},
            summary="A household's village-rule breaches and whether it complied in the last 12 months")
def breach_list(request, household_id: Id):
    household = selectors.household_for(actor=request.person, pk=household_id)
    if not selectors.may_view(request.person, household):
        raise NotFound()
    count = rules.breach_counts([household.pk]).get(household.pk, 0)
    return {"household_id": household.pk, "breaches_12m": count, "compliant": count == 0,
            "breaches": rules.breaches_of(household)}


@router.post("/households/{int:household_id}/breaches", response={201: HouseholdBreachOut, **errors(400, 403, 404)},
             summary="Record a household's breach of one of its village's rules")
def breach_create(request, household_id: Id, payload: HouseholdBreachIn):
    household = selectors.household_for(actor=request.person, pk=household_id)
    rule = VillageRule.objects.filter(pk=payload.rule_id).first()
    if rule is None:
        raise NotFound(_("No such village rule."))
    return Status(201, rules.breach_record(actor=request.person, household=household, rule=rule,
                                           occurred_on=payload.occurred_on, note=payload.note))


@router.post("/households/breaches/{int:breach_id}/revoke", response={200: HouseholdBreachOut, **errors(400, 403, 404, 409)},
             summary="Revoke a breach recorded in error, with the reason")
def breach_revoke(request, breach_id: Id, payload: HouseholdBreachRevokeIn):
    found = rules.breach_for(actor=request.person, pk=breach_id)
    return rules.breach_revoke(actor=request.person, breach=found, reason=payload.reason)
