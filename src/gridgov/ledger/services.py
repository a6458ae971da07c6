"""Moving points. Every write to the ledger goes through one of these functions, and through ``journal.write``.

``post`` is the low-level move (callers have checked permission); ``grant_points`` / ``grant_batch``
draw from a community's or street's monthly budget; ``reverse_posting`` undoes a posting with a new,
linked one; ``budget_set`` funds a budget from the issuance account. A retried call with the same
idempotency key returns the first posting and moves nothing; the same key for a different request is
refused (``IdempotencyConflict``).
"""

import re
import uuid

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_entry, audit_record
from gridgov.errors import PermissionDenied
from gridgov.ledger import aggregates, inbox, journal
from gridgov.ledger.errors import AlreadyReversed, BudgetExceeded, IdempotencyConflict, InsufficientFunds, LedgerRefusal  # noqa: F401  (re-exported for callers: ledger.InsufficientFunds)
from gridgov.ledger.models import Account, AccountKind, Budget, Posting, PostingKind
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import SYSTEM, require, scope_node
from gridgov.orgs.tree import BUDGET_KINDS, home_node, home_nodes
from gridgov.sql import chunks

MAX_AMOUNT = 10**9  # no single line moves more; keeps sums far inside 64-bit integers
MAX_KEY_LENGTH = 120
MAX_REASON = Posting._meta.get_field("reason").max_length
MAX_MEMO = Posting._meta.get_field("memo").max_length
PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
BUDGET_NODE_KINDS = BUDGET_KINDS
ISSUANCE_KEY = "source:issuance"


# ---------------------------------------------------------------------------------------------- accounts

def open_account(*, kind: str, owner_key: str, name: str, node=None, person=None, may_go_negative=False) -> Account:
    """The account owned by ``owner_key`` ("person:12", "merchant:3", "sink:redemption"), created on first use."""
    if kind not in AccountKind.values:
        raise LedgerRefusal(_("Unknown account kind %(kind)s.") % {"kind": kind}, code="invalid_account")
    if not owner_key or len(owner_key) > 80:
        raise LedgerRefusal(_("An account needs an owner key of 1 to 80 characters."), code="invalid_account")
    account, _created = Account.objects.get_or_create(
        owner_key=owner_key,
        defaults={"kind": kind, "name": (name or owner_key)[:100], "node": node, "person": person,
                  "may_go_negative": may_go_negative},
    )
    return account


def account_for_person(person) -> Account:
    if person is None or getattr(person, "pk", None) is None:
        raise LedgerRefusal(_("Unknown person."), code="unknown_person")
    account = Account.objects.filter(kind=AccountKind.PERSON, person_id=person.pk).first()
    if account is not None:
        return account
    return open_account(kind=AccountKind.PERSON, owner_key=f"person:{person.pk}", name=person.name,
                        node=home_node(person), person=person)


def rehome_accounts(person_ids: list[int]) -> int:
    """Move these people's accounts to their home node after their roles changed (``orgs.signals``): their
    statements are then seen, and their next months ranked, where they now work. The month under way keeps
    ranking where it was earned; a person left without any role keeps the last node. Part of the role
    change, audited by it. Returns how many accounts moved."""
    moved = 0
    for chunk in chunks(sorted(set(person_ids)), 2000):
        accounts = {person_id: (pk, node_id) for person_id, pk, node_id in Account.objects.filter(
            kind=AccountKind.PERSON, person_id__in=chunk).values_list("person_id", "pk", "node_id")}
        moves = {accounts[person_id][0]: (accounts[person_id][1], node_id)
                 for person_id, node_id in home_nodes(accounts).items() if node_id != accounts[person_id][1]}
        if not moves:
            continue
        with transaction.atomic():
            # Under the chain lock: no grant between reading an account's node and its weeks moving with it.
            journal.lock_head()
            paths = dict(Node.objects.filter(pk__in={node for pair in moves.values() for node in pair if node})
                         .values_list("pk", "path"))
            for account_id, (_old, node_id) in moves.items():
                moved += Account.objects.filter(pk=account_id).update(node_id=node_id)
            aggregates.move_granted({account_id: (paths.get(old), paths.get(new))
                                     for account_id, (old, new) in moves.items()})
    return moved


def issuance_account() -> Account:
    return open_account(kind=AccountKind.SOURCE, owner_key=ISSUANCE_KEY, name=str(_("Points issuance")),
                        may_go_negative=True)


