"""Proving the ledger intact: the hash chain, the Merkle log and its checkpoints, the lines summing to zero,
and every cached balance.

The Merkle log is rebuilt from the postings as they are now and compared, node by node, with the stored
one (which proofs are served from), and at each checkpoint's size with the signed root: a posting changed,
removed or reordered after a checkpoint makes that checkpoint's root fail, whatever else was rewritten."""

import hashlib
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.ledger import journal, merkle, merkle_log
from gridgov.ledger.models import Account, ChainHead, Checkpoint, Line, Posting

WHAT = {"posting": gettext_lazy("Posting"), "account": gettext_lazy("Account"), "leaf": gettext_lazy("Merkle leaf"),
        "checkpoint": gettext_lazy("Checkpoint")}


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
    log = _LogCheck(problems)
    while True:
        postings = list(Posting.objects.filter(sequence__gt=last_sequence).order_by("sequence")[:chunk])
        if not postings:
            break
        lines = journal.lines_of(postings)
        leaves = []
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
            content = journal.canonical({name: getattr(posting, name) for name in journal.HASHED_FIELDS}, own)
            leaves.append(merkle.leaf_hash(content))
            if hashlib.sha256(content).hexdigest() != posting.hash:
                problems.append(Problem("posting", label, _("content does not match its hash (changed after posting)")))
            if len(own) < 2 or sum(amount for _account, amount in own) != 0:
                problems.append(Problem("posting", label, _("lines do not sum to zero")))
            previous_hash, expected_sequence = posting.hash, posting.sequence + 1
            last_sequence = posting.sequence
        log.add(leaves)
    log.finish()
    head = ChainHead.objects.filter(pk=1).first()
    if checked and (head is None or head.sequence != last_sequence or head.hash != previous_hash):
        problems.append(Problem("posting", f"#{last_sequence}", _("the chain head does not point at the last posting")))
    if checked and head is not None and head.frontier != merkle_log.frontier_text(checked, log.frontier):
        problems.append(Problem("leaf", f"#{checked}", _("the chain head's Merkle frontier does not match the log")))

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


class _LogCheck:
    """The Merkle log rebuilt from the postings, chunk by chunk, against the stored nodes and the checkpoints."""

    def __init__(self, problems: list[Problem]):
        self.problems, self.size, self.frontier = problems, 0, {}
        self.checkpoints = list(Checkpoint.objects.order_by("size").values_list("size", "root_hash"))
        self.bad_leaf = False

    def add(self, leaves: list[bytes]) -> None:
        start = self.size
        stored = merkle_log.leaves(start, start + len(leaves))
        if not self.bad_leaf:
            for offset, leaf in enumerate(leaves):
                if offset >= len(stored) or stored[offset] != leaf:
                    self.bad_leaf = True
                    self.problems.append(Problem("leaf", f"#{start + offset + 1}", _(
                        "does not match posting #%(n)d (changed, removed or reordered after it was logged)")
                        % {"n": start + offset + 1}))
                    break
        for leaf in leaves:  # one at a time, to stop at each checkpoint's size
            merkle.appended_nodes(self.frontier, self.size, [leaf])
            self.size += 1
            while self.checkpoints and self.checkpoints[0][0] == self.size:
                self._compare(*self.checkpoints.pop(0))

    def _compare(self, size: int, root_hex: str) -> None:
        if merkle.root(size, self.frontier).hex() != root_hex:
            self.problems.append(Problem("checkpoint", f"#{size}", _(
                "the postings no longer hash to this signed root: one of postings #1 to #%(size)d was changed, "
                "removed or reordered") % {"size": size}))

    def finish(self) -> None:
        for size, _root in self.checkpoints:
            self.problems.append(Problem("checkpoint", f"#{size}", _("signed for more postings than the ledger holds")))
