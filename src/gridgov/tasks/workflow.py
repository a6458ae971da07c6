"""The claim workflow: one table of allowed transitions and one function that applies them.

    claimed ──submit──▶ submitted ──approve──▶ evaluated ──confirm──▶ audited (points granted)
       │                   │  ▲                    │
       │               reject  submit         send_back
       │                   ▼  │                    ▼
       │                 rejected ◀──reject── sent_back ──approve──▶ evaluated
       ├──release──▶ released
       ├──withdraw─▶ released (also from rejected: the cadre withdrew the task)
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

from gridgov.tasks.models import ClaimState
from gridgov.workflow import InvalidTransition, Transitions  # noqa: F401 (InvalidTransition is re-exported)


class Event:
    SUBMIT = "submit"
    RELEASE = "release"
    EXPIRE = "expire"
    APPROVE = "approve"
    REJECT = "reject"
    CONFIRM = "confirm"
    SEND_BACK = "send_back"
    WITHDRAW = "withdraw"


TRANSITIONS: dict[tuple[str, str], str] = {
    (ClaimState.CLAIMED, Event.SUBMIT): ClaimState.SUBMITTED,
    (ClaimState.CLAIMED, Event.RELEASE): ClaimState.RELEASED,
    (ClaimState.CLAIMED, Event.EXPIRE): ClaimState.EXPIRED,
    (ClaimState.SUBMITTED, Event.APPROVE): ClaimState.EVALUATED,
    (ClaimState.SUBMITTED, Event.REJECT): ClaimState.REJECTED,
    (ClaimState.REJECTED, Event.SUBMIT): ClaimState.SUBMITTED,
    (ClaimState.REJECTED, Event.EXPIRE): ClaimState.EXPIRED,
    (ClaimState.EVALUATED, Event.CONFIRM): ClaimState.AUDITED,
    (ClaimState.EVALUATED, Event.SEND_BACK): ClaimState.SENT_BACK,
    (ClaimState.SENT_BACK, Event.APPROVE): ClaimState.EVALUATED,
    (ClaimState.SENT_BACK, Event.REJECT): ClaimState.REJECTED,
    # Withdrawing a task frees the places of work not handed in; handed-in work goes on to evaluation.
    (ClaimState.CLAIMED, Event.WITHDRAW): ClaimState.RELEASED,
    (ClaimState.REJECTED, Event.WITHDRAW): ClaimState.RELEASED,
}

# The action (orgs.permissions) each event needs.
EVENT_ACTION = {
    Event.SUBMIT: "task.claim",
    Event.RELEASE: "task.claim",
    Event.APPROVE: "task.evaluate",
    Event.REJECT: "task.evaluate",
    Event.CONFIRM: "task.audit",
    Event.SEND_BACK: "task.audit",
    Event.WITHDRAW: "task.publish",
}


EVALUATE_WITHIN_DAYS = 3
AUDIT_WITHIN_DAYS = 3

MACHINE = Transitions(ClaimState, TRANSITIONS)
next_state = MACHINE.next_state
allowed_events = MACHINE.allowed_events


def states_allowing(event: str) -> list[str]:
    """The claim states from which ``event`` may be applied (for set-based moves such as a withdrawal)."""
    return [state for state, on in TRANSITIONS if on == event]


def apply(claim, event: str) -> tuple[str, str]:
    """Move ``claim`` (a locked row) along ``event``; return (before, after). The caller saves."""
    before = claim.state
    claim.state = next_state(before, event)
    return before, claim.state


def due_time(claim):
    """When the next move on ``claim`` is due (see the module docstring), or None when nothing is awaited."""
    if claim.state in (ClaimState.CLAIMED, ClaimState.REJECTED):
        return claim.task.deadline
    if claim.state in (ClaimState.SUBMITTED, ClaimState.SENT_BACK):
        return claim.submitted_at + timedelta(days=EVALUATE_WITHIN_DAYS) if claim.submitted_at else None
    if claim.state == ClaimState.EVALUATED:
        return claim.evaluated_at + timedelta(days=AUDIT_WITHIN_DAYS) if claim.evaluated_at else None
    return None