# ---------------------------------------------------------------------------------------------- validation

def _check_actor(actor) -> None:
    if actor is None or not getattr(actor, "is_active", False):
        raise PermissionDenied()


def _check_key(idempotency_key) -> str:
    key = idempotency_key.strip() if isinstance(idempotency_key, str) else ""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise LedgerRefusal(
            _("An idempotency key of 1 to %(max)d characters is required.") % {"max": MAX_KEY_LENGTH},
            code="invalid_key",
        )
    return key


def _check_amount(amount, *, positive: bool = False) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise LedgerRefusal(_("Points are whole numbers."), code="invalid_amount")
    if amount == 0 or (positive and amount < 0):
        raise LedgerRefusal(_("The number of points must be greater than zero."), code="invalid_amount")
    if abs(amount) > MAX_AMOUNT:
        raise LedgerRefusal(_("At most %(max)d points move at once.") % {"max": MAX_AMOUNT}, code="invalid_amount")
    return amount


def _check_reason(reason) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise LedgerRefusal(_("A reason is required."), code="invalid_reason")
    if len(reason) > MAX_REASON:
        raise LedgerRefusal(_("A reason has at most %(max)d characters.") % {"max": MAX_REASON}, code="invalid_reason")
    return reason


def _check_memo(memo) -> str:
    memo = memo.strip() if isinstance(memo, str) else ""
    if len(memo) > MAX_MEMO:
        raise LedgerRefusal(_("A note has at most %(max)d characters.") % {"max": MAX_MEMO}, code="invalid")
    return memo


def check_period(period) -> str:
    if not isinstance(period, str) or not PERIOD_PATTERN.match(period):
        raise LedgerRefusal(_("The period must be a month written as YYYY-MM."), code="invalid_period")
    return period


def _source_fields(source) -> tuple[str, str]:
    if isinstance(source, models.Model):
        return source._meta.label_lower, str(source.pk)
    return "", ""


def _same_request(posting: Posting, *, reason: str, lines: list[tuple[int, int]], stored=None) -> bool:
    stored = sorted(posting.lines.values_list("account_id", "amount") if stored is None else stored)
    return posting.reason == reason and stored == sorted(lines)


def _conflict() -> IdempotencyConflict:
    return IdempotencyConflict(_("This idempotency key was already used for a different request."))


# ---------------------------------------------------------------------------------------------- posting

def post(*, actor, lines: list[tuple[Account, int]], reason: str, idempotency_key: str, source=None, memo: str = "",
         role: str = "") -> Posting:
    """Move points between two or more accounts (the amounts sum to zero). Callers have checked permission."""
    _check_actor(actor)
    key = _check_key(idempotency_key)
    reason = _check_reason(reason)
    if not isinstance(lines, (list, tuple)) or len(lines) < 2:
        raise LedgerRefusal(_("A posting needs at least two lines."), code="invalid_lines")
    pairs = []
    for line in lines:
        if not isinstance(line, (list, tuple)) or len(line) != 2 or not isinstance(line[0], Account):
            raise LedgerRefusal(_("Each line is an account and an amount."), code="invalid_lines")
        if line[0].pk is None:
            raise LedgerRefusal(_("Unknown account."), code="unknown_account")
        pairs.append((line[0].pk, _check_amount(line[1])))
    if sum(amount for _account, amount in pairs) != 0:
        raise LedgerRefusal(_("The lines of a posting must sum to zero."), code="unbalanced")
    if len({account for account, _amount in pairs}) != len(pairs):
        raise LedgerRefusal(_("An account appears twice in one posting."), code="invalid_lines")
    node = scope_node(source) if source is not None and hasattr(source, "scope_node") else None
    node = node or next((account.node for account, _amount in lines if account.node_id), None)
    source_type, source_id = _source_fields(source)
    draft = journal.Draft(kind=PostingKind.TRANSFER, reason=reason, idempotency_key=key, lines=pairs,
                          node_id=getattr(node, "pk", None), source_type=source_type, source_id=source_id,
                          memo=memo or "", role=role or "")
    return _write_one(actor=actor, draft=draft, action="points.post", node=node)


