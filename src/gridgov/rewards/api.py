"""API for points codes, redemption at merchants, settlements and the dividend table."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from gridgov.api_schemas import Id, Limit, Line, Offset, Page, errors, max_length_of, page
from gridgov.errors import PermissionDenied
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import require
from gridgov.rewards import dividend as dividends
from gridgov.rewards import selectors, services
from gridgov.rewards.models import CatalogueItem, Merchant

router = Router(tags=["rewards"])

PointsCode = Annotated[Line, Field(max_length=200, description="The QR text, or the 8 characters typed at the till.")]


class PointsCodeOut(Schema):
    """A member's short-lived, single-use points code (not an API token: see ``/auth/token``)."""

    token: str
    code: str
    expires_at: datetime


class PointsCodeIn(Schema):
    token: PointsCode
    merchant_id: Id | None = Field(None, description="Needed when you serve at more than one merchant.")


class InspectionOut(Schema):
    merchant_id: int
    merchant_name: str
    member_masked: str
    balance: int
    expires_at: datetime


class RedeemIn(Schema):
    token: PointsCode
    item_id: Id
    idempotency_key: Line = Field(max_length=services.IDEMPOTENCY_KEY_MAX,
                                  description="Required; a retry with it redeems once.")


class ItemOut(Schema):
    id: int
    name: str
    kind: str
    points: int
    description: str
    stock: int | None


class MerchantOut(Schema):
    id: int
    name: str
    node_code: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")


class RedemptionOut(Schema):
    id: int
    merchant_id: int
    merchant_name: str = Field(alias="merchant.name")
    item_name: str
    points: int
    member_masked: str = Field(alias="member.name_masked")
    posting_id: int | None
    created_at: datetime


class SettlementLineOut(Schema):
    item_name: str
    count: int
    points: int


class SettlementOut(Schema):
    merchant_id: int
    period: str
    count: int
    points: int
    lines: list[SettlementLineOut]
    redemptions: list[RedemptionOut]


class DividendRowOut(Schema):
    label: str
    members: list[str]
    points: int
    share: Decimal


class DividendOut(Schema):
    node_code: str
    year: int
    amount: Decimal
    unit: str
    total_points: int
    total_share: Decimal
    rounding_rule: str
    points_rule: str
    rows: list[DividendRowOut]


@router.post("/rewards/my-token", response=PointsCodeOut, summary="Issue my short-lived, single-use points code")
def my_token(request):
    issued = services.token_issue(person=request.person)
    return {"token": issued.token, "code": issued.code, "expires_at": issued.expires_at}


TILL_ERRORS = errors(400, 403, 404, 409, 410)


@router.post("/rewards/tokens/inspect", response={200: InspectionOut, **TILL_ERRORS},
             summary="Merchant staff: check a member's code")
def inspect_token(request, body: PointsCodeIn):
    merchant = get_object_or_404(Merchant, pk=body.merchant_id) if body.merchant_id else None
    found = services.token_inspect(actor=request.person, token_string=body.token, merchant=merchant)
    return {"merchant_id": found.merchant.pk, "merchant_name": found.merchant.name,
            "member_masked": found.member_masked, "balance": found.balance, "expires_at": found.expires_at}


@router.post("/rewards/redemptions", response={201: RedemptionOut, **TILL_ERRORS},
             summary="Merchant staff: redeem an item")
def redeem(request, body: RedeemIn):
    item = get_object_or_404(CatalogueItem.objects.select_related("merchant__node"), pk=body.item_id)
    redemption = services.redeem(actor=request.person, token_string=body.token, item=item,
                                 idempotency_key=body.idempotency_key)
    return Status(201, redemption)


@router.get("/rewards/merchants/{int:merchant_id}/catalogue", response={200: Page[ItemOut], **errors(403)},
            summary="A merchant's catalogue")
def merchant_catalogue(request, merchant_id: Id, limit: Limit = 100, offset: Offset = 0):
    merchant = get_object_or_404(Merchant.objects.select_related("node"), pk=merchant_id)
    if not services.member_in_scope(member=request.person, merchant=merchant) and not selectors.may_view_settlement(
        request.person, merchant
    ):
        raise PermissionDenied("This merchant is outside your area.", code="out_of_scope")
    return page(selectors.catalogue(merchant), limit=limit, offset=offset)


@router.get("/rewards/my/redemptions", response=Page[RedemptionOut], summary="What I spent my points on")
def my_redemptions(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.redemptions_of(request.person).select_related("member"), limit=limit, offset=offset)


@router.get("/rewards/merchants/{int:merchant_id}/settlement", response={200: SettlementOut, **errors(400, 403)},
            summary="A merchant's settlement for one month (period=YYYY-MM)")
def merchant_settlement(request, merchant_id: Id,
                        period: Annotated[str, Query("", max_length=7, description="YYYY-MM; empty: this month.")] = ""):
    merchant = get_object_or_404(Merchant.objects.select_related("node"), pk=merchant_id)
    if not selectors.may_view_settlement(request.person, merchant):
        raise PermissionDenied("You may not read this merchant's settlement.")
    result = selectors.settlement(merchant=merchant, period=period or None)
    return {"merchant_id": merchant.pk, "period": str(result.period), "count": result.count,
            "points": result.points, "lines": result.lines, "redemptions": result.redemptions}


@router.get("/rewards/dividend", response={200: DividendOut, **errors(400, 403, 404, 409)},
            summary="Year-end dividend shares of a village, pro rata to points earned (largest remainder)")
def dividend_table(request, node: Annotated[Line, Query(..., max_length=max_length_of(Node, "code"))],
                   year: Annotated[int, Query(..., ge=2000, le=2999)],
                   amount: Annotated[str, Query(..., max_length=20, description="Yuan, at most two decimals.",
                                                examples=["12000.00"])],
                   unit: Literal["household", "person"] = "household"):
    village = get_object_or_404(Node, code=node)
    require(request.person, "rewards.dividend", village)
    table = dividends.dividend_table(node=village, year=year, amount=amount, unit=unit)
    return {
        "node_code": village.code, "year": table.year, "amount": table.amount, "unit": table.unit,
        "total_points": table.total_points, "total_share": table.total_share,
        "rounding_rule": str(dividends.ROUNDING_RULE), "points_rule": str(dividends.POINTS_RULE),
        "rows": [{"label": row.label, "members": row.members, "points": row.points, "share": row.share}
                 for row in table.rows],
    }
