"""Writing postings: the one place that inserts into the chain.

Callers (the services) have validated and checked permission. ``write`` runs inside their transaction:
it locks the chain head (serialising every ledger writer; SQLite's IMMEDIATE transactions already do),
refuses overdrafts, numbers and hashes the postings, inserts them and their lines in bulk, moves the
cached balances with ``balance = balance + delta`` and updates the ranking aggregates.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timezone as dt_timezone

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.ledger import aggregates
from gridgov.ledger.errors import BudgetExceeded, InsufficientFunds, LedgerRefusal
from gridgov.ledger.models import Account, ChainHead, Line, Posting, PostingKind

GENESIS_HASH = "0" * 64


@dataclass
class Draft:
    """A posting not yet written."""

    kind: str
    reason: str
    idempotency_key: str
    lines: list[tuple[int, int]]  # (account id, amount)
    period: str = ""
    node_id: int | None = None
    source_type: str = ""
    source_id: str = ""
    memo: str = ""
    role: str = ""
    reverses_id: int | None = None
    earned_period: str = ""  # for a reversal of a grant: the month whose earnings it takes back
    extra: dict = field(default_factory=dict)


def current_period() -> str:
    return timezone.localtime().strftime("%Y-%m")


HASHED_FIELDS = ("sequence", "idempotency_key", "kind", "reason", "period", "node_id", "source_type", "source_id",
                 "actor_id", "actor_name", "role", "memo", "created_at", "reverses_id", "prev_hash")


def canonical(values: dict, lines: list[tuple[int, int]]) -> bytes:
    """The bytes a posting's hash covers: every field that means something, its lines, and prev_hash."""
    content = [values[name] for name in HASHED_FIELDS]
    content[HASHED_FIELDS.index("created_at")] = utc_text(values["created_at"])
    content.insert(-1, sorted([int(account), int(amount)] for account, amount in lines))
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def utc_text(moment) -> str:
    return moment if isinstance(moment, str) else moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hash_of(posting: Posting, lines: list[tuple[int, int]]) -> str:
    return hashlib.sha256(canonical({name: getattr(posting, name) for name in HASHED_FIELDS}, lines)).hexdigest()


def lock_head() -> ChainHead:
    """Lock the chain's one head row (created on first use); every ledger writer queues here."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def existing(keys: list[str]) -> dict[str, Posting]:
    found: dict[str, Posting] = {}
    for start in range(0, len(keys), 5000):
        chunk = keys[start:start + 5000]
        found.update({p.idempotency_key: p for p in Posting.objects.filter(idempotency_key__in=chunk)})
    return found


def lines_of(postings: list[Posting]) -> dict[int, list[tuple[int, int]]]:
    result: dict[int, list[tuple[int, int]]] = {p.pk: [] for p in postings}
    ids = list(result)
    for start in range(0, len(ids), 5000):
        for posting_id, account_id, amount in Line.objects.filter(posting_id__in=ids[start:start + 5000]).values_list(
            "posting_id", "account_id", "amount"
        ):
            result[posting_id].append((account_id, amount))
    return result


def _account_rows(ids: list[int]) -> dict[int, tuple[str, bool, int]]:
    rows = {}
    for start in range(0, len(ids), 5000):
        for pk, kind, may_go_negative, balance in Account.objects.filter(pk__in=ids[start:start + 5000]).values_list(
            "pk", "kind", "may_go_negative", "balance"
        ):
            rows[pk] = (kind, may_go_negative, balance)
    return rows


def write(*, actor, drafts: list[Draft], overdraft_error=InsufficientFunds, head: ChainHead | None = None
          ) -> list[Posting]:
    """Write ``drafts`` as postings in the caller's transaction (all or nothing)."""
    if not drafts:
        return []
    try:
        with transaction.atomic():
            return _write(actor=actor, drafts=drafts, overdraft_error=overdraft_error, head=head or lock_head())
    except IntegrityError as error:
        if "no_overdraft" in str(error) or "CHECK constraint" in str(error):
            # The database's own check caught what the explicit check above it should have.
            raise InsufficientFunds(_("Not enough points: the database refused an overdraft.")) from error
        raise