def _write_one(*, actor, draft: journal.Draft, action: str, node: Node | None, check=None,
               head: journal.Head | None = None) -> Posting:
    """Write one posting idempotently; ``check(previous, its lines)`` decides whether a replay is the same request.

    The key check is the insert itself (``journal.write_if_new``): a taken key writes nothing, and the
    posting that holds it is read back and compared only then.
    """
    check = check or (lambda previous, lines: _same_request(previous, reason=draft.reason, lines=draft.lines,
                                                            stored=lines))
    try:
        with transaction.atomic():
            posting = journal.write_if_new(actor=actor, draft=draft, head=head or journal.lock_head())
            if posting is None:
                return _replayed(draft.idempotency_key, check)
            audit_record(actor=actor, action=action, target=posting, node=node, role=draft.role,
                         reason=draft.reason, after=_posting_summary(posting, draft.lines))
            return posting
    except IntegrityError:
        # Only reachable where the chain lock does not serialise (it always should): replay the winner.
        if Posting.objects.filter(idempotency_key=draft.idempotency_key).exists():
            return _replayed(draft.idempotency_key, check)
        raise


def _replayed(key: str, check) -> Posting:
    """The posting that holds ``key``, if ``check(posting, its lines)`` finds it the same request."""
    previous, lines = journal.posting_by_key(key)
    if not check(previous, lines):
        raise _conflict()
    return previous


def _posting_summary(posting: Posting, lines) -> dict:
    return {"sequence": posting.sequence, "kind": posting.kind, "idempotency_key": posting.idempotency_key,
            "lines": [[account, amount] for account, amount in lines], "hash": posting.hash}


# ---------------------------------------------------------------------------------------------- grants

def _budget_for(budget_node: Node, period: str) -> Budget:
    budget = Budget.objects.filter(node=budget_node, period=period).first()
    if budget is None:
        raise BudgetExceeded(
            _("%(node)s has no points budget for %(period)s. Ask the street office to set one.")
            % {"node": budget_node.name, "period": period},
            code="no_budget",
        )
    return budget


def grant_points(*, actor, person, amount: int, reason: str, idempotency_key: str, budget_node, source=None,
                 memo: str = "") -> Posting:
    """Grant ``amount`` points to ``person`` from ``budget_node``'s budget for this month."""
    key = _check_key(idempotency_key)
    grant = {"person": person, "amount": amount, "reason": reason, "idempotency_key": key, "source": source,
             "memo": memo}
    return grant_batch(actor=actor, grants=[grant], budget_node=budget_node, idempotency_key=key)[0]


