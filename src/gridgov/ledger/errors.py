"""Refusals of the ledger: ValidationErrors with a stable ``code`` (the API maps each to a status)."""

from django.core.exceptions import ValidationError


class LedgerRefusal(ValidationError):
    code_default = "invalid"
    status = 400

    def __init__(self, message, code: str | None = None):
        super().__init__(message, code=code or self.code_default)


class IdempotencyConflict(LedgerRefusal):
    """The idempotency key was used before for a different request."""

    code_default = "idempotency_conflict"
    status = 409


class InsufficientFunds(LedgerRefusal):
    """An account that may not go negative would."""

    code_default = "insufficient_points"
    status = 409


class BudgetExceeded(InsufficientFunds):
    code_default = "budget_exceeded"
    status = 409


class AlreadyReversed(LedgerRefusal):
    code_default = "already_reversed"
    status = 409
