"""Anomaly checks on points and approvals (SPEC §5: every grant and approval traceable).

Each rule is one small function ``rule(*, node, since, until) -> list[Finding]`` over the ledger, task
and audit tables of ``node``'s subtree for the period; its threshold is a named constant beside it, and
each finding carries its evidence (the ids of the claims, postings and audit records behind it) so a
supervisor can open the originals. A rule whose source app is missing or empty returns no findings.

These are leads for a human to check, not verdicts: a small village may legitimately have one cadre
approving most of one worker's claims. The thresholds are deliberately simple so they can be explained.
Grants by the installer/demo (``SYSTEM``, no person behind them) are nobody's decision and are left out of
the grant rules.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.translation import gettext_lazy as _

from gridgov.audit.models import AuditRecord, Outcome
from gridgov.orgs.models import Node, Person

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


@dataclass
class Finding:
    rule: str
    title: str
    detail: str
    person_id: int | None = None
    claims: list[int] = field(default_factory=list)
    postings: list[int] = field(default_factory=list)
    audit_records: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    threshold: str
    check: object


def _installed(label: str) -> bool:
    return apps.is_installed(f"gridgov.{label}")


def _period(queryset, field_name: str, since, until):
    if since is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field_name}__lt": until})
    return queryset


def _names(ids) -> dict[int, str]:
    return dict(Person.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


def _audit_ids(object_type: str, object_ids, actions) -> list[int]:
    """The audit records behind these objects. A batch grant writes one record for all its postings, naming
    the (contiguous: the chain serialises writers) range of sequences it wrote, so postings match it by range."""
    records = Q(object_type=object_type, object_id__in=[str(i) for i in object_ids])
    if object_type == "ledger.posting" and object_ids:
        from gridgov.ledger.models import Posting

        for sequence in Posting.objects.filter(pk__in=list(object_ids)).values_list("sequence", flat=True)[:200]:
            records |= Q(object_id="", after__first_sequence__lte=sequence, after__last_sequence__gte=sequence)
    return list(AuditRecord.objects.filter(records, action__in=actions, outcome=Outcome.DONE)
                .order_by("pk").values_list("pk", flat=True)[:200])


# ---------------------------------------------------------------- rules


def evaluator_favours_one_worker(*, node: Node, since=None, until=None) -> list[Finding]:
    """An evaluator gave at least ``EVALUATOR_ONE_WORKER_SHARE`` of their ``EVALUATOR_MIN_APPROVALS``+
    approvals in the period to one worker's claims."""
    if not _installed("tasks"):
        return []
    from gridgov.tasks.models import Claim, ClaimState

    approved = _period(Claim.objects.filter(node__path__startswith=node.path, evaluator__isnull=False,
                                            state__in=(ClaimState.EVALUATED, ClaimState.AUDITED, ClaimState.SENT_BACK)),
                       "evaluated_at", since, until)
    pairs = list(approved.values_list("evaluator_id", "worker_id").annotate(n=Count("pk")).order_by())
    totals: dict[int, int] = defaultdict(int)
    for evaluator, _worker, count in pairs:
        totals[evaluator] += count
    findings = []
    names = _names([p[0] for p in pairs] + [p[1] for p in pairs])
    for evaluator, worker, count in pairs:
        total = totals[evaluator]
        if total >= EVALUATOR_MIN_APPROVALS and count / total >= EVALUATOR_ONE_WORKER_SHARE:
            claims = list(approved.filter(evaluator_id=evaluator, worker_id=worker).order_by("pk")
                          .values_list("pk", flat=True))
            findings.append(Finding(
                rule="evaluator_favours_one_worker", person_id=evaluator,
                title=str(_("%(evaluator)s approved %(count)d of %(total)d claims for %(worker)s")
                          % {"evaluator": names.get(evaluator, "?"), "count": count, "total": total,
                             "worker": names.get(worker, "?")}),
                detail=str(_("%(share)d%% of this evaluator's approvals went to one worker.")
                           % {"share": round(100 * count / total)}),
                claims=claims, audit_records=_audit_ids("tasks.claim", claims, ["claim.approve"]),
            ))
    return findings