def grant_batch(*, actor, grants: list[dict], budget_node, idempotency_key: str) -> list[Posting]:
    """Grant many (e.g. a month's approved tasks) in one transaction: all are posted, or none.

    Each grant is ``{"person", "amount", "reason"}`` with optional ``source``, ``memo`` and
    ``idempotency_key`` (default ``<batch key>:<index>``). Grants whose key was already posted are
    returned as they were; the rest must fit in what is left of the budget.
    """
    _check_actor(actor)
    batch_key = _check_key(idempotency_key)
    if not isinstance(budget_node, Node):
        raise LedgerRefusal(_("Choose the community or street whose budget pays."), code="invalid_node")
    if not isinstance(grants, (list, tuple)) or not grants:
        raise LedgerRefusal(_("Nothing to grant."), code="invalid_batch")
    permit = require(actor, "points.grant", budget_node)
    role = permit.role
    period = journal.current_period()
    drafts = []
    people = []
    for index, grant in enumerate(grants):
        try:
            if not isinstance(grant, dict):
                raise LedgerRefusal(_("Each grant is a person, an amount and a reason."), code="invalid_batch")
            person = grant.get("person")
            if not isinstance(person, Person) or person.pk is None:
                raise LedgerRefusal(_("Unknown person."), code="unknown_person")
            amount = _check_amount(grant.get("amount"), positive=True)
            reason = _check_reason(grant.get("reason"))
            memo = _check_memo(grant.get("memo"))
            key = _check_key(grant.get("idempotency_key") or f"{batch_key}:{index}")
        except LedgerRefusal as error:
            if len(grants) == 1:
                raise
            raise LedgerRefusal(_("Grant %(number)d: %(message)s") % {"number": index + 1, "message": error.message},
                                code=error.code) from None
        source_type, source_id = _source_fields(grant.get("source"))
        people.append(person)
        drafts.append(journal.Draft(kind=PostingKind.GRANT, reason=reason, idempotency_key=key, lines=[],
                                    period=period, node_id=budget_node.pk, source_type=source_type,
                                    source_id=source_id, memo=memo, role=role,
                                    extra={"amount": amount}))
    if len({draft.idempotency_key for draft in drafts}) != len(drafts):
        raise LedgerRefusal(_("Two grants in one batch share an idempotency key."), code="invalid_batch")

    with transaction.atomic():
        head = journal.lock_head()
        budget_account_id, payees = journal.grant_context(budget_node=budget_node, period=period,
                                                          person_ids=[person.pk for person in people])
        _require_people_in_area(people, payees, budget_node)
        if budget_account_id is None:
            _budget_for(budget_node, period)  # raises the clear "no budget" refusal
        # A person without an account has no earlier posting, so every grant to them here is new: their
        # account opens with the batch's total for them (``journal.write`` checks it against the lines).
        opening: dict[int, int] = {}
        for draft, person in zip(drafts, people):
            opening[person.pk] = opening.get(person.pk, 0) + draft.extra["amount"]
        journal.open_person_accounts(list(payees.values()), {person.pk: person.name for person in people}, opening)
        for draft, person in zip(drafts, people):
            amount = draft.extra["amount"]
            draft.lines = [(budget_account_id, -amount), (payees[person.pk].account_id, amount)]
        payees_read = list(payees.values())
        if len(drafts) == 1:
            posting = journal.write_if_new(actor=actor, draft=drafts[0], head=head, overdraft_error=BudgetExceeded,
                                           payees=payees_read)
            if posting is None:
                return [_replayed(drafts[0].idempotency_key, lambda earlier, lines: _same_grant(earlier, drafts[0],
                                                                                                lines))]
            written, previous = [posting], {}
        else:
            previous = journal.existing([draft.idempotency_key for draft in drafts])
            earlier_lines = journal.lines_of(list(previous.values()))
            for draft in drafts:
                if (earlier := previous.get(draft.idempotency_key)) is not None and not _same_grant(
                        earlier, draft, earlier_lines[earlier.pk]):
                    raise _conflict()
            new = [draft for draft in drafts if draft.idempotency_key not in previous]
            written = journal.write(actor=actor, drafts=new, head=head, overdraft_error=BudgetExceeded,
                                    payees=payees_read) if new else []
        if written:
            new_drafts = [draft for draft in drafts if draft.idempotency_key not in previous]
            _audit_grants(actor=actor, written=written, drafts=new_drafts, budget_node=budget_node, role=role,
                          batch_key=batch_key, period=period)
            inbox.points_granted(first_sequence=written[0].sequence, last_sequence=written[-1].sequence,
                                 budget_node=budget_node)
        previous.update({posting.idempotency_key: posting for posting in written})
        return [previous[draft.idempotency_key] for draft in drafts]


def _audit_grants(*, actor, written: list[Posting], drafts, budget_node: Node, role: str, batch_key: str,
                  period: str) -> None:
    """One audit record per call: the posting itself for a single grant; for a batch, one record that
    lists every posting id (a batch is one decision, taken and refused as a whole)."""
    after = {"batch": batch_key, "postings": len(written), "points": sum(d.extra["amount"] for d in drafts),
             "period": period, "first_sequence": written[0].sequence, "last_sequence": written[-1].sequence}
    if len(written) > 1:
        after["posting_ids"] = [posting.pk for posting in written]
    audit_record(actor=actor, action="points.grant", target=written[0] if len(written) == 1 else None,
                 node=budget_node, role=role, reason=drafts[0].reason if len(written) == 1 else "", after=after)


def _same_grant(posting: Posting, draft: journal.Draft, lines: list[tuple[int, int]] | None = None) -> bool:
    """A replayed grant must name the same person, amount and reason (the budget month may differ)."""
    if posting.kind != PostingKind.GRANT or posting.reason != draft.reason:
        return False
    if lines is None:
        lines = list(posting.lines.values_list("account_id", "amount"))
    credit = [(account, amount) for account, amount in lines if amount > 0]
    return credit == [draft.lines[1]]


def _require_people_in_area(people: list[Person], payees: dict[int, journal.Payee], budget_node: Node) -> None:
    """Every person must hold some role inside the budget node's area (read with the batch's context)."""
    if outside := [person for person in people if person.pk not in payees or not payees[person.pk].inside]:
        raise PermissionDenied(
            _("%(name)s is outside the area of %(node)s; its budget cannot pay them.")
            % {"name": outside[0].name, "node": budget_node.name},
            code="out_of_scope",
        )


