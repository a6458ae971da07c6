"""The supervisor's anomaly findings, computed ahead of the reader.

Each rule of ``anomalies`` reads its area's whole period (every grant, claim and approval of a large street's
month), so its cost follows the area's activity, not the page: ×2 from a hundredth to a tenth of a province on
the supervision dashboard (issue 18). ``compute_all`` runs the rules for every overseen area from the five-minute
timer (``gridgov oversight findings``, docs/operations.md) and stores each area's result (``FindingRun``); the
dashboard and the findings API read it. A reader who finds none younger than ``FRESH_FOR`` (a new installation,
the timer stopped) computes it on the spot, as every visit did before, and stores it for the next.
"""

from dataclasses import asdict
from datetime import timedelta

from django.utils import timezone

from gridgov.orgs.models import Node, Role
from gridgov.orgs.selectors import nodes_held_in
from gridgov.oversight import anomalies
from gridgov.oversight.anomalies import Finding, Rule, Words
from gridgov.oversight.models import FindingRun

PERIOD_DAYS = 31
FRESH_FOR = timedelta(minutes=15)  # the timer runs every five minutes; three missed runs and a reader computes
OVERSEEING = (Role.SUPERVISOR, Role.PLATFORM_ADMIN)  # the roles holding audit.view: their areas are computed


def compute(node: Node, *, now=None) -> FindingRun:
    """Run every rule over ``node``'s subtree and last ``PERIOD_DAYS`` days, and store the result (replacing the
    area's earlier one; two computing at once leave one of them)."""
    now = now or timezone.now()
    since = now - timedelta(days=PERIOD_DAYS)
    found = {rule.code: [asdict(finding) for finding in findings]
             for rule, findings in anomalies.run_all(node=node, since=since)}
    run = FindingRun(node=node, computed_at=now, since=since, findings=found)
    FindingRun.objects.bulk_create([run], update_conflicts=True, unique_fields=["node"],
                                   update_fields=["computed_at", "since", "findings"])
    return run


def current(node: Node, *, now=None) -> FindingRun:
    """``node``'s findings as last computed, or computed now if none is younger than ``FRESH_FOR``."""
    now = now or timezone.now()
    return FindingRun.objects.filter(node=node, computed_at__gt=now - FRESH_FOR).first() or compute(node, now=now)


def compute_all(*, now=None) -> list[FindingRun]:
    """Compute the findings of every area someone oversees (the timer's work)."""
    return [compute(node, now=now) for node in nodes_held_in(OVERSEEING)]


def by_rule(run: FindingRun) -> list[tuple[Rule, list[Finding]]]:
    """Every rule (worded in the reader's language) with its findings of ``run``."""
    return [(rule, [_finding(data) for data in run.findings.get(rule.code, [])]) for rule in anomalies.rules()]


def _finding(data: dict) -> Finding:
    return Finding(**{**data, "title": Words(*data["title"]), "detail": Words(*data["detail"])})