def grant_bursts_near_budget_limit(*, node: Node, since=None, until=None) -> list[Finding]:
    """``BURST_MIN_GRANTS`` or more grants by one person from one budget within ``BURST_WINDOW`` that
    leave the budget with at most ``BURST_BUDGET_LEFT_SHARE`` of its amount."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger.models import Budget, Line, PostingKind

    findings = []
    budgets = Budget.objects.filter(node__path__startswith=node.path, amount__gt=0).select_related("node")
    for budget in budgets:
        draws = _period(Line.objects.filter(account_id=budget.account_id, amount__lt=0, posting__actor_id__isnull=False,
                                            posting__kind=PostingKind.GRANT), "posting__created_at", since, until)
        rows = list(draws.order_by("posting__created_at", "posting_id")
                    .values_list("posting_id", "posting__actor_id", "posting__created_at", "amount"))
        spent, by_actor = 0, defaultdict(list)
        flagged: set[int] = set()
        for posting_id, actor_id, created_at, amount in rows:
            spent += -amount
            window = [row for row in by_actor[actor_id] if created_at - row[1] <= BURST_WINDOW]
            window.append((posting_id, created_at))
            by_actor[actor_id] = window
            left = budget.amount - spent
            if (len(window) >= BURST_MIN_GRANTS and left <= budget.amount * BURST_BUDGET_LEFT_SHARE
                    and actor_id not in flagged):
                flagged.add(actor_id)
                postings = [row[0] for row in window]
                findings.append(Finding(
                    rule="grant_bursts_near_budget_limit", person_id=actor_id,
                    title=str(_("%(count)d grants within an hour from the budget of %(node)s %(period)s")
                              % {"count": len(window), "node": budget.node.name, "period": budget.period}),
                    detail=str(_("%(left)d of %(amount)d points were left afterwards.")
                               % {"left": left, "amount": budget.amount}),
                    postings=postings, audit_records=_audit_ids("ledger.posting", postings, ["points.grant"]),
                ))
    return findings


def grants_within_one_household(*, node: Node, since=None, until=None) -> list[Finding]:
    """One person granted points to ``HOUSEHOLD_MIN_RECIPIENTS`` or more people at the same address, or to
    someone at their own address, in the period."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger.models import Line, PostingKind

    lines = _period(Line.objects.filter(amount__gt=0, posting__kind=PostingKind.GRANT, posting__actor_id__isnull=False,
                                        posting__node__path__startswith=node.path, account__person__isnull=False),
                    "posting__created_at", since, until).exclude(account__person__address="")
    rows = list(lines.values_list("posting_id", "posting__actor_id", "account__person_id", "account__person__address"))
    if not rows:
        return []
    actor_addresses = dict(Person.objects.filter(pk__in={r[1] for r in rows if r[1]}).values_list("pk", "address"))
    groups: dict[tuple, list] = defaultdict(list)
    for posting_id, actor_id, person_id, address in rows:
        groups[(actor_id, _normal(address))].append((posting_id, person_id))
    names = _names([r[1] for r in rows if r[1]] + [r[2] for r in rows])
    findings = []
    for (actor_id, address), grants in groups.items():
        recipients = {person_id for _posting, person_id in grants}
        own = actor_id is not None and _normal(actor_addresses.get(actor_id, "")) == address
        if len(recipients) >= HOUSEHOLD_MIN_RECIPIENTS or own:
            postings = sorted(posting for posting, _person in grants)
            findings.append(Finding(
                rule="grants_within_one_household", person_id=actor_id,
                title=str(_("%(actor)s granted points to %(count)d people at %(address)s")
                          % {"actor": names.get(actor_id, "?"), "count": len(recipients), "address": address}),
                detail=str(_("The granter lives at this address.") if own else
                           _("Several people of one household were granted points by the same person.")),
                postings=postings, audit_records=_audit_ids("ledger.posting", postings, ["points.grant"]),
            ))
    return findings