# ---------------------------------------------------------------------------------------------- reversal

def reverse_posting(*, actor, posting, reason: str, idempotency_key: str) -> Posting:
    """Undo ``posting`` with a new posting of the opposite lines, linked to it. A posting is reversed once."""
    _check_actor(actor)
    key = _check_key(idempotency_key)
    reason = _check_reason(reason)
    if not isinstance(posting, Posting) or posting.pk is None:
        raise LedgerRefusal(_("Unknown posting."), code="unknown_posting")
    posting = Posting.objects.select_related("node").get(pk=posting.pk)
    target = posting.node or next(
        (line.account.node for line in posting.lines.select_related("account__node") if line.account.node_id), None
    )
    if target is None:
        raise PermissionDenied(_("This posting belongs to no area; only the operator can correct it."))
    permit = require(actor, "points.reverse", target)
    if posting.kind == PostingKind.REVERSAL:
        raise LedgerRefusal(_("A reversal cannot itself be reversed; make a new grant instead."),
                            code="invalid_posting")
    if posting.kind == PostingKind.BUDGET:
        raise LedgerRefusal(_("Budget funding is changed on the budget page, not reversed."), code="invalid_posting")
    if posting.kind == PostingKind.HOURS:
        # The confirmed service it credits stays confirmed, and the volunteers' totals with it (ranking, yearly
        # hours): taking the minutes off here alone would make the two disagree.
        raise LedgerRefusal(_("Volunteer hours follow the confirmed service; they are not reversed in the ledger."),
                            code="invalid_posting")
    lines = [(account_id, -amount) for account_id, amount in posting.lines.values_list("account_id", "amount")]
    draft = journal.Draft(
        kind=PostingKind.REVERSAL, reason=reason, idempotency_key=key, lines=lines, node_id=target.pk,
        source_type=Posting._meta.label_lower, source_id=str(posting.pk), role=permit.role,
        memo=_("Reverses #%(sequence)d") % {"sequence": posting.sequence}, reverses_id=posting.pk,
        earned_period=posting.period if posting.kind == PostingKind.GRANT else "",
    )

    def same(previous: Posting, _lines) -> bool:
        return previous.reverses_id == posting.pk

    with transaction.atomic():
        head = journal.lock_head()  # taken before the check below, so the check is safe
        previous = Posting.objects.filter(idempotency_key=key).first()
        if previous is None and Posting.objects.filter(reverses_id=posting.pk).exists():
            raise AlreadyReversed(_("Posting #%(sequence)d has already been reversed.")
                                  % {"sequence": posting.sequence})
        return _write_one(actor=actor, draft=draft, action="points.reverse", node=target, check=same, head=head)


# ---------------------------------------------------------------------------------------------- budgets

def budget_set(*, actor, node, period: str, amount: int) -> Budget:
    """Set ``node``'s budget for ``period`` to ``amount``: the difference moves between issuance and the budget."""
    _check_actor(actor)
    period = check_period(period)
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0 or amount > MAX_AMOUNT:
        raise LedgerRefusal(_("A budget is a whole number of points from 0 to %(max)d.") % {"max": MAX_AMOUNT},
                            code="invalid_amount")
    if not isinstance(node, Node) or node.kind not in BUDGET_NODE_KINDS:
        raise LedgerRefusal(_("Budgets belong to a street, community, village or cooperative."), code="invalid_node")
    permit = require(actor, "points.budget", node)
    role = "system" if actor is SYSTEM else permit.role
    with transaction.atomic():
        head = journal.lock_head()
        budget = Budget.objects.select_for_update().filter(node=node, period=period).first()
        before = {"amount": budget.amount} if budget else None
        if budget is None:
            account = open_account(kind=AccountKind.BUDGET, owner_key=f"budget:{node.pk}:{period}",
                                   name=f"{node.name} {period}", node=node)
            budget = Budget.objects.create(node=node, period=period, amount=0, account=account)
        delta = amount - budget.amount
        if delta:
            left = Account.objects.filter(pk=budget.account_id).values_list("balance", flat=True).get()
            if delta < 0 and left + delta < 0:
                raise BudgetExceeded(
                    _("%(granted)d points of this budget are already granted; it cannot go below that.")
                    % {"granted": budget.amount - left}
                )
            issuance = issuance_account()
            journal.write(actor=actor, drafts=[journal.Draft(
                kind=PostingKind.BUDGET, reason=str(_("Budget %(period)s") % {"period": period}),
                idempotency_key=f"budget:{node.pk}:{period}:{uuid.uuid4().hex}",
                lines=[(issuance.pk, -delta), (budget.account_id, delta)], period=period, node_id=node.pk, role=role,
                source_type=Budget._meta.label_lower, source_id=str(budget.pk),
            )], head=head)
            Budget.objects.filter(pk=budget.pk).update(amount=amount)
            budget.amount = amount
        audit_record(actor=actor, action="points.budget", target=budget, node=node, role=role, before=before,
                     after={"amount": amount, "period": period})
    return budget


