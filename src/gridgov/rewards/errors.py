"""Refusals of the redemption flow, each with a stable code for the API and a message for people."""

from django.utils.translation import gettext_lazy as _

from gridgov.errors import DomainError, register_codes

# code -> (HTTP status, default message). The codes are part of the API contract: do not rename.
REFUSALS = {
    "token_invalid": (400, _("This is not a valid points code. Ask the member to refresh the code and try again.")),
    "token_unknown": (404, _("No such points code. Check the typed code, or ask the member to refresh it.")),
    "token_expired": (410, _("This points code has expired. Ask the member to refresh the code.")),
    "token_used": (409, _("This points code has already been used. Ask the member to refresh the code.")),
    "out_of_scope": (403, _("This member is outside this merchant's area; the code cannot be used here.")),
    "not_merchant_staff": (403, _("You are not staff of this merchant.")),
    "merchant_inactive": (409, _("This merchant is not accepting points at the moment.")),
    "item_inactive": (409, _("This item is no longer offered.")),
    "item_not_of_merchant": (400, _("This item belongs to another merchant.")),
    "out_of_stock": (409, _("This item is out of stock.")),
    "insufficient_points": (409, _("The member does not have enough points for this item.")),
    "idempotency_conflict": (
        409, _("This confirmation was already used for a different redemption. Reload the page and try again.")
    ),
    "invalid_period": (400, _("The period must be a month written as YYYY-MM.")),
    "invalid_amount": (400, _("The dividend must be a positive amount in yuan with at most two decimals.")),
    "invalid_node": (400, _("Choose a village or community.")),
    "no_points": (409, _("Nobody in this village earned points in that year, so there is nothing to divide by.")),
}


register_codes(REFUSALS)


class RewardsRefusal(DomainError):
    """Raised by rewards services when a request is refused; the transaction rolls back, nothing moves."""

    def __init__(self, code: str, message=None):
        super().__init__(message if message is not None else REFUSALS[code][1], code=code)
