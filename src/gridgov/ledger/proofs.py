"""Proof bundles: a person's postings with inclusion proofs against the latest co-signed checkpoint, and
consistency proofs between two checkpoints. ``verifier`` checks them with no server.

A posting's leaf is the same canonical bytes its chain hash covers (``journal.canonical``), so the bundle
carries them as text: whoever checks it reads the amount, reason and time it proves, not only a hash.
"""

import base64
import re

from django.utils.translation import gettext as _

from gridgov.ledger import checkpoints, journal, merkle, merkle_log
from gridgov.ledger.errors import LedgerRefusal
from gridgov.ledger.models import Checkpoint, Line, Posting
from gridgov.ledger.selectors import latest_checkpoint, person_account
from gridgov.ledger.verifier import BUNDLE_FORMAT, CONSISTENCY_FORMAT

MAX_POSTINGS = 2000  # one month of one person is far below; a bigger bundle is refused, never cut
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _b64(items: list[bytes]) -> list[str]:
    return [base64.b64encode(item).decode() for item in items]


def _entries(postings: list[Posting]) -> dict[int, str]:
    """Each posting's canonical text (what its leaf hashes)."""
    lines = journal.lines_of(postings)
    return {p.pk: journal.canonical({name: getattr(p, name) for name in journal.HASHED_FIELDS}, lines[p.pk]).decode()
            for p in postings}


def person_bundle(*, person, period: str | None = None, latest: int | None = None) -> dict:
    """The bundle proving ``person``'s postings (of ``period``, a month, or all; or only the ``latest`` few)
    up to the latest checkpoint."""
    if period and not PERIOD.match(period):
        raise LedgerRefusal(_("A period is a month, written YYYY-MM."), code="invalid_period")
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        raise LedgerRefusal(_("No checkpoint of the ledger has been signed yet."), code="unknown_checkpoint")
    account = person_account(person)
    postings = Posting.objects.none()
    if account is not None:
        ids = Line.objects.filter(account=account).values("posting_id")
        postings = Posting.objects.filter(pk__in=ids)
        if period:
            postings = postings.filter(period=period)
    later = postings.filter(sequence__gt=checkpoint.size).count()
    provable = postings.filter(sequence__lte=checkpoint.size)
    if latest:
        postings = sorted(provable.order_by("-sequence")[:latest], key=lambda p: p.sequence)
    else:
        postings = list(provable.order_by("sequence")[:MAX_POSTINGS + 1])
    if len(postings) > MAX_POSTINGS:
        raise LedgerRefusal(_("More than %(count)d postings: ask for one month at a time.") % {"count": MAX_POSTINGS},
                            code="invalid_period")
    needed = sorted({address for p in postings
                     for address in merkle.needed_nodes("inclusion", p.sequence - 1, checkpoint.size)})
    nodes = merkle_log.nodes(needed)
    entries = _entries(postings)
    return {
        "format": BUNDLE_FORMAT,
        "log_key": checkpoints.log_verifier_key(),
        "witness_keys": sorted({c.verifier_key for c in checkpoint.cosignatures.all()}),
        "checkpoint": cosigned_note(checkpoint),
        "account": account.pk if account else None,
        "period": period or "",
        "later": later,
        "postings": [{"index": p.sequence - 1, "entry": entries[p.pk],
                      "proof": _b64(merkle.proof("inclusion", p.sequence - 1, checkpoint.size, nodes))}
                     for p in postings],
    }


def cosigned_note(checkpoint: Checkpoint) -> str:
    """The checkpoint's note with the witnesses' signature lines added (the C2SP co-signed checkpoint)."""
    lines = "".join(c.signature for c in checkpoint.cosignatures.order_by("pk"))
    return checkpoint.note + lines


def consistency_bundle(*, first: Checkpoint, second: Checkpoint) -> dict:
    if first.size > second.size:
        first, second = second, first
    return {
        "format": CONSISTENCY_FORMAT,
        "log_key": checkpoints.log_verifier_key(),
        "first": cosigned_note(first),
        "second": cosigned_note(second),
        "proof": _b64(merkle_log.consistency(first.size, second.size)),
    }


def inclusion_proof(*, index: int, size: int) -> list[str]:
    _check_range(index + 1, size)
    return _b64(merkle_log.inclusion(index, size))


def consistency_proof(*, first: int, second: int) -> list[str]:
    _check_range(first, second)
    return _b64(merkle_log.consistency(first, second))


def _check_range(low: int, high: int) -> None:
    if not (0 < low <= high <= merkle_log.size()):
        raise LedgerRefusal(_("Out of range: the log holds %(size)d postings.") % {"size": merkle_log.size()},
                            code="invalid_proof_range")
