"""Anomaly checks on points and approvals (SPEC §5: every grant and approval traceable).

Each rule is one small function ``rule(*, node, since, until) -> list[Finding]`` over the ledger, task
and audit tables of ``node``'s subtree for the period; its threshold is a named constant beside it, and
each finding carries its evidence (the ids of the claims, postings and audit records behind it, the first
``EVIDENCE_LIMIT`` of each) so a supervisor can open the originals. A rule whose source app is missing or
empty returns no findings.

Every rule is set-based and linear in the rows of its period: counts are grouped by the database, a running
total is a window function, the hour-long bursts are one sorted pass with a queue per person, and the
evidence of all findings is looked up together (``evidence``). No query runs per row or per finding, and no
row is compared with every other (the burst rule once was, and one person's 40,000 grants in a month took
the supervisor's page past its timeout: ``bench/oversight.py``).

These are leads for a human to check, not verdicts: a small village may legitimately have one cadre
approving most of one worker's claims. The thresholds are deliberately simple so they can be explained.
Grants by the installer/demo (``SYSTEM``, no person behind them) are nobody's decision and are left out of
the grant rules.
"""

from collections import defaultdict, deque
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import NamedTuple

from django.apps import apps
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, Window
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, RowNumber
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gridgov.audit.models import AuditRecord, Outcome
from gridgov.orgs.models import Node, Person
from gridgov.oversight.evidence import EVIDENCE_LIMIT, audit_records_behind, chunks
from gridgov.sql import within

# One evaluator: at least this many approvals in the period, and at least this share of them for one worker.
EVALUATOR_MIN_APPROVALS = 8
EVALUATOR_ONE_WORKER_SHARE = 0.5
# Bursts: this many grants by one person from one budget within the window, leaving at most this share.
BURST_MIN_GRANTS = 5
BURST_WINDOW = timedelta(hours=1)
BURST_BUDGET_LEFT_SHARE = 0.10
# Households: this many different people at one address granted by the same person in the period.
HOUSEHOLD_MIN_RECIPIENTS = 2
# Working hours (Asia/Shanghai, the project's TIME_ZONE): Monday to Friday, 08:00 to 18:00.
WORKDAY_START_HOUR = 8
WORKDAY_END_HOUR = 18
OFF_HOURS_MIN_APPROVALS = 3
APPROVAL_ACTIONS = ("claim.approve", "claim.confirm", "points.grant", "points.reverse")
# Reversals: every reversal of a grant made after the party committee's audit is listed.
REVERSAL_MIN = 1


class Words(NamedTuple):
    """A finding's sentence as its message and values, put into the reader's language when shown: findings are
    computed in the background and stored (``oversight.findings``), then read in whichever language the reader's."""

    message: str
    values: dict | None = None

    def __str__(self) -> str:
        text = gettext(self.message)
        return text % self.values if self.values else text


@dataclass
class Finding:
    rule: str
    title: Words
    detail: Words
    person_id: int | None = None
    claims: list[int] = field(default_factory=list)
    postings: list[int] = field(default_factory=list)
    audit_records: list[int] = field(default_factory=list)

    def worded(self) -> dict:
        """The finding as the API hands it out: its sentences in the reader's language."""
        return {**asdict(self), "title": str(self.title), "detail": str(self.detail)}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    threshold: str
    check: object


def _installed(label: str) -> bool:
    return apps.is_installed(f"gridgov.{label}")


def _names(ids) -> dict[int, str]:
    ids = sorted({i for i in ids if i is not None})
    names = {}
    for chunk in chunks(ids):
        names.update(Person.objects.filter(pk__in=chunk).values_list("pk", "name"))
    return names


def _audit_ids(object_type: str, object_ids, actions) -> list[int]:
    """The audit records behind these objects (see ``evidence.audit_records_behind``, for many findings)."""
    return audit_records_behind(object_type, [list(object_ids)], actions)[0]


def _by(column: str):
    """A column to group or partition by, as an expression rather than the bare column: SQLite's planner
    otherwise reads a whole table in the order of that column's index (sparing itself a sort) instead of
    the period's rows by their time index, seconds instead of a tenth of one at a million postings."""
    return F(column) + 0


def _first(queryset, *partition: str):
    """The rows of ``queryset``, at most ``EVIDENCE_LIMIT`` per value of the ``partition`` columns, the lowest
    ids first (a window function, so the database hands back only what a finding lists)."""
    return queryset.annotate(place=Window(RowNumber(), partition_by=[_by(column) for column in partition],
                                          order_by=F("pk").asc())).filter(place__lte=EVIDENCE_LIMIT)