def approvals_outside_working_hours(*, node: Node, since=None, until=None) -> list[Finding]:
    """A person made ``OFF_HOURS_MIN_APPROVALS`` or more approvals or grants outside Monday–Friday
    ``WORKDAY_START_HOUR``:00–``WORKDAY_END_HOUR``:00 (Asia/Shanghai) in the period."""
    records = _period(AuditRecord.objects.filter(node_path__startswith=node.path, action__in=APPROVAL_ACTIONS,
                                                 outcome=Outcome.DONE, actor_id__isnull=False),
                      "created_at", since, until)
    off = records.annotate(hour=ExtractHour("created_at"), weekday=ExtractIsoWeekDay("created_at")).filter(
        Q(weekday__gte=6) | Q(hour__lt=WORKDAY_START_HOUR) | Q(hour__gte=WORKDAY_END_HOUR))
    per_actor: dict[int, list[int]] = defaultdict(list)
    claims_of: dict[int, list[int]] = defaultdict(list)
    for pk, actor_id in off.order_by("pk").values_list("pk", "actor_id"):
        per_actor[actor_id].append(pk)
    if _installed("tasks"):  # the decision times the task flow records (evaluated_at, audited_at)
        from gridgov.tasks.models import Claim

        for moment, who in (("evaluated_at", "evaluator_id"), ("audited_at", "auditor_id")):
            decided = _period(Claim.objects.filter(node__path__startswith=node.path, **{f"{who}__isnull": False}),
                              moment, since, until)
            late = decided.annotate(hour=ExtractHour(moment), weekday=ExtractIsoWeekDay(moment)).filter(
                Q(weekday__gte=6) | Q(hour__lt=WORKDAY_START_HOUR) | Q(hour__gte=WORKDAY_END_HOUR))
            for pk, actor_id in late.order_by("pk").values_list("pk", who):
                claims_of[actor_id].append(pk)
    names = _names(set(per_actor) | set(claims_of))
    findings = []
    for actor_id in sorted(set(per_actor) | set(claims_of)):
        records, claims = per_actor.get(actor_id, []), claims_of.get(actor_id, [])
        count = max(len(records), len(claims))
        if count >= OFF_HOURS_MIN_APPROVALS:
            findings.append(Finding(
                rule="approvals_outside_working_hours", person_id=actor_id,
                title=str(_("%(actor)s made %(count)d approvals outside working hours")
                          % {"actor": names.get(actor_id, "?"), "count": count}),
                detail=str(_("Working hours are Monday to Friday, %(start)02d:00–%(end)02d:00.")
                           % {"start": WORKDAY_START_HOUR, "end": WORKDAY_END_HOUR}),
                claims=claims[:200], audit_records=records[:200]))
    return findings


def reversals_after_audit(*, node: Node, since=None, until=None) -> list[Finding]:
    """Grants reversed after the party committee's audit: each such reversal is listed (``REVERSAL_MIN``)."""
    if not _installed("ledger"):
        return []
    from gridgov.ledger.models import Posting, PostingKind

    reversals = _period(Posting.objects.filter(kind=PostingKind.REVERSAL, reverses__kind=PostingKind.GRANT,
                                               node__path__startswith=node.path), "created_at", since, until)
    by_actor: dict[int, list] = defaultdict(list)
    for row in reversals.order_by("pk").values_list("pk", "actor_id", "actor_name", "reverses_id",
                                                    "reverses__source_type", "reverses__source_id"):
        by_actor[row[1]].append(row)
    findings = []
    for actor_id, rows in by_actor.items():
        if len(rows) < REVERSAL_MIN:
            continue
        claims = [int(row[5]) for row in rows if row[4] == "tasks.claim" and row[5].isdigit()]
        postings = sorted({row[0] for row in rows} | {row[3] for row in rows})
        audits = _audit_ids("ledger.posting", postings, ["points.grant", "points.reverse"])
        audits += _audit_ids("tasks.claim", claims, ["claim.confirm"])
        findings.append(Finding(
            rule="reversals_after_audit", person_id=actor_id,
            title=str(_("%(actor)s reversed %(count)d audited grants") % {"actor": rows[0][2], "count": len(rows)}),
            detail=str(_("Points granted after the party committee's audit were taken back.")),
            claims=claims, postings=postings, audit_records=sorted(audits),
        ))
    return findings


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
    ]


def run_all(*, node: Node, since=None, until=None) -> list[tuple[Rule, list[Finding]]]:
    """Every rule's findings for ``node``'s subtree and the period."""
    return [(rule, rule.check(node=node, since=since, until=until)) for rule in rules()]


def _normal(address: str) -> str:
    return "".join((address or "").split())
