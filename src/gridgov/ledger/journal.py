"""Writing postings: the one place that inserts into the chain.

Callers (the services) have validated and checked permission, and hold a transaction: ``write`` and
``write_if_new`` must run inside ``transaction.atomic()``, which makes each service all or nothing (when
the service is itself called inside another transaction, its atomic block is a savepoint). The caller
first takes the chain lock with ``lock_head`` (serialising every ledger writer; SQLite's IMMEDIATE
transactions already do), then the journal numbers and hashes the postings, inserts them and their
lines, moves the cached balances and updates the ranking aggregates.

The hot path is plain SQL that SQLite (3.35+) and PostgreSQL both speak: a few statements per call
whatever the number of postings (multi-row ``INSERT … RETURNING``, ``UPDATE … FROM (VALUES …)``,
``INSERT … ON CONFLICT``; on PostgreSQL the rows travel as one JSON parameter, see ``sql.row_sets``),
because an ORM query costs more than the database does here. The guarantees
stay in the database: the unique idempotency key, the no-overdraft check constraint, the append-only
triggers; the journal only asks for them in fewer round trips.
"""

import hashlib
import json
import operator
from dataclasses import dataclass, field
from datetime import timezone as dt_timezone

from django.db import IntegrityError, connection
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.ledger import aggregates, merkle, merkle_log
from gridgov.ledger.errors import BudgetExceeded, InsufficientFunds, LedgerRefusal
from gridgov.ledger.models import Account, Budget, ChainHead, EarnedTotal, Line, Posting, PostingKind
from gridgov.orgs import tree
from gridgov.orgs.models import Node, Person
from gridgov.sql import any_of, chunks, placeholders, row_sets, table

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


@dataclass
class Head:
    """The chain head as read under the lock: the last sequence number and hash."""

    sequence: int
    hash: str
    frontier: str = ""  # the Merkle log's right edge (``merkle_log.frontier_of``)


@dataclass
class Payee:
    """A person about to be paid from a budget, as read in one query (see ``grant_context``)."""

    person_id: int
    account_id: int | None
    account_path: str | None  # path of the account's node: its ranking levels
    inside: bool  # holds a role inside the budget node's area
    home_node_id: int | None  # where a new account would rank: the node of their deepest role
    home_path: str | None
    period: str = ""  # the month of ``earned``
    earned: tuple[int, dict] | None = None  # that month's total and its ranking levels, if there is one
    opened_with: int | None = None  # the balance ``open_person_accounts`` opened the account with, in this write


def current_period(now=None) -> str:
    """This month (YYYY-MM) in the installation's time zone (``TIME_ZONE``; no request changes it)."""
    return timezone.localtime(now or timezone.now(), timezone.get_default_timezone()).strftime("%Y-%m")


HASHED_FIELDS = ("sequence", "idempotency_key", "kind", "reason", "period", "node_id", "source_type", "source_id",
                 "actor_id", "actor_name", "role", "memo", "created_at", "reverses_id", "prev_hash")
POSTING_COLUMNS = (*HASHED_FIELDS, "hash")
POSTING_TYPES = ("bigint", "text", "text", "text", "text", "bigint", "text", "text", "bigint", "text", "text", "text",
                 "timestamptz", "bigint", "text", "text")  # of POSTING_COLUMNS, for PostgreSQL (``sql.row_sets``)
POSTING_ATTNAMES = [f.attname for f in Posting._meta.concrete_fields]
PICK_POSTING_COLUMNS = operator.itemgetter(*POSTING_COLUMNS)  # a row dict's values in column order, at C speed


# json.dumps(content, ensure_ascii=False, separators=(",", ":")), without building an encoder per call.
CANONICAL_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def canonical(values: dict, lines: list[tuple[int, int]]) -> bytes:
    """The bytes a posting's hash covers: every field that means something, its lines, and prev_hash."""
    content = [values[name] for name in HASHED_FIELDS]
    content[HASHED_FIELDS.index("created_at")] = utc_text(values["created_at"])
    content.insert(-1, sorted([int(account), int(amount)] for account, amount in lines))
    return CANONICAL_JSON.encode(content).encode()


def utc_text(moment) -> str:
    return moment if isinstance(moment, str) else moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hash_of(posting: Posting, lines: list[tuple[int, int]]) -> str:
    return hashlib.sha256(canonical({name: getattr(posting, name) for name in HASHED_FIELDS}, lines)).hexdigest()


