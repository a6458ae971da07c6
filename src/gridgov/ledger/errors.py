"""Refusals of the ledger, and the codes they carry (``gridgov.errors``: one status per code)."""

from gridgov.errors import DomainError, register_codes

register_codes({
    "invalid_account": (400, "Unknown account kind or a bad owner key."),
    "unknown_account": (400, "A line names an account that does not exist."),
    "unknown_person": (404, "No such person, or outside your area."),
    "unknown_posting": (404, "No such posting, or outside your area."),
    "invalid_amount": (400, "Points are whole numbers above zero and at most the per-posting limit."),
    "invalid_reason": (400, "A reason is required."),
    "invalid_lines": (400, "A posting needs two or more lines, each an account and an amount."),
    "unbalanced": (400, "The lines of a posting must sum to zero."),
    "invalid_node": (400, "That kind of node does not hold budgets or rankings."),
    "invalid_key": (400, "An idempotency key of 1 to 120 characters is required."),
    "invalid_batch": (400, "A batch of grants is empty, too big, or repeats an idempotency key."),
    "invalid_posting": (409, "This posting cannot be reversed (a reversal, or budget funding)."),
    "idempotency_conflict": (409, "The idempotency key was used before for a different request."),
    "insufficient_points": (409, "An account that may not go negative would."),
    "budget_exceeded": (409, "The budget of the paying community or street is spent."),
    "no_budget": (409, "The paying community or street has no budget for the month."),
    "already_reversed": (409, "The posting has already been reversed."),
})


class LedgerRefusal(DomainError):
    code = "invalid"


class IdempotencyConflict(LedgerRefusal):
    """The idempotency key was used before for a different request."""

    code = "idempotency_conflict"


class InsufficientFunds(LedgerRefusal):
    """An account that may not go negative would."""

    code = "insufficient_points"


class BudgetExceeded(InsufficientFunds):
    code = "budget_exceeded"


class AlreadyReversed(LedgerRefusal):
    code = "already_reversed"


register_codes({
    "empty_ledger": (409, "Nothing has been posted yet, so there is no checkpoint to sign."),
    "unknown_checkpoint": (404, "No such checkpoint."),
    "bad_checkpoint": (400, "The checkpoint does not parse, or its log signature does not verify."),
    "older_checkpoint": (409, "The checkpoint is older than the last one this witness signed."),
    "split_view": (409, "The checkpoint contradicts one this witness signed; an oversight finding was raised."),
    "invalid_proof_range": (400, "Leaf index or tree sizes out of range for the log."),
})


class CheckpointRefusal(DomainError):
    code = "bad_checkpoint"


class SplitViewDetected(CheckpointRefusal):
    code = "split_view"