# ---------------------------------------------------------------- rules


def evaluator_favours_one_worker(*, node: Node, since=None, until=None) -> list[Finding]:
    """An evaluator gave at least ``EVALUATOR_ONE_WORKER_SHARE`` of their ``EVALUATOR_MIN_APPROVALS``+
    approvals in the period to one worker's claims."""
    if not _installed("tasks"):
        return []
    from gridgov.tasks.models import Claim, ClaimState

    approved = within(Claim.objects.filter(node__path__startswith=node.path, evaluator__isnull=False,
                                            state__in=(ClaimState.EVALUATED, ClaimState.AUDITED, ClaimState.SENT_BACK)),
                       "evaluated_at", since, until)
    pairs = list(approved.values(by_evaluator=_by("evaluator_id"), by_worker=_by("worker_id"))
                 .annotate(n=Count("pk")).order_by().values_list("by_evaluator", "by_worker", "n"))
    totals: dict[int, int] = defaultdict(int)
    for evaluator, _worker, count in pairs:
        totals[evaluator] += count
    flagged = sorted((evaluator, worker, count) for evaluator, worker, count in pairs
                     if totals[evaluator] >= EVALUATOR_MIN_APPROVALS
                     and count / totals[evaluator] >= EVALUATOR_ONE_WORKER_SHARE)
    if not flagged:
        return []
    claims_of: dict[tuple, list[int]] = {(evaluator, worker): [] for evaluator, worker, _count in flagged}
    rows = _first(approved.filter(evaluator_id__in={f[0] for f in flagged}, worker_id__in={f[1] for f in flagged}),
                  "evaluator_id", "worker_id")
    for pk, evaluator, worker in rows.order_by("pk").values_list("pk", "evaluator_id", "worker_id"):
        if (evaluator, worker) in claims_of:
            claims_of[(evaluator, worker)].append(pk)
    audits = audit_records_behind("tasks.claim", list(claims_of.values()), ["claim.approve"])
    names = _names([f[0] for f in flagged] + [f[1] for f in flagged])
    findings = []
    for (evaluator, worker, count), audit_records in zip(flagged, audits):
        total = totals[evaluator]
        findings.append(Finding(
            rule="evaluator_favours_one_worker", person_id=evaluator,
            title=Words(gettext_noop("%(evaluator)s approved %(count)d of %(total)d claims for %(worker)s"),
                        {"evaluator": names.get(evaluator, "?"), "count": count, "total": total,
                         "worker": names.get(worker, "?")}),
            detail=Words(gettext_noop("%(share)d%% of this evaluator's approvals went to one worker."),
                         {"share": round(100 * count / total)}),
            claims=claims_of[(evaluator, worker)], audit_records=audit_records,
        ))
    return findings