# ---------------------------------------------------------------------------------------------- reading under the lock

def lock_head() -> Head:
    """Lock the chain's one head row (created on first use) and read it; every ledger writer queues here."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_head() must run inside transaction.atomic()")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT sequence, hash, frontier FROM {table(ChainHead)} WHERE id = 1{lock}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f"INSERT INTO {table(ChainHead)} (id, sequence, hash, frontier) VALUES (1, 0, '', '') "
                           f"ON CONFLICT (id) DO NOTHING")
            cursor.execute(sql)
            row = cursor.fetchone()
    return Head(sequence=row[0], hash=row[1], frontier=row[2])


def grant_context(*, budget_node: Node, period: str, person_ids: list[int]) -> tuple[int | None, dict[int, Payee]]:
    """The budget's account for ``period`` and, for each person, their account (with its node's path and
    the month's earned total), whether they hold a role inside the budget node's area, and their home
    node (where a new account would rank). Unknown people are missing from the result. Two plain queries
    per few thousand people (simple enough for PostgreSQL to plan in no time). Read under the chain lock,
    so the totals stay true until the write."""
    budget_sql = f"SELECT b.account_id FROM {table(Budget)} b WHERE b.node_id = %s AND b.period = %s"
    people_sql = (
        f"SELECT p.id, a.id, an.path, ({budget_sql}), e.points, e.street_id, e.community_id, e.grid_id "
        f"FROM {table(Person)} p "
        f"LEFT JOIN {table(Account)} a ON a.person_id = p.id AND a.kind = 'person' "
        f"LEFT JOIN {table(Node)} an ON an.id = a.node_id "
        f"LEFT JOIN {table(EarnedTotal)} e ON e.account_id = a.id AND e.period = %s "
        f"WHERE {{people}}"
    )
    roles_sql = tree.roles_sql("{people}")
    ids = sorted(set(person_ids))
    budget_account_id, payees = None, {}
    with connection.cursor() as cursor:
        for people, params in any_of("p.id", ids, reserved=3):
            cursor.execute(people_sql.format(people=people), [budget_node.pk, period, period, *params])
            for person_id, account_id, path, budget_account, points, *levels in cursor.fetchall():
                earned = None if points is None else (points, dict(zip(aggregates.LEVELS, levels)))
                payees[person_id] = Payee(person_id, account_id, path, False, None, None, period, earned)
                budget_account_id = budget_account
        for people, params in any_of("r.person_id", ids):
            cursor.execute(roles_sql.format(people=people), params)
            for person_id, node_id, path in cursor.fetchall():  # home first (orgs.tree.HOME_ROLE_ORDER)
                if (payee := payees.get(person_id)) is not None:
                    payee.inside = payee.inside or path.startswith(budget_node.path)
                    if payee.home_node_id is None:
                        payee.home_node_id, payee.home_path = node_id, path
        if not payees:
            cursor.execute(budget_sql, [budget_node.pk, period])
            row = cursor.fetchone()
            budget_account_id = row[0] if row else None
    return budget_account_id, payees


def open_person_accounts(payees: list[Payee], names: dict[int, str], opening: dict[int, int] | None = None) -> None:
    """Open the accounts of ``payees`` who have none, at their home node, and fill in their ids.

    ``opening[person id]`` is what the coming ``write`` (given these payees) credits the person: a new account
    is opened with it as its balance, so the write need not update 10,000 rows it has just inserted. The
    write checks that its lines into each such account move exactly that, or refuses the whole transaction."""
    opening = opening or {}
    missing = [payee for payee in payees if payee.account_id is None]
    if not missing:
        return
    columns = ("kind", "owner_key", "name", "node_id", "person_id", "may_go_negative", "balance", "created_at")
    types = ("text", "text", "text", "bigint", "bigint", "boolean", "bigint", "timestamptz")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    by_person = {payee.person_id: payee for payee in missing}
    rows = [("person", f"person:{p.person_id}", (names.get(p.person_id) or f"person:{p.person_id}")[:100],
             p.home_node_id, p.person_id, False, opening.get(p.person_id, 0), now) for p in missing]
    with connection.cursor() as cursor:
        for source, params in row_sets(types, rows):
            cursor.execute(f"INSERT INTO {table(Account)} ({', '.join(columns)}) {source} "
                           f"ON CONFLICT DO NOTHING RETURNING id, person_id", params)
            for account_id, person_id in cursor.fetchall():
                by_person[person_id].account_id = account_id
                by_person[person_id].account_path = by_person[person_id].home_path
                by_person[person_id].opened_with = opening.get(person_id, 0)
        # Opened meanwhile by someone outside the chain lock (``services.account_for_person``): read them.
        if late := [payee.person_id for payee in missing if payee.account_id is None]:
            for people, ids in any_of("a.person_id", late):
                cursor.execute(
                    f"SELECT a.person_id, a.id, n.path FROM {table(Account)} a LEFT JOIN {table(Node)} n "
                    f"ON n.id = a.node_id WHERE a.kind = 'person' AND {people}", ids,
                )
                for person_id, account_id, path in cursor.fetchall():
                    by_person[person_id].account_id, by_person[person_id].account_path = account_id, path
    if unopened := [payee.person_id for payee in missing if payee.account_id is None]:
        raise LedgerRefusal(_("Could not open an account for person %(ids)s.")
                            % {"ids": ", ".join(map(str, unopened[:10]))}, code="unknown_account")


def posting_by_key(key: str) -> tuple[Posting, list[tuple[int, int]]] | None:
    """The posting holding ``key`` and its lines (account id, amount), in one query."""
    columns = ", ".join(f"p.{connection.ops.quote_name(name)}" for name in POSTING_ATTNAMES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}, l.account_id, l.amount FROM {table(Posting)} p "
                       f"JOIN {table(Line)} l ON l.posting_id = p.id WHERE p.idempotency_key = %s ORDER BY l.id", [key])
        rows = cursor.fetchall()
    if not rows:
        return None
    width = len(POSTING_ATTNAMES)
    posting = Posting.from_db(connection.alias, POSTING_ATTNAMES, list(rows[0][:width]))
    if connection.vendor == "sqlite":  # the ORM's converter: stored as naive UTC text
        posting.created_at = connection.ops.convert_datetimefield_value(posting.created_at, None, connection)
    return posting, [(row[width], row[width + 1]) for row in rows]


def existing(keys: list[str]) -> dict[str, Posting]:
    """The postings already holding any of ``keys`` (a plain key lookup first: usually there are none)."""
    taken = []
    with connection.cursor() as cursor:
        for taken_keys, params in any_of("idempotency_key", keys):
            cursor.execute(f"SELECT idempotency_key FROM {table(Posting)} WHERE {taken_keys}", params)
            taken.extend(key for (key,) in cursor.fetchall())
    found: dict[str, Posting] = {}
    for chunk in chunks(taken, 5000):
        found.update({p.idempotency_key: p for p in Posting.objects.filter(idempotency_key__in=chunk)})
    return found


def lines_of(postings: list[Posting]) -> dict[int, list[tuple[int, int]]]:
    result: dict[int, list[tuple[int, int]]] = {p.pk: [] for p in postings}
    for chunk in chunks(list(result), 5000):
        for posting_id, account_id, amount in Line.objects.filter(posting_id__in=chunk).values_list(
            "posting_id", "account_id", "amount"
        ):
            result[posting_id].append((account_id, amount))
    return result


# ---------------------------------------------------------------------------------------------- writing

def write(*, actor, drafts: list[Draft], head: Head, overdraft_error=InsufficientFunds,
          payees: list[Payee] = ()) -> list[Posting]:
    """Write ``drafts`` as postings after ``head`` (read by ``lock_head`` in this transaction).

    The caller's atomic block makes it all or nothing: a refusal raised here rolls back what was inserted.
    ``payees`` (from ``grant_context``, read under the same lock) spare the aggregates their own reads.
    """
    return _write(actor=actor, drafts=drafts, head=head, overdraft_error=overdraft_error,
                  payees=payees, if_new=False) if drafts else []


def write_if_new(*, actor, draft: Draft, head: Head, overdraft_error=InsufficientFunds,
                 payees: list[Payee] = ()) -> Posting | None:
    """Write one posting unless its idempotency key is taken, in which case nothing moves and this
    returns None: the key check is the unique index itself (``INSERT … ON CONFLICT DO NOTHING``)."""
    written = _write(actor=actor, drafts=[draft], head=head, overdraft_error=overdraft_error,
                     payees=payees, if_new=True)
    return written[0] if written else None


def _write(*, actor, drafts: list[Draft], head: Head, overdraft_error, payees, if_new: bool) -> list[Posting]:
    if not connection.in_atomic_block:
        raise RuntimeError("the journal writes inside the caller's transaction.atomic()")
    now = timezone.now()
    rows = _numbered_rows(actor=actor, drafts=drafts, head=head, now=now)
    # Accounts opened in this transaction with what this write credits them (``open_person_accounts``).
    opened = {payee.account_id: payee.opened_with for payee in payees if payee.opened_with is not None}
    try:
        ids = _insert_postings(rows, now=now, if_new=if_new)
        if ids is None:
            if opened_ids := [account_id for account_id, balance in opened.items() if balance]:
                # Opened for a posting not written (its key was taken: the caller's replay check refuses it,
                # since the key's posting cannot have paid an account that did not exist): no balance without lines.
                with connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {table(Account)} SET balance = 0 WHERE id IN "
                                   f"({placeholders(len(opened_ids))})", opened_ids)
            return []  # the key was already posted; nothing was written
        _insert_lines(ids, rows, drafts)
        deltas: dict[int, int] = {}
        for draft in drafts:
            for account_id, amount in draft.lines:
                deltas[account_id] = deltas.get(account_id, 0) + amount
        for account_id, balance in opened.items():  # balance = the sum of the account's lines, still
            if deltas.pop(account_id, 0) != balance:
                raise RuntimeError("an account was opened with another balance than its lines in this write")
        kinds = _move_balances(deltas, overdraft_error) if deltas else {}
        kinds.update(dict.fromkeys(opened, "person"))
        frontier = merkle_log.append(head.sequence, head.frontier, [row.pop("leaf") for row in rows])
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table(ChainHead)} SET sequence = %s, hash = %s, frontier = %s WHERE id = 1",
                           [rows[-1]["sequence"], rows[-1]["hash"], frontier])
    except IntegrityError as error:
        if "no_overdraft" in str(error) or "CHECK constraint" in str(error):
            # The database's own check caught what the guarded update should have (the caller rolls back).
            raise InsufficientFunds(_("Not enough points: the database refused an overdraft.")) from error
        raise

    earned: dict[tuple[int, str], int] = {}
    granted: dict[int, int] = {}  # this week's grants to people, for the cockpit (reversals not taken off)
    for row, draft in zip(rows, drafts):
        if draft.kind == PostingKind.GRANT or draft.earned_period:
            month = draft.earned_period or row["period"]
            for account_id, amount in draft.lines:
                if kinds[account_id] == "person":
                    earned[(account_id, month)] = earned.get((account_id, month), 0) + amount
                    if draft.kind == PostingKind.GRANT and amount > 0:
                        granted[account_id] = granted.get(account_id, 0) + amount
    account_paths = {payee.account_id: payee.account_path for payee in payees}
    aggregates.add_earned(
        earned, account_paths=account_paths,
        known={(payee.account_id, payee.period): payee.earned for payee in payees if payee.period},
    )
    aggregates.add_granted(granted, week=aggregates.week_of(now), account_paths=account_paths)

    alias = connection.alias
    return [_loaded_posting(posting_id, row, now, alias) for row, posting_id in zip(rows, ids)]


def _loaded_posting(posting_id: int, row: dict, now, alias: str) -> Posting:
    """A Posting as if read back from the database (what ``Model.from_db`` builds, without the
    per-instance ``__init__`` that costs more than the insert for a 10,000-posting batch)."""
    posting = Posting.__new__(Posting)
    posting.__dict__.update(row)
    posting.id, posting.created_at = posting_id, now
    posting._state = ModelState()
    posting._state.adding, posting._state.db = False, alias
    return posting


def _numbered_rows(*, actor, drafts: list[Draft], head: Head, now) -> list[dict]:
    """Each draft's column values, numbered after the head and hashed into the chain."""
    period = "" if all(draft.period for draft in drafts) else current_period(now)
    sequence, prev_hash = head.sequence, head.hash or GENESIS_HASH
    actor_id, actor_name = getattr(actor, "pk", None), (getattr(actor, "name", "") or "")[:50]
    now_text = utc_text(now)
    rows = []
    for draft in drafts:
        sequence += 1
        values = {
            "sequence": sequence, "idempotency_key": draft.idempotency_key, "kind": draft.kind,
            "reason": draft.reason[:200], "period": draft.period or period, "node_id": draft.node_id,
            "source_type": draft.source_type[:60], "source_id": str(draft.source_id)[:64], "actor_id": actor_id,
            "actor_name": actor_name, "role": draft.role[:20], "memo": draft.memo[:200], "created_at": now_text,
            "reverses_id": draft.reverses_id, "prev_hash": prev_hash,
        }
        content = canonical(values, draft.lines)
        values["hash"] = prev_hash = hashlib.sha256(content).hexdigest()
        values["leaf"] = merkle.leaf_hash(content)  # the Merkle log's leaf: the same bytes (RFC 6962 §2.1)
        rows.append(values)
    return rows