# ---------------------------------------------------------------------------------------------- volunteer hours

HOURS_ISSUED_KEY = "hours:issued"
MAX_MINUTES = 24 * 60  # no single credit is longer than a day of service


def hours_account(person) -> Account:
    """``person``'s volunteer-hours account (amounts in minutes; the same journal and chain as points)."""
    account = Account.objects.filter(owner_key=f"hours:person:{person.pk}").first()
    return account or open_account(kind=AccountKind.HOURS, owner_key=f"hours:person:{person.pk}", name=person.name,
                        node=home_node(person), person=person)


def hours_credit(*, actor, credits: list[dict], role: str = "") -> list[Posting]:
    """Credit volunteer service: each credit is ``{"person", "minutes", "reason", "idempotency_key", "period"}``
    (the month of the service, YYYY-MM) with an optional ``source``. One double-entry posting per credit from the
    hours issuance account, chained with every points posting, all in one transaction (all or none); a credit
    whose key was already posted is skipped, so a retried confirmation credits nothing twice. One audit record
    per posting. Callers (``volunteers.services``) checked who may confirm the service."""
    _check_actor(actor)
    if not isinstance(credits, (list, tuple)) or not credits:
        raise LedgerRefusal(_("Nothing to credit."), code="invalid_batch")
    checked = []
    for credit in credits:
        person, minutes = credit.get("person"), credit.get("minutes")
        if not isinstance(person, Person) or person.pk is None:
            raise LedgerRefusal(_("Unknown person."), code="unknown_person")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
            raise LedgerRefusal(_("Volunteer time is 1 to %(max)d minutes at a time.") % {"max": MAX_MINUTES},
                                code="invalid_amount")
        checked.append((person, minutes, _check_reason(credit.get("reason")), _check_key(credit.get("idempotency_key")),
                        check_period(credit.get("period")), credit.get("source")))
    if len({key for _p, _m, _r, key, _period, _s in checked}) != len(checked):
        raise LedgerRefusal(_("Two credits in one batch share an idempotency key."), code="invalid_batch")
    issued = open_account(kind=AccountKind.HOURS, owner_key=HOURS_ISSUED_KEY, name=str(_("Volunteer hours issued")),
                          may_go_negative=True)
    with transaction.atomic():
        head = journal.lock_head()
        previous = journal.existing([key for _p, _m, _r, key, _period, _s in checked])
        drafts, nodes, accounts = [], [], {}
        for person, minutes, reason, key, period, source in checked:
            if key in previous:
                continue
            account = accounts.get(person.pk) or accounts.setdefault(person.pk, hours_account(person))
            node = scope_node(source) if source is not None and hasattr(source, "scope_node") else account.node
            source_type, source_id = _source_fields(source)
            drafts.append(journal.Draft(kind=PostingKind.HOURS, reason=reason, idempotency_key=key, period=period,
                                        lines=[(account.pk, minutes), (issued.pk, -minutes)],
                                        node_id=getattr(node, "pk", None), source_type=source_type,
                                        source_id=source_id, role=role or ""))
            nodes.append(node)
        written = journal.write(actor=actor, drafts=drafts, head=head) if drafts else []
        AuditRecord.objects.bulk_create([
            audit_entry(actor=actor, action="hours.credit", target=posting, node=node, role=role,
                        reason=draft.reason, after=_posting_summary(posting, draft.lines))
            for posting, draft, node in zip(written, drafts, nodes)], batch_size=2000)
        previous.update({posting.idempotency_key: posting for posting in written})
    return [previous[key] for _p, _m, _r, key, _period, _s in checked]