def grant_bursts_near_budget_limit(*, node: Node, since=None, until=None) -> list[Finding]:
    """``BURST_MIN_GRANTS`` or more grants by one person from one budget within ``BURST_WINDOW`` that
    leave the budget with at most ``BURST_BUDGET_LEFT_SHARE`` of its amount.

    The ledger hands back only the draws that left a budget that low and those of the hour before it first was
    (``ledger.selectors.budget_draws_once_low``). One pass in time order then keeps, per person, a queue of their
    draws of the last hour, so each draw is looked at a bounded number of times."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger import selectors as ledger

    rows = ledger.budget_draws_once_low(node=node, left_share=BURST_BUDGET_LEFT_SHARE, window=BURST_WINDOW,
                                        since=since, until=until)
    bursts = _bursts(rows)
    if not bursts:
        return []
    budgets = ledger.budgets_of_accounts(b[0] for b in bursts)
    audits = audit_records_behind("ledger.posting", [b[3][:EVIDENCE_LIMIT] for b in bursts], ["points.grant"])
    findings = []
    for (account_id, actor_id, left, postings), audit_records in zip(bursts, audits):
        budget = budgets[account_id]
        findings.append(Finding(
            rule="grant_bursts_near_budget_limit", person_id=actor_id,
            title=Words(gettext_noop("%(count)d grants within an hour from the budget of %(node)s %(period)s"),
                        {"count": len(postings), "node": budget.node.name, "period": budget.period}),
            detail=Words(gettext_noop("%(left)d of %(amount)d points were left afterwards."),
                         {"left": left, "amount": budget.amount}),
            postings=postings[:EVIDENCE_LIMIT], audit_records=audit_records,
        ))
    return findings


def _bursts(rows) -> list[tuple]:
    """(account, actor, points left, the burst's postings) for the first burst of each actor on each account.

    ``rows`` are (account, posting, actor, time, points left or None) in account and time order; a row
    whose points left is None only opens windows (the budget was not yet low)."""
    found = []
    windows: dict[tuple, deque] = defaultdict(deque)
    flagged: set[tuple] = set()
    for account_id, posting_id, actor_id, created_at, left in rows:
        key = (account_id, actor_id)
        if key in flagged:
            continue
        window = windows[key]
        window.append((posting_id, created_at))
        while created_at - window[0][1] > BURST_WINDOW:
            window.popleft()
        if left is not None and len(window) >= BURST_MIN_GRANTS:
            flagged.add(key)
            found.append((account_id, actor_id, left, [posting for posting, _moment in window]))
            del windows[key]
    return found


def grants_within_one_household(*, node: Node, since=None, until=None) -> list[Finding]:
    """One person granted points to ``HOUSEHOLD_MIN_RECIPIENTS`` or more people at the same address, or to
    someone at their own address, in the period.

    The database hands back each granter, account paid and its person's address once (a person has one
    account and one address); only the grants of the households found are read back."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger import selectors as ledger

    households: dict[tuple, list[int]] = defaultdict(list)  # (granter, address without spaces): accounts
    for actor_id, account_id, address in ledger.granters_and_payees(node=node, since=since, until=until):
        households[(actor_id, _normal(address))].append(account_id)
    actor_addresses = {pk: _normal(address) for pk, address in Person.objects.filter(
        pk__in={actor for actor, _address in households}).values_list("pk", "address")}
    flagged = sorted(key for key, accounts in households.items()
                     if len(accounts) >= HOUSEHOLD_MIN_RECIPIENTS or actor_addresses.get(key[0]) == key[1])
    if not flagged:
        return []
    household_of = {(key[0], account): key for key in flagged for account in households[key]}
    postings_of: dict[tuple, list[int]] = {key: [] for key in flagged}
    for posting_id, actor_id, account_id in ledger.grants_between(node=node, pairs=household_of, since=since,
                                                                   until=until):
        postings_of[household_of[(actor_id, account_id)]].append(posting_id)
    for key, postings in postings_of.items():
        postings_of[key] = sorted(postings)[:EVIDENCE_LIMIT]
    audits = audit_records_behind("ledger.posting", list(postings_of.values()), ["points.grant"])
    names = _names(key[0] for key in flagged)
    findings = []
    for key, audit_records in zip(flagged, audits):
        actor_id, address = key
        own = actor_addresses.get(actor_id) == address
        findings.append(Finding(
            rule="grants_within_one_household", person_id=actor_id,
            title=Words(gettext_noop("%(actor)s granted points to %(count)d people at %(address)s"),
                        {"actor": names.get(actor_id, "?"), "count": len(households[key]), "address": address}),
            detail=Words(gettext_noop("The granter lives at this address.") if own else
                         gettext_noop("Several people of one household were granted points by the same person.")),
            postings=postings_of[key], audit_records=audit_records,
        ))
    return findings


class _LocalClock(Func):
    """The hour (``%H``) or the day of the week (``%w``, Sunday 0) of a stored datetime, ``minutes`` from UTC,
    by SQLite's own ``strftime``: Django's ``Extract`` on SQLite calls a Python function for every row
    (15 µs a row, most of this rule's time on a month of a street's approvals)."""

    output_field = IntegerField()

    def __init__(self, expression, *, part: str, minutes: int):
        self.part, self.minutes = part, minutes
        super().__init__(expression)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(strftime('%%{self.part}', {sql}, '{self.minutes:+d} minutes') AS INTEGER)", params


def _constant_offset(since, until) -> int | None:
    """Minutes from UTC of the current time zone if that never changes between ``since`` and ``until`` (no
    daylight saving: Asia/Shanghai has had none since 1991), else None. Checked daily, which would see any
    change of offset that lasts longer than a day."""
    if since is None:
        return None
    zone = timezone.get_current_timezone()
    until = until or timezone.now()
    days = max(int((until - since) / timedelta(days=1)), 0) + 1
    offsets = {timezone.localtime(min(since + timedelta(days=day), until), zone).utcoffset() for day in range(days + 1)}
    return int(offsets.pop() / timedelta(minutes=1)) if len(offsets) == 1 else None


