"""What tasks feed the shared engines: claims' deadlines (the worker's hand-in, then the evaluator's and the
auditor's moves, ``workflow.due_time``), audited claims as index events, the kinds of message they send (``inbox``)
and the menu's counts of what waits. Registered in ``apps.ready``."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.deadlines.registry import DeadlineSource
from gridgov.deadlines.registry import register as register_deadlines
from gridgov.indices.sources import Source, equals
from gridgov.indices.sources import register as register_events
from gridgov.navigation import register_badge
from gridgov.orgs.models import Role
from gridgov.tasks import inbox, selectors
from gridgov.tasks.models import Claim, ClaimState

# Whose move it is in a claim state that waits on a decision: the evaluator (community cadre), the auditor.
# In the other open states it is the worker's (the claim's ``worker``).
WAITS_ON = {
    ClaimState.SUBMITTED: Role.COMMUNITY_CADRE,
    ClaimState.SENT_BACK: Role.COMMUNITY_CADRE,
    ClaimState.EVALUATED: Role.PARTY_AUDITOR,
}


def _alert_title(row: dict) -> str:
    return f"{row['task__title']} · {ClaimState(row['stage']).label}"


def _claims_due(person):
    """The worker's claims to hand in within three days (or already late)."""
    soon = timezone.now() + timedelta(days=3)
    return selectors.claims_of(worker=person).filter(
        state__in=(ClaimState.CLAIMED, ClaimState.REJECTED), due_at__lte=soon)


def register() -> None:
    inbox.register()
    register_badge("claims_due", _claims_due)
    register_badge("evaluations", lambda person: selectors.evaluation_queue(person=person))
    register_badge("audits", lambda person: selectors.audit_queue(person=person))
    register_deadlines(DeadlineSource(
        code="claim", label=_("Task claim"), model=Claim, url_name="tasks:claim_detail", title=_alert_title,
        handler_field="worker_id", fields=("task__title",), waits_on=dict(WAITS_ON),
    ))
    register_events(Source(
        code="task_audited", label=_("Task claims audited (治村宝)"), model=Claim, date_field="audited_at",
        is_datetime=True, person_field="worker_id", node_path_field="node__path", value_field="points_awarded",
        base=Q(state=ClaimState.AUDITED),
        filters={"work_type": equals("task__work_type__code"), "module": equals("task__work_type__module__code")},
        describe_fields=("task__title", "audited_at", "points_awarded"),
    ))