def _write(*, actor, drafts: list[Draft], overdraft_error, head: ChainHead) -> list[Posting]:
    deltas: dict[int, int] = {}
    for draft in drafts:
        for account_id, amount in draft.lines:
            deltas[account_id] = deltas.get(account_id, 0) + amount
    accounts = _account_rows(list(deltas))
    if missing := set(deltas) - set(accounts):
        raise LedgerRefusal(_("Unknown account: %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))},
                            code="unknown_account")
    for account_id, delta in deltas.items():
        _kind, may_go_negative, balance = accounts[account_id]
        if not may_go_negative and balance + delta < 0:
            name = Account.objects.filter(pk=account_id).values_list("name", flat=True).first()
            message = (
                _("The budget %(account)s has %(balance)d points left; this needs %(needed)d.")
                if issubclass(overdraft_error, BudgetExceeded)
                else _("Not enough points in %(account)s: it holds %(balance)d, this needs %(needed)d.")
            )
            raise overdraft_error(message % {"account": name, "balance": balance, "needed": -delta})

    now = timezone.now()
    period = timezone.localtime(now).strftime("%Y-%m")
    sequence, prev_hash = head.sequence, head.hash or GENESIS_HASH
    actor_id, actor_name = getattr(actor, "pk", None), (getattr(actor, "name", "") or "")[:50]
    first_sequence = sequence + 1
    now_text = utc_text(now)
    rows, line_rows = [], []
    for draft in drafts:
        sequence += 1
        values = {
            "sequence": sequence, "idempotency_key": draft.idempotency_key, "kind": draft.kind,
            "reason": draft.reason[:200], "period": draft.period or period, "node_id": draft.node_id,
            "source_type": draft.source_type[:60], "source_id": str(draft.source_id)[:64], "actor_id": actor_id,
            "actor_name": actor_name, "role": draft.role[:20], "memo": draft.memo[:200], "created_at": now_text,
            "reverses_id": draft.reverses_id, "prev_hash": prev_hash,
        }
        values["hash"] = prev_hash = hashlib.sha256(canonical(values, draft.lines)).hexdigest()
        rows.append(values)
    # Plain executemany: ORM instances for ten thousand rows would cost more than the database does.
    quote = connection.ops.quote_name
    columns = [*HASHED_FIELDS, "hash"]
    stored_now = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(Posting._meta.db_table)} ({', '.join(map(quote, columns))}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            [[stored_now if name == "created_at" else row[name] for name in columns] for row in rows],
        )
        cursor.execute(f"SELECT sequence, id FROM {quote(Posting._meta.db_table)} WHERE sequence >= %s",
                       [first_sequence])
        ids = dict(cursor.fetchall())
        cursor.executemany(
            f"INSERT INTO {quote(Line._meta.db_table)} (posting_id, account_id, amount) VALUES (%s, %s, %s)",
            [(ids[row["sequence"]], account_id, amount) for row, draft in zip(rows, drafts)
             for account_id, amount in draft.lines],
        )
    postings = list(Posting.objects.filter(sequence__gte=first_sequence).order_by("sequence"))
    table = connection.ops.quote_name(Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET balance = balance + %s WHERE id = %s",
            [(delta, account_id) for account_id, delta in deltas.items() if delta],
        )
    ChainHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=prev_hash)

    earned: dict[tuple[int, str], int] = {}
    for posting, draft in zip(postings, drafts):
        if draft.kind == PostingKind.GRANT or draft.earned_period:
            month = draft.earned_period or posting.period
            for account_id, amount in draft.lines:
                if accounts[account_id][0] == "person":
                    earned[(account_id, month)] = earned.get((account_id, month), 0) + amount
    aggregates.add_earned(earned)
    return postings