def _off_hours(queryset, moment: str, since, until):
    """The rows of ``queryset`` whose ``moment`` falls outside working hours (in the current time zone)."""
    minutes = _constant_offset(since, until) if connection.vendor == "sqlite" else None
    if minutes is None:
        hour, weekday = ExtractHour(moment), ExtractIsoWeekDay(moment)
    else:
        hour = _LocalClock(moment, part="H", minutes=minutes)
        weekday = (_LocalClock(moment, part="w", minutes=minutes) + 6) % 7 + 1  # ISO: Monday 1 … Sunday 7
    return queryset.annotate(hour=hour, weekday=weekday).filter(
        Q(weekday__gte=6) | Q(hour__lt=WORKDAY_START_HOUR) | Q(hour__gte=WORKDAY_END_HOUR))


def _per_person(queryset, who: str) -> dict[int, tuple[int, list[int]]]:
    """For each person in the ``who`` column: how many rows, and the first ``EVIDENCE_LIMIT`` ids, lowest
    first. One scan: the count and the place of each row are window functions over the person's rows."""
    rows = queryset.annotate(total=Window(Count("pk"), partition_by=_by(who)),
                             place=Window(RowNumber(), partition_by=_by(who), order_by=F("pk").asc()))
    found: dict[int, tuple[int, list[int]]] = {}
    for person_id, pk, total in rows.filter(place__lte=EVIDENCE_LIMIT).order_by("pk").values_list(who, "pk", "total"):
        found.setdefault(person_id, (total, []))[1].append(pk)
    return found


def approvals_outside_working_hours(*, node: Node, since=None, until=None) -> list[Finding]:
    """A person made ``OFF_HOURS_MIN_APPROVALS`` or more approvals or grants outside Monday–Friday
    ``WORKDAY_START_HOUR``:00–``WORKDAY_END_HOUR``:00 (Asia/Shanghai) in the period.

    The database counts per person and hands back only the first ids of each."""
    records = _per_person(_off_hours(within(
        AuditRecord.objects.filter(node_path__startswith=node.path, action__in=APPROVAL_ACTIONS, outcome=Outcome.DONE,
                                   actor_id__isnull=False), "created_at", since, until), "created_at", since, until),
        "actor_id")
    decisions: dict[int, tuple[int, list[int]]] = {}  # the decision times the task flow records
    if _installed("tasks"):
        from gridgov.tasks.models import Claim

        for moment, who in (("evaluated_at", "evaluator_id"), ("audited_at", "auditor_id")):
            late = _off_hours(within(Claim.objects.filter(node__path__startswith=node.path,
                                                           **{f"{who}__isnull": False}), moment, since, until),
                              moment, since, until)
            for person_id, (count, claims) in _per_person(late, who).items():
                before, listed = decisions.get(person_id, (0, []))
                decisions[person_id] = (before + count, listed + claims)
    counts = {person_id: max(records.get(person_id, (0,))[0], decisions.get(person_id, (0,))[0])
              for person_id in set(records) | set(decisions)}
    actors = sorted(person_id for person_id, count in counts.items() if count >= OFF_HOURS_MIN_APPROVALS)
    names = _names(actors)
    findings = []
    for actor_id in actors:
        findings.append(Finding(
            rule="approvals_outside_working_hours", person_id=actor_id,
            title=Words(gettext_noop("%(actor)s made %(count)d approvals outside working hours"),
                        {"actor": names.get(actor_id, "?"), "count": counts[actor_id]}),
            detail=Words(gettext_noop("Working hours are Monday to Friday, %(start)02d:00–%(end)02d:00."),
                         {"start": WORKDAY_START_HOUR, "end": WORKDAY_END_HOUR}),
            claims=decisions.get(actor_id, (0, []))[1][:EVIDENCE_LIMIT],
            audit_records=records.get(actor_id, (0, []))[1]))
    return findings


