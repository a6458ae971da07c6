"""The claim workflow: one table of allowed transitions and one function that applies them.

    claimed ──submit──▶ submitted ──approve──▶ evaluated ──confirm──▶ audited (points granted)
       │                   │  ▲                    │
       │               reject  submit         send_back
       │                   ▼  │                    ▼
       │                 rejected ◀──reject── sent_back ──approve──▶ evaluated
       ├──release──▶ released
       └──expire───▶ expired  (also from rejected)

A submitted claim does not expire: the worker met the deadline, and a late evaluation is the cadre's
overdue item (see ``selectors.overdue_for``), not the worker's loss.

Each claim also stores ``due_at``, the moment by which the person whose move it is must act: the task
deadline while the worker must hand in (claimed, rejected), ``EVALUATE_WITHIN_DAYS`` after the submission
while it waits for evaluation (submitted, sent back), ``AUDIT_WITHIN_DAYS`` after the evaluation while it
waits for audit, and nothing once finished. ``due_time`` is the one rule; ``services._transition`` and
``services.task_claim`` keep it current, so the deadline scan is one query on an indexed column.
"""

from datetime import timedelta

from gridgov.tasks.models import ClaimState as S
from gridgov.workflow import InvalidTransition, Transitions  # noqa: F401 (InvalidTransition is re-exported)


class Event:
    SUBMIT = "submit"
    RELEASE = "release"
    EXPIRE = "expire"
    APPROVE = "approve"
    REJECT = "reject"
    CONFIRM = "confirm"
    SEND_BACK = "send_back"


TRANSITIONS: dict[tuple[str, str], str] = {
    (S.CLAIMED, Event.SUBMIT): S.SUBMITTED,
    (S.CLAIMED, Event.RELEASE): S.RELEASED,
    (S.CLAIMED, Event.EXPIRE): S.EXPIRED,
    (S.SUBMITTED, Event.APPROVE): S.EVALUATED,
    (S.SUBMITTED, Event.REJECT): S.REJECTED,
    (S.REJECTED, Event.SUBMIT): S.SUBMITTED,
    (S.REJECTED, Event.EXPIRE): S.EXPIRED,
    (S.EVALUATED, Event.CONFIRM): S.AUDITED,
    (S.EVALUATED, Event.SEND_BACK): S.SENT_BACK,
    (S.SENT_BACK, Event.APPROVE): S.EVALUATED,
    (S.SENT_BACK, Event.REJECT): S.REJECTED,
}

# The action (orgs.permissions) each event needs.
EVENT_ACTION = {
    Event.SUBMIT: "task.claim",
    Event.RELEASE: "task.claim",
    Event.APPROVE: "task.evaluate",
    Event.REJECT: "task.evaluate",
    Event.CONFIRM: "task.audit",
    Event.SEND_BACK: "task.audit",
}


EVALUATE_WITHIN_DAYS = 3
AUDIT_WITHIN_DAYS = 3

MACHINE = Transitions(S, TRANSITIONS)
next_state = MACHINE.next_state
allowed_events = MACHINE.allowed_events


def apply(claim, event: str) -> tuple[str, str]:
    """Move ``claim`` (a locked row) along ``event``; return (before, after). The caller saves."""
    before = claim.state
    claim.state = next_state(before, event)
    return before, claim.state


def due_time(claim):
    """When the next move on ``claim`` is due (see the module docstring), or None when nothing is awaited."""
    if claim.state in (S.CLAIMED, S.REJECTED):
        return claim.task.deadline
    if claim.state in (S.SUBMITTED, S.SENT_BACK):
        return claim.submitted_at + timedelta(days=EVALUATE_WITHIN_DAYS) if claim.submitted_at else None
    if claim.state == S.EVALUATED:
        return claim.evaluated_at + timedelta(days=AUDIT_WITHIN_DAYS) if claim.evaluated_at else None
    return None