def _insert_postings(rows: list[dict], *, now, if_new: bool) -> list[int] | None:
    """Insert the postings; their ids in order. With ``if_new`` (one posting), None when its key exists."""
    stored_now = connection.ops.adapt_datetimefield_value(now)
    columns = ", ".join(map(connection.ops.quote_name, POSTING_COLUMNS))
    skip = " ON CONFLICT (idempotency_key) DO NOTHING" if if_new else ""
    at = POSTING_COLUMNS.index("created_at")  # the row holds the hashed UTC text; the column gets the stored form
    values = [(*picked[:at], stored_now, *picked[at + 1:]) for picked in map(PICK_POSTING_COLUMNS, rows)]
    ids: dict[int, int] = {}
    with connection.cursor() as cursor:
        for source, params in row_sets(POSTING_TYPES, values):
            cursor.execute(f"INSERT INTO {table(Posting)} ({columns}) {source}{skip} RETURNING sequence, id", params)
            ids.update(cursor.fetchall())
    if if_new and not ids:
        return None
    return [ids[row["sequence"]] for row in rows]


def _insert_lines(ids: list[int], rows: list[dict], drafts: list[Draft]) -> None:
    lines = [(posting_id, account_id, amount) for posting_id, draft in zip(ids, drafts)
             for account_id, amount in draft.lines]
    with connection.cursor() as cursor:
        for source, params in row_sets(("bigint", "bigint", "bigint"), lines):
            cursor.execute(f"INSERT INTO {table(Line)} (posting_id, account_id, amount) {source}", params)