def reversals_after_audit(*, node: Node, since=None, until=None) -> list[Finding]:
    """Grants reversed after the party committee's audit: each such reversal is listed (``REVERSAL_MIN``)."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger import selectors as ledger

    by_actor: dict[int, list] = defaultdict(list)
    for row in ledger.grant_reversals(node=node, since=since, until=until):
        by_actor[row[1]].append(row)
    actors = [actor_id for actor_id, rows in by_actor.items() if len(rows) >= REVERSAL_MIN]
    if not actors:
        return []
    claims_of = {actor_id: [int(row[5]) for row in by_actor[actor_id] if row[4] == "tasks.claim" and row[5].isdigit()]
                 for actor_id in actors}
    postings_of = {actor_id: sorted({row[0] for row in by_actor[actor_id]} | {row[3] for row in by_actor[actor_id]})
                   for actor_id in actors}
    posting_audits = audit_records_behind("ledger.posting", [postings_of[a][:EVIDENCE_LIMIT] for a in actors],
                                          ["points.grant", "points.reverse"])
    claim_audits = audit_records_behind("tasks.claim", [claims_of[a][:EVIDENCE_LIMIT] for a in actors],
                                        ["claim.confirm"])
    findings = []
    for actor_id, on_postings, on_claims in zip(actors, posting_audits, claim_audits):
        rows = by_actor[actor_id]
        findings.append(Finding(
            rule="reversals_after_audit", person_id=actor_id,
            title=Words(gettext_noop("%(actor)s reversed %(count)d audited grants"),
                        {"actor": rows[0][2], "count": len(rows)}),
            detail=Words(gettext_noop("Points granted after the party committee's audit were taken back.")),
            claims=claims_of[actor_id][:EVIDENCE_LIMIT], postings=postings_of[actor_id][:EVIDENCE_LIMIT],
            audit_records=sorted(set(on_postings) | set(on_claims))[:EVIDENCE_LIMIT],
        ))
    return findings


def ledger_split_views(*, node: Node, since=None, until=None) -> list[Finding]:
    """Checkpoints of the points ledger that a witness found contradicting one they had signed: the
    installation showed two different ledgers (``ledger.checkpoints``). The whole installation's, so
    listed under every node."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger.selectors import split_views

    return [Finding(
        rule="ledger_split_views", person_id=split.witness_id,
        title=Words(gettext_noop("Two different ledgers: a checkpoint of size %(seen)d contradicts the one of size "
                                 "%(signed)d signed by %(witness)s"),
                    {"seen": split.seen_size, "signed": split.signed_size, "witness": split.witness.name}),
        detail=Words(gettext_noop("Root seen %(seen)s…, root signed %(signed)s…; the points ledger may have been "
                                  "rewritten."), {"seen": split.seen_root[:16], "signed": split.signed_root[:16]}),
    ) for split in split_views(since=since, until=until)[:EVIDENCE_LIMIT]]


def rules() -> list[Rule]:
    """The rules with their thresholds in words (built per call, so the words follow the language)."""
    return [
    Rule("evaluator_favours_one_worker", _("One evaluator approving an unusual share of one worker's claims"),
         _("≥ %(share)d%% of ≥ %(min)d approvals") % {"share": EVALUATOR_ONE_WORKER_SHARE * 100,
                                                     "min": EVALUATOR_MIN_APPROVALS},
         evaluator_favours_one_worker),
    Rule("grant_bursts_near_budget_limit", _("Bursts of grants near the budget limit"),
         _("≥ %(count)d grants in 1 h leaving ≤ %(left)d%% of the budget")
         % {"count": BURST_MIN_GRANTS, "left": BURST_BUDGET_LEFT_SHARE * 100},
         grant_bursts_near_budget_limit),
    Rule("grants_within_one_household", _("Grants to one household (same address)"),
         _("≥ %(count)d people at one address, or the granter's own address") % {"count": HOUSEHOLD_MIN_RECIPIENTS},
         grants_within_one_household),
    Rule("approvals_outside_working_hours", _("Approvals outside working hours"),
         _("≥ %(count)d outside Mon–Fri %(start)02d:00–%(end)02d:00")
         % {"count": OFF_HOURS_MIN_APPROVALS, "start": WORKDAY_START_HOUR, "end": WORKDAY_END_HOUR},
         approvals_outside_working_hours),
    Rule("reversals_after_audit", _("Reversals after audit"), _("every reversal of an audited grant"),
         reversals_after_audit),
    Rule("ledger_split_views", _("Split views of the points ledger"), _("every checkpoint a witness refused"),
         ledger_split_views),
    ]


def run_all(*, node: Node, since=None, until=None) -> list[tuple[Rule, list[Finding]]]:
    """Every rule's findings for ``node``'s subtree and the period."""
    return [(rule, rule.check(node=node, since=since, until=until)) for rule in rules()]


def _normal(address: str) -> str:
    return "".join((address or "").split())
