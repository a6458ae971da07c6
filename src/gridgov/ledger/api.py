"""Points API: balance, statement, rankings, grants, reversals, budgets. Thin: services and selectors do the work."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from gridgov.api_schemas import Id, Limit, Line, Offset, Page, errors, max_length_of, page
from gridgov.errors import NotFound, PermissionDenied
from gridgov.ledger import checkpoints, proofs, selectors, services
from gridgov.ledger.models import Posting
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import require

router = Router(tags=["points"])
MAX_BATCH = 10000
MAX_RANKING = 200

Code = Annotated[Line, Field(max_length=max_length_of(Node, "code"))]
Period = Annotated[str, Field(max_length=7, description="A month: YYYY-MM.", examples=["2026-11"])]
Points = Annotated[StrictInt, Field(ge=1, le=services.MAX_AMOUNT)]  # 10.0, true and "10" are not points
Reason = Annotated[Line, Field(max_length=services.MAX_REASON, description="Required.")]
Memo = Annotated[Line, Field(max_length=services.MAX_MEMO)]
Key = Annotated[Line, Field(max_length=services.MAX_KEY_LENGTH, description="Required; a retry with it posts once.")]
PersonId = Annotated[Id | None, Query(None, description="Someone in my area; empty: me.")]


class BalanceOut(Schema):
    person_id: int
    balance: int


class LineOut(Schema):
    sequence: int
    time: str
    kind: str
    reason: str
    memo: str
    amount: int
    actor: str
    reversed: bool


class RankingRowOut(Schema):
    rank: int
    name: str
    points: int
    is_me: bool


class RankingOut(Schema):
    node: str
    period: str
    rows: list[RankingRowOut]
    my_rank: int | None
    out_of: int | None


class GrantIn(Schema):
    person_id: Id
    amount: Points
    reason: Reason
    budget_node: Code
    idempotency_key: Key
    memo: Memo = ""


class BatchGrantRowIn(Schema):
    person_id: Id
    amount: Points
    reason: Reason
    idempotency_key: Key | None = Field(None, description="Default: the batch's key and the row's position.")
    memo: Memo = ""


class BatchGrantIn(Schema):
    budget_node: Code
    idempotency_key: Key
    grants: list[BatchGrantRowIn] = Field(min_length=1, max_length=MAX_BATCH)


class PostingOut(Schema):
    id: int
    sequence: int
    kind: str
    reason: str
    idempotency_key: str
    hash: str


class ReverseIn(Schema):
    reason: Reason
    idempotency_key: Key


class BudgetIn(Schema):
    node: Code
    period: Period
    amount: StrictInt = Field(ge=0, le=services.MAX_AMOUNT)


class BudgetOut(Schema):
    node: str
    period: str
    amount: int
    left: int


def _person(person_id) -> Person:
    return get_object_or_404(Person, pk=person_id)


def _visible_person(request, person_id: int | None) -> Person:
    if person_id is None or person_id == request.person.pk:
        return request.person
    person = _person(person_id)
    node = selectors.points_home(person)
    if node is None:
        raise PermissionDenied("This person belongs to no area you can see.")
    require(request.person, "points.view", node)
    return person


@router.get("/points/balance", response={200: BalanceOut, **errors(403, 404)},
            summary="A balance (mine, or a person's in my area)")
def balance(request, person_id: PersonId = None):
    person = _visible_person(request, person_id)
    return {"person_id": person.pk, "balance": selectors.balance_of(selectors.person_account(person))}


@router.get("/points/statement", response={200: Page[LineOut], **errors(400, 403, 404)},
            summary="A statement, newest first")
def statement(request, person_id: PersonId = None, period: Period | None = None,
              reason: Annotated[Line | None, Query(None, max_length=services.MAX_REASON,
                                                    description="A posting kind or an exact reason.")] = None,
              limit: Limit = 100, offset: Offset = 0):
    person = _visible_person(request, person_id)
    if period:
        services.check_period(period)
    lines = selectors.statement(account=selectors.person_account(person), period=period, reason=reason)
    return page(lines, limit=limit, offset=offset, build=lambda chunk: [
        {"sequence": line.posting.sequence, "time": line.posting.created_at.isoformat(),
         "kind": line.posting.kind, "reason": line.posting.reason, "memo": line.posting.memo,
         "amount": line.amount, "actor": line.posting.actor_name, "reversed": hasattr(line.posting, "reversed_by")}
        for line in chunk
    ])


@router.get("/points/ranking/{code}", response={200: RankingOut, **errors(400, 403)},
            summary="Top earners of a grid, community or street")
def ranking(request, code: str, period: Period,
            limit: Annotated[int, Query(50, ge=1, le=MAX_RANKING, description=f"Rows, 1 to {MAX_RANKING}.")] = 50):
    node = get_object_or_404(Node, code=code)
    services.check_period(period)
    if not selectors.may_see_ranking(person=request.person, node=node):
        require(request.person, "node.view", node)
    rows = selectors.ranking(node=node, period=period, limit=limit)
    mine = selectors.rank_of(person=request.person, node=node, period=period)
    account = selectors.person_account(request.person)
    return {
        "node": node.code, "period": period,
        "rows": [{"rank": row.rank, "name": _masked(row.name), "points": row.points,
                  "is_me": account is not None and row.account_id == account.pk} for row in rows],
        "my_rank": mine[0] if mine else None, "out_of": mine[1] if mine else None,
    }


def _masked(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


@router.post("/points/grants", response={201: PostingOut, **errors(400, 403, 404, 409)},
             summary="Grant points from a budget (idempotent)")
def grant(request, body: GrantIn):
    node = get_object_or_404(Node, code=body.budget_node)
    posting = services.grant_points(
        actor=request.person, person=_person(body.person_id), amount=body.amount, reason=body.reason,
        idempotency_key=body.idempotency_key, budget_node=node, memo=body.memo,
    )
    return Status(201, posting)


@router.post("/points/grants/batch", response={201: list[PostingOut], **errors(400, 403, 404, 409)},
             summary=f"Grant up to {MAX_BATCH} in one transaction: all or nothing (idempotent)")
def grant_batch(request, body: BatchGrantIn):
    node = get_object_or_404(Node, code=body.budget_node)
    ids = {row.person_id for row in body.grants}
    people = Person.objects.in_bulk(ids)
    if missing := ids - set(people):
        raise NotFound(f"Unknown person: {sorted(missing)[0]}", code="unknown_person")
    grants = [
        {"person": people[row.person_id], "amount": row.amount, "reason": row.reason,
         "idempotency_key": row.idempotency_key, "memo": row.memo}
        for row in body.grants
    ]
    postings = services.grant_batch(actor=request.person, grants=grants, budget_node=node,
                                    idempotency_key=body.idempotency_key)
    return Status(201, postings)


@router.post("/points/postings/{int:sequence}/reverse", response={201: PostingOut, **errors(400, 403, 409)},
             summary="Reverse a posting with a reason (once)")
def reverse(request, sequence: Id, body: ReverseIn):
    posting = get_object_or_404(Posting, sequence=sequence)
    reversal = services.reverse_posting(actor=request.person, posting=posting, reason=body.reason,
                                        idempotency_key=body.idempotency_key)
    return Status(201, reversal)


@router.get("/points/budgets", response={200: Page[BudgetOut], **errors(400, 403, 404)},
            summary="Budgets of a node (and below) per period")
def budgets(request, node: Code, period: Period | None = None, limit: Limit = 100, offset: Offset = 0):
    root = get_object_or_404(Node, code=node)
    require(request.person, "points.view", root)
    if period:
        services.check_period(period)
    rows = selectors.budgets_for(Node.objects.filter(path__startswith=root.path), period)
    return page(rows, limit=limit, offset=offset, build=lambda chunk: [
        {"node": b.node.code, "period": b.period, "amount": b.amount, "left": b.account.balance} for b in chunk])


@router.put("/points/budgets", response={200: BudgetOut, **errors(400, 403, 404, 409)},
            summary="Set a node's budget for a period")
def budget_put(request, body: BudgetIn):
    node = get_object_or_404(Node, code=body.node)
    budget = services.budget_set(actor=request.person, node=node, period=body.period, amount=body.amount)
    return {"node": node.code, "period": budget.period, "amount": budget.amount,
            "left": selectors.balance_of(budget.account)}


# ---------------------------------------------------------------------------------------------- verifiable points

Size = Annotated[int, Query(..., ge=1, le=2**53 - 1, description="A tree size: postings 1 … n.")]


class CheckpointOut(Schema):
    origin: str
    size: int
    root_hash: str = Field(description="Hex SHA-256 (RFC 6962 tree hash).")
    note: str = Field(description="The C2SP signed note, with the witnesses' co-signatures.")
    witnesses: int
    time: str


class ProofOut(Schema):
    size: int
    proof: list[str] = Field(description="Base64 hashes, RFC 9162 order.")


class LogKeyOut(Schema):
    log_key: str = Field(description="The installation's Ed25519 verifier key (C2SP signed-note format).")


def _checkpoint_out(checkpoint) -> dict:
    return {"origin": checkpoint.origin, "size": checkpoint.size, "root_hash": checkpoint.root_hash,
            "note": proofs.cosigned_note(checkpoint), "witnesses": len(checkpoint.cosignatures.all()),
            "time": checkpoint.created_at.isoformat()}


@router.get("/points/checkpoints", response={200: Page[CheckpointOut], **errors()},
            summary="Signed checkpoints of the points ledger, newest first")
def checkpoint_list(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.checkpoints_page(), limit=limit, offset=offset,
                build=lambda chunk: [_checkpoint_out(c) for c in chunk])


@router.get("/points/checkpoints/key", response={200: LogKeyOut, **errors()},
            summary="The installation's public key that signs checkpoints")
def checkpoint_key(request):
    return {"log_key": checkpoints.log_verifier_key()}


@router.get("/points/proofs/inclusion", response={200: ProofOut, **errors(400)},
            summary="Inclusion proof of posting #index+1 in the tree of a size")
def inclusion(request, index: Annotated[int, Query(..., ge=0, le=2**53 - 1, description="Leaf: sequence − 1.")],
              size: Size):
    return {"size": size, "proof": proofs.inclusion_proof(index=index, size=size)}


@router.get("/points/proofs/consistency", response={200: ProofOut, **errors(400)},
            summary="Consistency proof between two tree sizes")
def consistency(request, first: Size, second: Size):
    return {"size": second, "proof": proofs.consistency_proof(first=first, second=second)}


@router.get("/points/proofs/mine", response={200: dict, **errors(400, 404)},
            summary="My proof bundle: my postings with inclusion proofs against the latest co-signed checkpoint")
def my_bundle(request, period: Period | None = None):
    return proofs.person_bundle(person=request.person, period=period)