def _move_balances(deltas: dict[int, int], overdraft_error) -> dict[int, str]:
    """``balance = balance + delta`` for every account, in a few statements, refusing an overdraft.

    The ``WHERE`` guard skips a row that would go below zero (the check constraint would refuse it
    anyway, but would abort a PostgreSQL transaction); a skipped or unknown account is then refused
    by name. Returns each account's kind."""
    kinds: dict[int, str] = {}
    accounts = table(Account)
    with connection.cursor() as cursor:
        for source, params in row_sets(("bigint", "bigint"), list(deltas.items())):
            cursor.execute(
                f"UPDATE {accounts} SET balance = {accounts}.balance + v.column2 FROM ({source}) AS v "
                f"WHERE {accounts}.id = v.column1 "
                f"AND ({accounts}.may_go_negative OR {accounts}.balance + v.column2 >= 0) "
                f"RETURNING {accounts}.id, {accounts}.kind",
                params,
            )
            kinds.update(cursor.fetchall())
        if len(kinds) == len(deltas):
            return kinds
        refused = sorted(set(deltas) - set(kinds))
        cursor.execute(f"SELECT id, name, balance FROM {accounts} WHERE id IN ({placeholders(len(refused))})",
                       refused)
        found = {pk: (name, balance) for pk, name, balance in cursor.fetchall()}
    if missing := [pk for pk in refused if pk not in found]:
        raise LedgerRefusal(_("Unknown account: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
                            code="unknown_account")
    account_id = refused[0]
    name, balance = found[account_id]
    message = (
        _("The budget %(account)s has %(balance)d points left; this needs %(needed)d.")
        if issubclass(overdraft_error, BudgetExceeded)
        else _("Not enough points in %(account)s: it holds %(balance)d, this needs %(needed)d.")
    )
    raise overdraft_error(message % {"account": name, "balance": balance, "needed": -deltas[account_id]})
