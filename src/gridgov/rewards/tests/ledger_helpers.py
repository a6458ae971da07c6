"""Funding members through the ledger's own services, as the platform does."""

from gridgov.ledger import journal
from gridgov.ledger import services as ledger
from gridgov.ledger.models import Budget
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import SYSTEM


def street_of(person) -> Node:
    path = person.roles.select_related("node").first().node.path
    return next(node for node in Node.objects.filter(kind=NodeKind.STREET) if path.startswith(node.path))


def grant(member, points: int, *, key: str):
    """Raise the street's budget by ``points`` and grant them to ``member``."""
    street = street_of(member)
    period = journal.current_period()
    current = Budget.objects.filter(node=street, period=period).values_list("amount", flat=True).first() or 0
    ledger.budget_set(actor=SYSTEM, node=street, period=period, amount=current + points)
    return ledger.grant_points(actor=SYSTEM, person=member, amount=points, reason="test grant", idempotency_key=key,
                               budget_node=street)


def posting_lines(posting) -> list[tuple[int, int]]:
    return list(posting.lines.values_list("account_id", "amount"))
