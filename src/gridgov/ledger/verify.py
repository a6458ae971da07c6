"""Proving the ledger intact: the hash chain, the lines summing to zero, and every cached balance."""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.ledger import journal
from gridgov.ledger.models import Account, ChainHead, Line, Posting

WHAT = {"posting": gettext_lazy("Posting"), "account": gettext_lazy("Account")}


@dataclass
class Problem:
    what: str  # "posting" or "account"
    ident: str
    message: str

    def __str__(self) -> str:
        return f"{WHAT[self.what]} {self.ident}: {self.message}"


def verify_ledger(*, chunk: int = 5000) -> tuple[int, list[Problem]]:
    """Walk every posting in sequence order; return (postings checked, problems) — the first problem first."""
    problems: list[Problem] = []
    previous_hash, expected_sequence, checked = journal.GENESIS_HASH, 1, 0
    last_sequence = 0
    while True:
        postings = list(Posting.objects.filter(sequence__gt=last_sequence).order_by("sequence")[:chunk])
        if not postings:
            break
        lines = journal.lines_of(postings)
        for posting in postings:
            checked += 1
            label = _("#%(sequence)d (id %(id)d, key %(key)s)") % {
                "sequence": posting.sequence, "id": posting.pk, "key": posting.idempotency_key}
            own = lines[posting.pk]
            if posting.sequence != expected_sequence:
                problems.append(Problem("posting", label, _("sequence gap: expected #%(sequence)d")
                                        % {"sequence": expected_sequence}))
            if posting.prev_hash != previous_hash:
                problems.append(Problem("posting", label, _("prev_hash does not match the previous posting's hash")))
            if journal.hash_of(posting, own) != posting.hash:
                problems.append(Problem("posting", label, _("content does not match its hash (changed after posting)")))
            if len(own) < 2 or sum(amount for _account, amount in own) != 0:
                problems.append(Problem("posting", label, _("lines do not sum to zero")))
            previous_hash, expected_sequence = posting.hash, posting.sequence + 1
            last_sequence = posting.sequence
    head = ChainHead.objects.filter(pk=1).first()
    if checked and (head is None or head.sequence != last_sequence or head.hash != previous_hash):
        problems.append(Problem("posting", f"#{last_sequence}", _("the chain head does not point at the last posting")))

    sums = dict(Line.objects.values_list("account").annotate(total=Sum("amount")).order_by())
    for pk, name, balance, may_go_negative in Account.objects.order_by("pk").values_list(
        "pk", "name", "balance", "may_go_negative"
    ):
        label = f"{pk} ({name})"
        if balance != (sums.get(pk) or 0):
            problems.append(Problem("account", label, _("cached balance %(balance)d != sum of lines %(sum)d")
                                    % {"balance": balance, "sum": sums.get(pk) or 0}))
        if not may_go_negative and balance < 0:
            problems.append(Problem("account", label, _("balance %(balance)d is below zero") % {"balance": balance}))
    return checked, problems
