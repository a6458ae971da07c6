"""Points API: balance, statement, rankings, grants, reversals, budgets. Thin: services and selectors do the work."""


from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import StrictInt

from gridgov.errors import NotFound, PermissionDenied
from gridgov.ledger import selectors, services
from gridgov.ledger.errors import LedgerRefusal
from gridgov.ledger.models import Posting
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import require

router = Router(tags=["points"])
MAX_BATCH = 10000



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


class StatementOut(Schema):
    page: int
    pages: int
    count: int
    lines: list[LineOut]


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
    person_id: int
    amount: StrictInt  # 10.0, true and "10" are not points
    reason: str
    budget_node: str
    idempotency_key: str
    memo: str = ""


class BatchGrantIn(Schema):
    budget_node: str
    idempotency_key: str
    grants: list[dict]


class PostingOut(Schema):
    id: int
    sequence: int
    kind: str
    reason: str
    idempotency_key: str
    hash: str


class ReverseIn(Schema):
    reason: str
    idempotency_key: str


class BudgetIn(Schema):
    node: str
    period: str
    amount: StrictInt


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


@router.get("/points/balance", response=BalanceOut, summary="A balance (mine, or a person's in my area)")
def balance(request, person_id: int | None = None):
    person = _visible_person(request, person_id)
    return {"person_id": person.pk, "balance": selectors.balance_of(selectors.person_account(person))}


@router.get("/points/statement", response=StatementOut, summary="A statement, newest first, 50 lines a page")
def statement(request, person_id: int | None = None, period: str | None = None, reason: str | None = None,
              page: int = 1):
    person = _visible_person(request, person_id)
    if period:
        services.check_period(period)
    lines = selectors.statement(account=selectors.person_account(person), period=period, reason=reason)
    paginator = Paginator(lines, 50)
    current = paginator.get_page(page)
    return {
        "page": current.number, "pages": paginator.num_pages, "count": paginator.count,
        "lines": [
            {"sequence": line.posting.sequence, "time": line.posting.created_at.isoformat(),
             "kind": line.posting.kind, "reason": line.posting.reason, "memo": line.posting.memo,
             "amount": line.amount, "actor": line.posting.actor_name,
             "reversed": hasattr(line.posting, "reversed_by")}
            for line in current
        ],
    }


@router.get("/points/ranking/{code}", response=RankingOut, summary="Top earners of a grid, community or street")
def ranking(request, code: str, period: str, limit: int = 50):
    node = get_object_or_404(Node, code=code)
    services.check_period(period)
    if not selectors.may_see_ranking(person=request.person, node=node):
        require(request.person, "node.view", node)
    rows = selectors.ranking(node=node, period=period, limit=min(max(limit, 1), 200))
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


@router.post("/points/grants", response={201: PostingOut}, summary="Grant points from a budget (idempotent)")
def grant(request, body: GrantIn):
    node = get_object_or_404(Node, code=body.budget_node)
    posting = services.grant_points(
        actor=request.person, person=_person(body.person_id), amount=body.amount, reason=body.reason,
        idempotency_key=body.idempotency_key, budget_node=node, memo=body.memo,
    )
    return Status(201, posting)


@router.post("/points/grants/batch", response={201: list[PostingOut]},
             summary="Grant many in one transaction: all or nothing (idempotent)")
def grant_batch(request, body: BatchGrantIn):
    node = get_object_or_404(Node, code=body.budget_node)
    if not body.grants or len(body.grants) > MAX_BATCH:
        raise LedgerRefusal(f"A batch holds 1 to {MAX_BATCH} grants.", code="invalid_batch")
    ids = {row.get("person_id") for row in body.grants}
    if any(type(pk) is not int for pk in ids):
        raise LedgerRefusal("Each grant needs a person_id.", code="unknown_person")
    people = Person.objects.in_bulk(ids)
    if missing := ids - set(people):
        raise NotFound(f"Unknown person: {sorted(missing)[0]}", code="unknown_person")
    grants = [
        {"person": people[row["person_id"]], "amount": row.get("amount"), "reason": row.get("reason"),
         "idempotency_key": row.get("idempotency_key"), "memo": str(row.get("memo") or "")}
        for row in body.grants
    ]
    postings = services.grant_batch(actor=request.person, grants=grants, budget_node=node,
                                    idempotency_key=body.idempotency_key)
    return Status(201, postings)


@router.post("/points/postings/{sequence}/reverse", response={201: PostingOut},
             summary="Reverse a posting with a reason (once)")
def reverse(request, sequence: int, body: ReverseIn):
    posting = get_object_or_404(Posting, sequence=sequence)
    reversal = services.reverse_posting(actor=request.person, posting=posting, reason=body.reason,
                                        idempotency_key=body.idempotency_key)
    return Status(201, reversal)


@router.get("/points/budgets", response=list[BudgetOut], summary="Budgets of a node (and below) per period")
def budgets(request, node: str, period: str | None = None):
    root = get_object_or_404(Node, code=node)
    require(request.person, "points.view", root)
    if period:
        services.check_period(period)
    rows = selectors.budgets_for(Node.objects.filter(path__startswith=root.path), period)[:500]
    return [{"node": b.node.code, "period": b.period, "amount": b.amount, "left": b.account.balance} for b in rows]


@router.put("/points/budgets", response=BudgetOut, summary="Set a node's budget for a period")
def budget_put(request, body: BudgetIn):
    node = get_object_or_404(Node, code=body.node)
    budget = services.budget_set(actor=request.person, node=node, period=body.period, amount=body.amount)
    return {"node": node.code, "period": budget.period, "amount": budget.amount,
            "left": selectors.balance_of(budget.account)}
